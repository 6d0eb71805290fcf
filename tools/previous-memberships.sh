#!/bin/bash
# Write the last `up`'s memberships (the stack output `memberships`) to $1 for the program's quorum checks
# (lifecycle/previous.py). A stack without that output yet (new, or last updated before it existed) gets `null`.
# Any other failure of the CLI stops here, so `make up` never runs without the check by accident.
# Usage: tools/previous-memberships.sh OUT STACK [PULUMI]
set -euo pipefail
out=$1 stack=$2 pulumi=${3:-pulumi}
mkdir -p "$(dirname "$out")"
if ! outputs=$("$pulumi" stack output --stack "$stack" --json 2>&1); then
  printf 'cannot read the outputs of stack %s:\n%s\n' "$stack" "$outputs" >&2
  exit 1
fi
printf '%s' "$outputs" | python3 -c 'import json, sys; print(json.dumps(json.load(sys.stdin).get("memberships")))' >"$out"

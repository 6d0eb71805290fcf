#!/bin/bash
# Wait until every configured monitor is in the quorum (the managers and OSDs need it; so does the next change).
in_quorum() {
  ceph --connect-timeout 5 quorum_status -f json 2>/dev/null \
    | python3 -c 'import json, sys; print(len(json.load(sys.stdin)["quorum_names"]))' 2>/dev/null || true
}
waited=0
while [ "$(in_quorum)" != "$GT_MONS" ]; do
  if [ "$waited" -ge "$GT_WAIT_SECONDS" ]; then
    echo "the Ceph monitors did not form a quorum of $GT_MONS within ${GT_WAIT_SECONDS}s" >&2
    exit 1
  fi
  sleep 5
  waited=$((waited + 5))
done

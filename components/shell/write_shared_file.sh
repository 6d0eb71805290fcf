#!/bin/bash
# Install the staged shared file GT_SOURCE (relative to the SSH user's home, where the session starts) at
# GT_PATH with GT_MODE/GT_OWNER/GT_GROUP, only if it differs; first its sha256 must be GT_SOURCE_SHA256, the
# text this step was planned with. GT_VALIDATE (optional) checks it first, with the candidate as "$1";
# GT_ON_CHANGE (optional) runs after a change. Older staged copies (names carry their digest) go afterwards.
if [ ! -f "$GT_SOURCE" ]; then
  echo "$GT_NODE: the staged copy of $GT_PATH, $PWD/$GT_SOURCE, is missing (its upload step runs first)" >&2
  exit 1
fi
staged_sum=$(sha256sum <"$GT_SOURCE")
staged_sum=${staged_sum%% *}
if [ "$staged_sum" != "$GT_SOURCE_SHA256" ]; then
  echo "$GT_NODE: the staged copy of $GT_PATH, $PWD/$GT_SOURCE, has sha256 $staged_sum, not $GT_SOURCE_SHA256" >&2
  exit 1
fi
tmp=""
gt_mktemp tmp
cat "$GT_SOURCE" >"$tmp"
if [ -n "${GT_VALIDATE:-}" ]; then
  if ! bash -c "$GT_VALIDATE" goldentooth-validate "$tmp"; then
    echo "refusing to write $GT_PATH: validation failed: $GT_VALIDATE" >&2
    exit 1
  fi
fi
if gt_install_file "$tmp" "$GT_PATH" "$GT_MODE" "$GT_OWNER" "$GT_GROUP"; then
  if [ -n "${GT_ON_CHANGE:-}" ]; then
    bash -c "$GT_ON_CHANGE"
  fi
fi
for old in "${GT_SOURCE%-*}"-*; do
  if [ "$old" != "$GT_SOURCE" ] && [ -f "$old" ]; then rm -f -- "$old"; fi
done

#!/bin/bash
# Write stdin to GT_PATH with GT_MODE/GT_OWNER/GT_GROUP, only if it differs. GT_VALIDATE (optional) checks
# the new content first, with the candidate file as "$1"; GT_ON_CHANGE (optional) runs after a change.
tmp=""
gt_mktemp tmp
cat >"$tmp"
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

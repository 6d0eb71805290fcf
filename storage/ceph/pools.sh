#!/bin/bash
# The RBD pools (GT_POOLS: "name pg_num" lines), created when missing and tagged for rbd, and the client ceph-csi
# uses (stdin: its keyring), imported when Ceph does not hold exactly that key with those caps.
while read -r name pgs; do
  if [ -z "$name" ]; then continue; fi
  if ! ceph osd pool ls | grep -qx -- "$name"; then
    ceph osd pool create "$name" "$pgs"
    ceph osd pool application enable "$name" rbd
    rbd pool init "$name"
    gt_changed "pool $name ($pgs placement groups)"
  fi
done <<<"$GT_POOLS"
keyring=""
gt_mktemp keyring
cat >"$keyring"
current=""
gt_mktemp current
ceph auth get "client.$GT_CLIENT" -o "$current" 2>/dev/null || true
if [ "$(grep -v '^\s*$' "$current" | sed 's/^\s*//' | sort)" != "$(grep -v '^\s*$' "$keyring" | sed 's/^\s*//' | sort)" ]; then
  ceph auth import -i "$keyring"
  gt_changed "client.$GT_CLIENT"
fi

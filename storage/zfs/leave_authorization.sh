#!/bin/bash
# Leave step, on a replica leaving roles.zfs: drop the primary's replication key from root's authorized_keys (the
# line that carries GT_MARKER as its comment, storage/zfs/authorize.sh); every other line is kept. The pool and
# its datasets stay as they are: nothing here calls zpool or zfs.
# Idempotent: without the line there is nothing to drop. Parameters: GT_MARKER.
keys=/root/.ssh/authorized_keys
if [ -f "$keys" ] && grep -q -- " $GT_MARKER\$" "$keys"; then
  next=""
  gt_mktemp next
  grep -v -- " $GT_MARKER\$" "$keys" >"$next" || true
  if gt_install_file "$next" "$keys" 0600 root root; then :; fi
  gt_changed "removed the ZFS replication key from $keys"
fi

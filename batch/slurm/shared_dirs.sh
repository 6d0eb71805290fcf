#!/bin/bash
# On the first controller: the shared tree on the NFS export (controller state, module files, shared bin).
# Backups take over only when they read the primary's StateSaveLocation, so a state directory that is not
# on NFS (the export not mounted) is an error, not something to create on the local disk.
# Params: GT_SHARED_ROOT, GT_STATE_DIR, GT_REQUIRE_NFS (yes|no).
# The deepest existing directory on the way; listing it triggers the export's automount.
dir=$GT_SHARED_ROOT
while [ ! -e "$dir" ] && [ "$dir" != / ]; do
  dir=$(dirname "$dir")
done
ls -A "$dir" >/dev/null
fstype=""
while read -r line; do
  fstype=$line # the last line is the top-most mount (nfs over its autofs trigger)
done < <(findmnt -n -o FSTYPE -T "$dir" 2>/dev/null || true)
if [ "$GT_REQUIRE_NFS" = yes ] && [[ $fstype != nfs* ]]; then
  echo "error: $(hostname): $GT_SHARED_ROOT is on ${fstype:-nothing}, not NFS; the backup controllers could" \
    "not see $GT_STATE_DIR (mount the export first)" >&2
  exit 1
fi
gt_ensure_dir "$GT_SHARED_ROOT" 0755 slurm slurm
for dir in "$GT_STATE_DIR" "$GT_SHARED_ROOT/apps" "$GT_SHARED_ROOT/apps/modulefiles" "$GT_SHARED_ROOT/bin" \
  "$GT_SHARED_ROOT/tmp"; do
  gt_ensure_dir "$dir" 0755 slurm slurm
done

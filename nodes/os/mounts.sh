#!/bin/bash
# Each configured mount (GT_MOUNT_<i>_PATH on _SOURCE, filesystem _FSTYPE): the disk must be there and carry that
# filesystem. A disk without one is formatted only when config allows it (_FORMAT=yes) and neither wipefs nor blkid
# finds any signature on it; anything else stops the step before a unit is written.
for ((i = 0; i < GT_MOUNT_COUNT; i++)); do
  path="GT_MOUNT_${i}_PATH"; path=${!path}
  source="GT_MOUNT_${i}_SOURCE"; source=${!source}
  fstype="GT_MOUNT_${i}_FSTYPE"; fstype=${!fstype}
  format="GT_MOUNT_${i}_FORMAT"; format=${!format}
  if [ ! -b "$source" ]; then
    echo "$(hostname): $path: no block device $source (check the uuid or device in the node's mounts)" >&2
    exit 1
  fi
  have=$(blkid -p -o value -s TYPE "$source" 2>/dev/null || true)
  if [ -z "$have" ]; then
    signatures=$(wipefs --no-act --noheadings "$source" 2>/dev/null || true)
    if [ "$format" != yes ]; then
      echo "$(hostname): $path: $source has no filesystem; set formatIfEmpty to let the program create $fstype on it" >&2
      exit 1
    fi
    if [ -n "$signatures" ] || blkid -p "$source" >/dev/null 2>&1; then
      echo "$(hostname): $path: $source carries a signature ($signatures): it is never formatted" >&2
      exit 1
    fi
    "mkfs.$fstype" -q "$source"
    gt_changed "created $fstype on $source"
  elif [ "$have" != "$fstype" ]; then
    echo "$(hostname): $path: $source holds $have, not $fstype: nothing is mounted or formatted" >&2
    exit 1
  fi
  mounted=$(findmnt -n -o SOURCE --mountpoint "$path" 2>/dev/null || true)
  if [ -n "$mounted" ] && [ "$(readlink -f "$mounted")" != "$(readlink -f "$source")" ]; then
    echo "$(hostname): $path already has $mounted mounted, not $source" >&2
    exit 1
  fi
  if [ ! -d "$path" ]; then  # a mounted filesystem's root keeps its own mode and owner
    install -d -m 0755 "$path"
    gt_changed "$path"
  fi
done
gt_units_apply

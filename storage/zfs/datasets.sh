#!/bin/bash
# goldentooth:stateful ZFS datasets
# The primary's datasets (GT_DATASETS: "name mountpoint" lines, names relative to the pool): created when
# missing, mountpoint set where it differs. Nothing here destroys or renames a dataset.
while read -r name mountpoint; do
  if [ -z "$name" ]; then continue; fi
  dataset="$GT_POOL/$name"
  if ! zfs list -H -o name "$dataset" >/dev/null 2>&1; then
    zfs create -o "mountpoint=$mountpoint" "$dataset"
    gt_changed "created $dataset at $mountpoint"
  elif [ "$(zfs get -H -o value mountpoint "$dataset")" != "$mountpoint" ]; then
    zfs set "mountpoint=$mountpoint" "$dataset"
    gt_changed "$dataset mountpoint=$mountpoint"
  fi
done <<<"$GT_DATASETS"

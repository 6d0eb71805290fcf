#!/bin/bash
# goldentooth:stateful ZFS pool
# The node's pool on its modelled disks (GT_DEVICES, one per line). An existing pool is adopted: imported when
# its labels are on the modelled disks, refused when it sits elsewhere. A new pool is created only on blank
# disks (or disks storage.wipe names). Creation-time properties (ashift) are never changed on an existing pool;
# the dataset properties (GT_PROPERTIES, key=value lines) are set where they differ.
mapfile -t devices <<<"$GT_DEVICES"
for dev in "${devices[@]}"; do gt_disk_require "$dev"; done

if ! zpool list -H -o name "$GT_POOL" >/dev/null 2>&1; then
  labelled=()
  for dev in "${devices[@]}"; do
    if [ "$(gt_disk_label "$dev" zfs_member || true)" = "$GT_POOL" ]; then labelled+=("$dev"); fi
  done
  if [ "${#labelled[@]}" -gt 0 ]; then
    # Exported or not yet imported since boot: adopt it, never create a second pool over its labels.
    zpool import -d "$(dirname "${labelled[0]}")" "$GT_POOL"
    gt_changed "imported pool $GT_POOL"
  else
    for dev in "${devices[@]}"; do gt_disk_blank_or_wipe "$dev" "pool $GT_POOL"; done
    create=(zpool create -o "ashift=$GT_ASHIFT")
    while IFS= read -r prop; do
      if [ -n "$prop" ]; then create+=(-O "$prop"); fi
    done <<<"$GT_PROPERTIES"
    "${create[@]}" "$GT_POOL" "${devices[@]}"
    gt_changed "created pool $GT_POOL on ${devices[*]}"
  fi
fi

for dev in "${devices[@]}"; do
  if [ "$(gt_disk_label "$dev" zfs_member || true)" != "$GT_POOL" ]; then
    gt_fail "pool $GT_POOL exists but $dev carries no label of it: nodes.$GT_NODE.disks names the wrong disk"
  fi
done
# (the table form: zfs-fuse's zpool get has no -H/-o)
have_ashift=$(zpool get ashift "$GT_POOL" | awk 'NR == 2 { print $3 }')
if [ "$have_ashift" != "$GT_ASHIFT" ]; then
  echo "note: pool $GT_POOL has ashift $have_ashift, config says $GT_ASHIFT; ashift is fixed at creation" >&2
fi
while IFS='=' read -r key value; do
  if [ -z "$key" ]; then continue; fi
  if [ "$(zfs get -H -o value "$key" "$GT_POOL")" != "$value" ]; then
    zfs set "$key=$value" "$GT_POOL"
    gt_changed "$GT_POOL $key=$value"
  fi
done <<<"$GT_PROPERTIES"

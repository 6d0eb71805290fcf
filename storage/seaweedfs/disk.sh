#!/bin/bash
# goldentooth:stateful SeaweedFS data disk
# The volume server's data disk (GT_DEVICE) at GT_MOUNT. A mounted filesystem is adopted when it is the modelled
# disk; an unmounted one is adopted when it already carries GT_FSTYPE (it is mounted, never formatted); only a
# blank disk, or one storage.wipe names, gets a new filesystem. (The predecessor formatted the NVMe whenever its
# data directory was missing, for instance when the mount had failed.)
gt_disk_require "$GT_DEVICE"
device=$(readlink -f "$GT_DEVICE")
mounted=$(findmnt -n -o SOURCE --mountpoint "$GT_MOUNT" || true)
if [ -n "$mounted" ] && [ "$(readlink -f "$mounted")" != "$device" ]; then
  gt_fail "$GT_MOUNT is mounted from $mounted, not the modelled disk $GT_DEVICE ($device)"
fi
if [ -z "$mounted" ]; then
  type=$(blkid -p -o value -s TYPE "$GT_DEVICE" 2>/dev/null || true)
  if [ "$type" != "$GT_FSTYPE" ]; then
    gt_disk_blank_or_wipe "$GT_DEVICE" "a $GT_FSTYPE filesystem"
    mkfs -t "$GT_FSTYPE" -L seaweedfs "$GT_DEVICE"
    gt_changed "created $GT_FSTYPE on $GT_DEVICE"
  fi
fi
uuid=$(blkid -p -o value -s UUID "$GT_DEVICE")
line="UUID=$uuid $GT_MOUNT $GT_FSTYPE defaults,nofail 0 2"
fstab=""
gt_mktemp fstab
awk -v mp="$GT_MOUNT" '$1 ~ /^#/ || $2 != mp' /etc/fstab >"$fstab"
printf '%s\n' "$line" >>"$fstab"
if gt_install_file "$fstab" /etc/fstab 0644 root root; then systemctl daemon-reload; fi
gt_ensure_dir "$GT_MOUNT" 0755 root root
if [ -z "$mounted" ]; then
  mount "$GT_MOUNT"
  gt_changed "mounted $GT_DEVICE at $GT_MOUNT"
fi
gt_ensure_dir "$GT_MOUNT" 0755 seaweedfs seaweedfs
for sub in $GT_SUBDIRS; do gt_ensure_dir "$GT_MOUNT/$sub" 0755 seaweedfs seaweedfs; done

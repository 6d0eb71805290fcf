#!/bin/bash
# ZFS and sanoid from the distribution, the ARC limit as a module option (read at every module load) and, when
# the module is already loaded, applied now as well: a cap that waits for the next reboot is no cap.
read -r -a packages <<<"$GT_PACKAGES"
gt_apt_install "${packages[@]}"
if gt_write /etc/modprobe.d/zfs.conf 0644 "options zfs zfs_arc_max=$GT_ARC_MAX
"; then :; fi
modprobe zfs
live=/sys/module/zfs/parameters/zfs_arc_max
if [ -w "$live" ] && [ "$(cat "$live")" != "$GT_ARC_MAX" ]; then
  printf '%s\n' "$GT_ARC_MAX" >"$live"
  gt_changed "zfs_arc_max=$GT_ARC_MAX (live)"
fi

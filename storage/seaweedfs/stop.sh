#!/bin/bash
# Leave step, on the node: stop and remove its seaweedfs-$GT_KIND unit, after the steps before it moved its data
# off (a volume server) or took it out of the raft (a master). Its state directory stays on the disk.
# Idempotent: a unit that is not installed is already gone. Parameters: GT_KIND.
unit=seaweedfs-$GT_KIND.service
file=/etc/systemd/system/$unit
if [ -e "$file" ]; then
  systemctl disable --now "$unit"
  rm -f "$file"
  systemctl daemon-reload
  gt_changed "stopped and removed $unit"
elif systemctl is-active --quiet "$unit"; then
  systemctl stop "$unit"
  gt_changed "stopped $unit"
fi

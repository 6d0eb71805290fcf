#!/bin/bash
# Runs after the reboot step over a connection that dials without limit: by the time a session opens, the
# node is on a new boot (the reboot step stopped sshd on the old one). Compare against the boot id the
# reboot step left behind and clear it. A reboot request still standing here means a step that edits boot
# files ran after the reboot step: a missing dependency edge, reported instead of silently left pending. After
# the fresh-node reboot (GT_ROLLING=0) a node in service still has its request standing, for its rollout window.
leftover() {
  if [ "$GT_ROLLING" = 1 ] && [ -s "$GT_REBOOT_MARKER" ]; then
    echo "a reboot is still required after the reboot step ran ($(paste -sd ';' "$GT_REBOOT_MARKER")):" \
      "a step that edits boot files must come before the reboot step" >&2
    exit 1
  fi
}
if [ ! -f "$GT_PENDING" ]; then
  leftover
  echo "no reboot pending (boot $(gt_boot_id))"
  exit 0
fi
old=$(cat "$GT_PENDING")
now=$(gt_boot_id)
if [ "$old" = "$now" ]; then
  echo "still on boot $old: the reboot scheduled by the reboot step has not happened" >&2
  exit 1
fi
rm -f -- "$GT_PENDING"
gt_changed "rebooted: boot $old -> $now"
leftover

#!/bin/bash
# Says whether this node reboots in this run, and how. The steps that prepare a rolling reboot elsewhere (the
# quorum gates, the drain) and put the node back in service (the uncordon) take this line on stdin, and act
# only when it starts with "reboot required".
#   - No step asked for a reboot: nothing to do.
#   - The node serves something ($GT_IN_SERVICE holds: it is a Kubernetes node, or one of the ports its layers
#     contribute is listening): "reboot required"; its rollout window reboots it (gates, drain, reboot, uncordon).
#   - A fresh node (nothing is served from it yet, e.g. a first converge): it reboots at once, like the reboot
#     step does, since taking it down harms no quorum and no workload; `wait-fresh-boot` waits for its new boot.
if [ ! -s "$GT_REBOOT_MARKER" ]; then
  echo "no reboot required"
  exit 0
fi
reasons=$(paste -sd ';' "$GT_REBOOT_MARKER")
if bash -c "$GT_IN_SERVICE" >/dev/null 2>&1; then
  echo "reboot required: $reasons"
  exit 0
fi
old=$(gt_boot_id)
echo "fresh node (nothing served here): rebooting now, without a rollout window ($reasons)"
install -d -m 0755 "${GT_PENDING%/*}"
printf '%s\n' "$old" >"$GT_PENDING"
systemd-run --quiet --on-active="$GT_DELAY_SECONDS" --timer-property=AccuracySec=100ms \
  --description="goldentooth reboot of a fresh node: $reasons" systemctl reboot
gt_changed "reboot scheduled in ${GT_DELAY_SECONDS}s, leaving boot $old ($reasons)"
systemctl stop ssh.socket 2>/dev/null || true
systemctl stop ssh.service

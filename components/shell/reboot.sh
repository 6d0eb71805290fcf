#!/bin/bash
# Reboot the node if an earlier step asked for it (gt_require_reboot), and make sure the next SSH session
# this run opens lands on the NEW boot:
#   - the old boot id goes to GT_PENDING (on disk, so it survives the reboot) for the wait step;
#   - the reboot is handed to PID 1 (systemd-run) a few seconds out, so this session ends cleanly first;
#   - sshd stops accepting connections now, so the wait step cannot slip into the old boot: it keeps
#     dialling (unlimited dials) until the new boot's sshd answers. Open sessions survive (KillMode=process).
if [ ! -s "$GT_REBOOT_MARKER" ]; then
  echo "no reboot required (boot $(gt_boot_id))"
  exit 0
fi
old=$(gt_boot_id)
install -d -m 0755 "${GT_PENDING%/*}"
printf '%s\n' "$old" >"$GT_PENDING"
reasons=$(paste -sd ';' "$GT_REBOOT_MARKER")
systemd-run --quiet --on-active="$GT_DELAY_SECONDS" --timer-property=AccuracySec=100ms \
  --description="goldentooth reboot: $reasons" systemctl reboot
gt_changed "reboot scheduled in ${GT_DELAY_SECONDS}s, leaving boot $old ($reasons)"
systemctl stop ssh.socket 2>/dev/null || true
systemctl stop ssh.service

#!/bin/bash
# Install one daemon from the distribution's packages and its directories, retiring the Ansible era's unit of
# the same daemon (GT_RETIRE, a unit in /etc/systemd/system that held the same port) first.
# GT_PACKAGES: space-separated package names; GT_DIRS: lines "PATH MODE OWNER GROUP".
if [ -n "${GT_RETIRE:-}" ] && [ -e "/etc/systemd/system/$GT_RETIRE" ]; then
  systemctl disable --now "$GT_RETIRE" >/dev/null 2>&1 || true
  rm -f "/etc/systemd/system/$GT_RETIRE"
  systemctl daemon-reload
  gt_changed "retired $GT_RETIRE (the Ansible era's unit of the same daemon)"
fi
read -r -a packages <<<"$GT_PACKAGES"
gt_apt_install "${packages[@]}"
while read -r dir mode owner group; do
  if [ -n "$dir" ]; then
    gt_ensure_dir "$dir" "$mode" "$owner" "$group"
  fi
done <<<"${GT_DIRS:-}"

#!/bin/bash
# Slurm's packages at the pinned version (Debian's slurm-wlm) and the node-local directories slurm.conf names.
# Params: GT_PACKAGES (apt specs, space separated), GT_SPOOL_DIR, GT_LOG_DIR.
read -r -a packages <<<"$GT_PACKAGES"
gt_apt_install "${packages[@]}"
for spec in "${packages[@]}"; do
  gt_apt_hold "${spec%%=*}"
done
gt_ensure_dir "$GT_SPOOL_DIR" 0755 slurm slurm
gt_ensure_dir "$GT_LOG_DIR" 0755 slurm slurm
# The Ansible era's drop-in pointed slurmctld's PIDFile at /var/run/slurm/slurmctld.pid. slurm.conf now writes
# Debian's /run/slurmctld.pid, and systemd would wait for the old file until the start timed out.
legacy=/etc/systemd/system/slurmctld.service.d/override.conf
if [ -f "$legacy" ] && grep -q '^PIDFile=' "$legacy"; then
  rm -f -- "$legacy"
  rmdir --ignore-fail-on-non-empty "${legacy%/*}"
  systemctl daemon-reload
  gt_changed "removed $legacy (its PIDFile is not the one slurm.conf writes)"
fi

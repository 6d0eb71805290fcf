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

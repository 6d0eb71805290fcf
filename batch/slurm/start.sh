#!/bin/bash
# Start this node's daemons: slurmctld on controllers (then wait until it answers), slurmd on compute nodes.
# A node that is not a controller has slurmctld off, so an old install cannot act as a stray controller.
# Params: GT_CONTROLLER (yes|no), GT_COMPUTE (yes|no).
if [ "$GT_CONTROLLER" = yes ]; then
  gt_enable_now slurmctld
  # The next controller restarts only once this one answers (one at a time, quorum first).
  for _ in $(seq 1 60); do
    if scontrol ping >/dev/null 2>&1; then
      break
    fi
    sleep 2
  done
  if ! scontrol ping >/dev/null 2>&1; then
    echo "error: $(hostname): no Slurm controller answers 'scontrol ping' after starting slurmctld" >&2
    exit 1
  fi
elif systemctl is-enabled --quiet slurmctld 2>/dev/null || systemctl is-active --quiet slurmctld 2>/dev/null; then
  systemctl disable --now --quiet slurmctld
  gt_changed "stopped slurmctld (not a controller)"
fi
if [ "$GT_COMPUTE" = yes ]; then
  gt_enable_now slurmd
fi

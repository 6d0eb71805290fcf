#!/bin/bash
# Start this node's daemons: slurmctld on controllers (then wait until it answers), slurmd on compute nodes.
# A node that is not a controller has slurmctld off, so an old install cannot act as a stray controller.
# Params: GT_NODE_NAME, GT_CONTROLLER (yes|no), GT_COMPUTE (yes|no).
if [ "$GT_CONTROLLER" = yes ]; then
  gt_enable_now slurmctld
  # The next controller starts only once this one answers. `scontrol ping` exits 0 as long as some controller
  # answers (the lab saw 0 with the primary down), so read what it says about this one.
  answered=no
  for _ in $(seq 1 60); do
    if [[ $(scontrol ping 2>&1 || true) == *"at $GT_NODE_NAME is UP"* ]]; then
      answered=yes
      break
    fi
    sleep 2
  done
  if [ "$answered" != yes ]; then
    echo "error: $GT_NODE_NAME: slurmctld does not answer 'scontrol ping' after starting" >&2
    exit 1
  fi
elif systemctl is-enabled --quiet slurmctld 2>/dev/null || systemctl is-active --quiet slurmctld 2>/dev/null; then
  systemctl disable --now --quiet slurmctld
  gt_changed "stopped slurmctld (not a controller)"
fi
if [ "$GT_COMPUTE" = yes ]; then
  gt_enable_now slurmd
fi

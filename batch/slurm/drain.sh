#!/bin/bash
# Leave step: drain a compute node before it leaves the cluster (running jobs finish, no new ones start).
# Runs on a controller. Params: GT_NODE_NAME, GT_REASON.
state=$(sinfo -h -n "$GT_NODE_NAME" -o %T 2>/dev/null | head -n 1 || true)
if [ -z "$state" ]; then
  exit 0  # Slurm does not know the node (already gone): nothing to drain
fi
case $state in
  drain*) ;;  # draining or drained
  *)
    scontrol update NodeName="$GT_NODE_NAME" State=DRAIN Reason="$GT_REASON"
    gt_changed "drained $GT_NODE_NAME"
    ;;
esac

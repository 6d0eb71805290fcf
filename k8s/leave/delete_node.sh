#!/bin/bash
# On a remaining control plane, after $GT_NODE was reset: delete its Node object, so the cluster forgets it.
# Idempotent: a Node that does not exist is already deleted. Parameters: GT_NODE.
admin=(--kubeconfig /etc/kubernetes/admin.conf)
if ! kubectl "${admin[@]}" get node "$GT_NODE" >/dev/null 2>&1; then
  exit 0
fi
kubectl "${admin[@]}" delete node "$GT_NODE" --wait=true >/dev/null
gt_changed "deleted the Node $GT_NODE"

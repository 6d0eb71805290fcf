#!/bin/bash
# On a remaining control plane, when $GT_NODE leaves Kubernetes: cordon it, then drain it with the reference's
# grace period (900 s: stateful pods on slow SD cards need it). Idempotent: a node already gone has nothing to
# drain, and a drained node drains again with nothing to evict.
# Parameters: GT_NODE, GT_GRACE_SECONDS, GT_TIMEOUT.
admin=(--kubeconfig /etc/kubernetes/admin.conf)
if ! kubectl "${admin[@]}" get node "$GT_NODE" >/dev/null 2>&1; then
  echo "$GT_NODE is not a Kubernetes node; nothing to drain"
  exit 0
fi
if [ "$(kubectl "${admin[@]}" get node "$GT_NODE" -o jsonpath='{.spec.unschedulable}')" != "true" ]; then
  kubectl "${admin[@]}" cordon "$GT_NODE" >/dev/null
  gt_changed "cordoned $GT_NODE"
fi
kubectl "${admin[@]}" drain "$GT_NODE" --ignore-daemonsets --delete-emptydir-data \
  --grace-period="$GT_GRACE_SECONDS" --timeout="$GT_TIMEOUT" >/dev/null
echo "drained $GT_NODE"

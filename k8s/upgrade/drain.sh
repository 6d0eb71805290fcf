#!/bin/bash
# On the first control plane: drain $GT_NODE before its upgrade, unless its kubelet already runs v$GT_VERSION.
admin=(--kubeconfig /etc/kubernetes/admin.conf)
running=$(kubectl "${admin[@]}" get node "$GT_NODE" -o jsonpath='{.status.nodeInfo.kubeletVersion}')
if [ "$running" = "v$GT_VERSION" ]; then
  echo "$GT_NODE already runs v$GT_VERSION; not draining"
  exit 0
fi
# Long grace (rollout.drainGracePeriodSeconds, the Ansible era's 900 s): stateful pods on slow SD cards need time.
kubectl "${admin[@]}" drain "$GT_NODE" --ignore-daemonsets --delete-emptydir-data \
  --grace-period="$GT_GRACE_SECONDS" --timeout="${GT_TIMEOUT_SECONDS}s"
gt_changed "drained $GT_NODE for the upgrade to v$GT_VERSION"

#!/bin/bash
# On the first control plane: drain $GT_NODE before its upgrade, unless its kubelet already runs v$GT_VERSION.
admin=(--kubeconfig /etc/kubernetes/admin.conf)
running=$(kubectl "${admin[@]}" get node "$GT_NODE" -o jsonpath='{.status.nodeInfo.kubeletVersion}')
if [ "$running" = "v$GT_VERSION" ]; then
  echo "$GT_NODE already runs v$GT_VERSION; not draining"
  exit 0
fi
# Long grace: stateful pods on slow SD cards need time to shut down cleanly.
kubectl "${admin[@]}" drain "$GT_NODE" --ignore-daemonsets --delete-emptydir-data --grace-period=900 --timeout=20m
gt_changed "drained $GT_NODE for the upgrade to v$GT_VERSION"

#!/bin/bash
# Upgrade this worker to v$GT_VERSION while it is drained (the drain and uncordon run on the first control
# plane, which holds the admin credentials; workers have none). Skipped when the kubelet already runs it.
if [ "$(kubelet --version)" = "Kubernetes v$GT_VERSION" ]; then
  echo "kubelet already runs v$GT_VERSION"
  exit 0
fi
# Under the node's apt lock, each install after a refresh of the lists (the source just moved to the target minor).
gt_apt_unhold kubeadm kubelet kubectl
gt_apt_refreshed_install --allow-change-held-packages kubeadm="$GT_VERSION-*"
kubeadm upgrade node
gt_apt_refreshed_install --allow-change-held-packages kubelet="$GT_VERSION-*" kubectl="$GT_VERSION-*"
gt_apt_hold kubeadm kubelet kubectl
systemctl daemon-reload
systemctl restart kubelet
gt_changed "worker $GT_NODE upgraded to v$GT_VERSION"

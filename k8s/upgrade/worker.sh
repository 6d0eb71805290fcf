#!/bin/bash
# Upgrade this worker to v$GT_VERSION while it is drained (the drain and uncordon run on the first control
# plane, which holds the admin credentials; workers have none). Skipped when the kubelet already runs it.
if [ "$(kubelet --version)" = "Kubernetes v$GT_VERSION" ]; then
  echo "kubelet already runs v$GT_VERSION"
  exit 0
fi
for pkg in kubeadm kubelet kubectl; do
  apt-mark unhold "$pkg" >/dev/null
done
DEBIAN_FRONTEND=noninteractive apt-get install -y -q kubeadm="$GT_VERSION-*"
kubeadm upgrade node
DEBIAN_FRONTEND=noninteractive apt-get install -y -q kubelet="$GT_VERSION-*" kubectl="$GT_VERSION-*"
apt-mark hold kubeadm kubelet kubectl >/dev/null
systemctl daemon-reload
systemctl restart kubelet
gt_changed "worker $GT_NODE upgraded to v$GT_VERSION"

#!/bin/bash
# Initialise the control plane on the first control-plane node, once. The CA is already in /etc/kubernetes/pki,
# so kubeadm uses it; the config carries the bootstrap token and the certificate key (uploaded with the certs).
# Never resets anything: an existing admin.conf means the cluster exists and this step has nothing to do.
if [ -f /etc/kubernetes/admin.conf ]; then
  echo "control plane already initialised (/etc/kubernetes/admin.conf exists); not running kubeadm init"
  exit 0
fi
installed=$(kubeadm version -o short)
if [ "$installed" != "v$GT_VERSION" ]; then
  echo "kubeadm on this node is $installed but the config asks for v$GT_VERSION" >&2
  exit 1
fi
kubeadm init --config "$GT_CONFIG" --upload-certs
gt_changed "kubeadm init (Kubernetes v$GT_VERSION)"

#!/bin/bash
# On the leaving node, after it was drained (and, for a control plane, its etcd member removed): undo its
# `kubeadm join` and stop the kubelet, so a later join starts clean. Idempotent: a node with no kubelet
# configuration and no static pods has nothing left to reset. Parameters: GT_NODE.
if [ ! -e /etc/kubernetes/kubelet.conf ] && [ -z "$(ls -A /etc/kubernetes/manifests 2>/dev/null)" ]; then
  echo "$GT_NODE has no kubeadm state; nothing to reset"
  exit 0
fi
# The etcd member was removed from a remaining control plane already; reset must not try again through it.
kubeadm reset --force --skip-phases=remove-etcd-member >/dev/null
systemctl disable --now kubelet.service
rm -rf /etc/cni/net.d /var/lib/kubelet/pki
gt_changed "$GT_NODE reset by kubeadm and its kubelet stopped"

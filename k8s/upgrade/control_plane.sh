#!/bin/bash
# Upgrade one control-plane node to v$GT_VERSION: kubeadm first, then the control plane (`upgrade apply` on the
# first node, `upgrade node` on the others), then this node's kubelet and kubectl while it is drained.
# Every part checks what is running first, so a re-run after a failure continues where it stopped.
admin=(--kubeconfig /etc/kubernetes/admin.conf)
upgrade_packages() {
  local wanted=() pkg
  for pkg in "$@"; do
    if [[ "$(dpkg-query -W -f='${Version}' "$pkg" 2>/dev/null)" != "$GT_VERSION"-* ]]; then
      wanted+=("$pkg=$GT_VERSION-*")
    fi
  done
  if [ "${#wanted[@]}" -eq 0 ]; then
    return 0
  fi
  # Under the node's apt lock, with the lists refreshed first: the source just moved to the target minor.
  gt_apt_unhold "$@"
  gt_apt_refreshed_install --allow-downgrades --allow-change-held-packages "${wanted[@]}"
  gt_apt_hold "$@"
  gt_changed "packages ${wanted[*]}"
}
upgrade_packages kubeadm
if [ "$GT_FIRST" = "1" ]; then
  running=$(kubectl "${admin[@]}" -n kube-system get configmap kubeadm-config \
    -o jsonpath='{.data.ClusterConfiguration}' | sed -n 's/^kubernetesVersion: //p')
  if [ "$running" != "v$GT_VERSION" ]; then
    kubeadm upgrade plan "v$GT_VERSION" >/dev/null
    kubeadm upgrade apply "v$GT_VERSION" --yes
    gt_changed "control plane upgraded from $running to v$GT_VERSION"
  fi
elif ! grep -q "kube-apiserver:v$GT_VERSION\$" /etc/kubernetes/manifests/kube-apiserver.yaml; then
  kubeadm upgrade node
  gt_changed "control-plane components on $GT_NODE upgraded to v$GT_VERSION"
fi
if [ "$(kubelet --version)" != "Kubernetes v$GT_VERSION" ]; then
  kubectl "${admin[@]}" drain "$GT_NODE" --ignore-daemonsets --delete-emptydir-data \
    --grace-period="$GT_GRACE_SECONDS" --timeout="${GT_TIMEOUT_SECONDS}s"
  upgrade_packages kubelet kubectl
  systemctl daemon-reload
  systemctl restart kubelet
  kubectl "${admin[@]}" uncordon "$GT_NODE"
  gt_changed "kubelet on $GT_NODE upgraded to v$GT_VERSION"
fi

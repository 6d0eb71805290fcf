#!/bin/bash
# kubeadm, kubelet and kubectl from the Kubernetes project's repository for the configured minor, held so that
# no `apt upgrade` or unattended upgrade moves them. A fresh node gets exactly the configured version; on a node
# that has them, moving versions is the ordered upgrade's job (k8s/upgrade: drain, kubeadm upgrade, kubelet),
# so this step only keeps the repository on the target minor, where that upgrade finds the new packages.
gt_apt_source kubernetes "$GT_K8S_KEY_URL" "$GT_K8S_SOURCES"
read -r -a packages <<<"$GT_PACKAGES"
read -r -a hold <<<"$GT_HOLD"
gt_apt_install --keep-installed "${packages[@]}"
gt_apt_hold "${hold[@]}"

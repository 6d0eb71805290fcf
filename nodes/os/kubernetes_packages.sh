#!/bin/bash
# kubeadm, kubelet and kubectl from the Kubernetes project's repository for the configured minor, held so that
# no `apt upgrade` or unattended upgrade moves them. A fresh node gets exactly the configured version; on a node
# that has them, moving versions is the ordered upgrade's job (k8s/upgrade: drain, kubeadm upgrade, kubelet),
# so this step only keeps the repository on the target minor, where that upgrade finds the new packages.
# A version move without the ordered upgrade is refused here, never silently skipped: a node that runs another
# version than versions.kubernetes (and than kubernetes.upgradeFrom, while upgrading) stops with what to set; a
# fresh node during an upgrade stops too, since it would join the old control plane at the new version (skew).
status=$(dpkg-query -W -f='${db:Status-Abbrev} ${Version}' kubelet 2>/dev/null || true)
if [[ $status == ii* ]]; then
  running=${status##* }
  running=${running%%-*}
  if [ "$running" != "$GT_VERSION" ] && [ "$running" != "$GT_UPGRADE_FROM" ]; then
    if [ -n "$GT_UPGRADE_FROM" ]; then
      echo "$GT_NODE runs kubelet $running, neither kubernetes.upgradeFrom $GT_UPGRADE_FROM nor" \
        "versions.kubernetes $GT_VERSION: upgrade it to $GT_UPGRADE_FROM by hand first, or set upgradeFrom to" \
        "what the cluster runs" >&2
    else
      echo "$GT_NODE runs kubelet $running but versions.kubernetes is $GT_VERSION: set" \
        "goldentooth:kubernetes.upgradeFrom to $running to upgrade the cluster in order (the control plane one" \
        "node at a time, then the workers in batches of rollout.maxParallel), or set versions.kubernetes back" \
        "to $running" >&2
    fi
    exit 1
  fi
elif [ -n "$GT_UPGRADE_FROM" ]; then
  echo "$GT_NODE has no Kubernetes packages while the cluster moves from $GT_UPGRADE_FROM to $GT_VERSION" \
    "(kubernetes.upgradeFrom): joining now, it would run $GT_VERSION beside a $GT_UPGRADE_FROM control plane." \
    "Finish the upgrade first (leave $GT_NODE out of roles.kubernetes until then), then add it" >&2
  exit 1
fi
gt_apt_source kubernetes "$GT_K8S_KEY_URL" "$GT_K8S_SOURCES"
read -r -a packages <<<"$GT_PACKAGES"
read -r -a hold <<<"$GT_HOLD"
gt_apt_install --keep-installed "${packages[@]}"
gt_apt_hold "${hold[@]}"

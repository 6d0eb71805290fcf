#!/bin/bash
# One container runtime: containerd.io (Docker's build of containerd, the only source of an exact 1.7.x on both
# Debian and Ubuntu), at the configured version and held. apt may take nothing else from Docker's repository.
# Its config.toml is ours, rendered from config (systemd cgroups, kubeadm's pause image), not `containerd config
# default` patched with regexes: the package's own file disables the CRI plugin kubelet needs.
# Two steps run this: `containerd` on the node's first boot configuration, and `containerd-rolling` in the node's
# rollout window (GT_ROLLING=1). On a node in service that already has containerd, the first leaves everything to
# the second, so a runtime change restarts containerd window by window, never on every node at once.
if [ "$GT_ROLLING" != 1 ] && bash -c "$GT_IN_SERVICE" >/dev/null 2>&1 && dpkg-query -W containerd.io >/dev/null 2>&1; then
  echo "in service with containerd installed: any change waits for this node's rollout window (containerd-rolling)"
  exit 0
fi
gt_apt_source docker "$GT_DOCKER_KEY_URL" "$GT_DOCKER_SOURCES"
if gt_write "$GT_DOCKER_PIN_FILE" 0644 "$GT_DOCKER_PIN"; then :; fi
gt_apt_install "$GT_PACKAGE"
gt_apt_hold containerd.io
if gt_write "$GT_CONFIG_FILE" 0644 "$GT_CONFIG_TOML"; then
  if systemctl is-active --quiet containerd; then
    systemctl restart containerd
    gt_changed "restarted containerd"
  fi
fi
gt_enable_now containerd

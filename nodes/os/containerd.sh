#!/bin/bash
# One container runtime: containerd.io (Docker's build of containerd, the only source of an exact 1.7.x on both
# Debian and Ubuntu), at the configured version and held. apt may take nothing else from Docker's repository.
# Its config.toml is ours, rendered from config (systemd cgroups, kubeadm's pause image), not `containerd config
# default` patched with regexes: the package's own file disables the CRI plugin kubelet needs.
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

#!/bin/bash
# The NVIDIA container toolkit, so containerd can run GPU containers (its runtime is wired into containerd's
# config by the containerd step). The kernel driver itself is the host's: without it GPU pods fail to start.
gt_apt_source nvidia-container-toolkit "$GT_NVIDIA_KEY_URL" "$GT_NVIDIA_SOURCES"
read -r -a packages <<<"$GT_PACKAGES"
read -r -a hold <<<"$GT_HOLD"
gt_apt_install "${packages[@]}"
gt_apt_hold "${hold[@]}"
if ! command -v nvidia-smi >/dev/null; then
  echo "warning: no NVIDIA driver on this host (nvidia-smi is missing): GPU containers will not start" >&2
fi

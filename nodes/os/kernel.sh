#!/bin/bash
# Kernel prerequisites of Kubernetes networking: the overlay and br_netfilter modules at every boot (listed in
# modules-load.d; modprobe.d only holds module options) and loaded now, then the bridge and forwarding sysctls,
# which exist only once br_netfilter is loaded.
if gt_write "$GT_MODULES_FILE" 0644 "$GT_MODULES_CONF"; then :; fi
for module in $GT_MODULES; do
  modprobe "$module"
done
if gt_write "$GT_SYSCTL_FILE" 0644 "$GT_SYSCTL_CONF"; then :; fi
while IFS='=' read -r key value; do
  key=${key// /}
  value=${value// /}
  case $key in '' | '#'*) continue ;; esac
  if [ "$(sysctl -n "$key")" != "$value" ]; then
    sysctl -q -w "$key=$value"
    gt_changed "sysctl $key=$value"
  fi
done <<<"$GT_SYSCTL_CONF"

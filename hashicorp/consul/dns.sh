#!/bin/bash
# `*.consul` resolves on this node: systemd-resolved forwards the Consul domain to the local agent's DNS
# interface (127.0.0.1:8600) and everything else to the node's usual resolvers. Parameters: GT_DOMAIN, GT_PORT.
gt_apt_install systemd-resolved
text="# goldentooth (managed): the Consul domain goes to the local agent
[Resolve]
DNS=127.0.0.1:$GT_PORT
Domains=~$GT_DOMAIN
"
if gt_write /etc/systemd/resolved.conf.d/consul.conf 0644 "$text"; then
  gt_enable_now systemd-resolved.service
  systemctl restart systemd-resolved.service
  gt_changed "restarted systemd-resolved"
else
  gt_enable_now systemd-resolved.service
fi

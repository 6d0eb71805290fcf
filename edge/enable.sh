#!/bin/bash
# Make sure HAProxy is enabled and running. Reloads and restarts on content
# changes are done by the file steps themselves; this covers a fresh node (or a stopped service).
if ! systemctl is-enabled --quiet haproxy; then
  systemctl enable haproxy
  gt_changed "enabled haproxy"
fi
if ! systemctl is-active --quiet haproxy; then
  systemctl start haproxy
  gt_changed "started haproxy"
fi

#!/bin/bash
# Install HAProxy and rsyslog (HAProxy logs to /dev/log) and clear the way for HAProxy's :80.
# nginx ships a default site on :80 and nginx also runs on this node (node homepages on :8090), so the
# default site must be gone before HAProxy binds *:80.
# Through the node's apt lock and a fresh package list, like every other install.
gt_apt_install haproxy rsyslog
if [ -e /etc/nginx/sites-enabled/default ]; then
  rm -f /etc/nginx/sites-enabled/default
  if systemctl is-active --quiet nginx; then
    systemctl reload nginx
  fi
  gt_changed "removed nginx default site (it binds :80)"
fi
gt_ensure_dir "$GT_CONFIG_DIR" 0755 root root

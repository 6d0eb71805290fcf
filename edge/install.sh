#!/bin/bash
# Install HAProxy and rsyslog (HAProxy logs to /dev/log) and clear the way for HAProxy's :80.
# nginx ships a default site on :80 and nginx also runs on this node (node homepages on :8090), so the
# default site must be gone before HAProxy binds *:80.
missing=()
for pkg in haproxy rsyslog; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$pkg")
  fi
done
if [ "${#missing[@]}" -gt 0 ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
  gt_changed "installed ${missing[*]}"
fi
if [ -e /etc/nginx/sites-enabled/default ]; then
  rm -f /etc/nginx/sites-enabled/default
  if systemctl is-active --quiet nginx; then
    systemctl reload nginx
  fi
  gt_changed "removed nginx default site (it binds :80)"
fi
gt_ensure_dir "$GT_CONFIG_DIR" 0755 root root

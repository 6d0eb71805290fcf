#!/bin/bash
# The Consul token Prometheus scrapes agent metrics with, on the Prometheus node (stdin, secret), readable by
# the prometheus group only. The group is created if the Prometheus package has not done so yet (its postinst
# keeps an existing group). Parameters: GT_PATH.
if ! getent group prometheus >/dev/null; then
  groupadd --system prometheus
  gt_changed "group prometheus"
fi
token=""
gt_mktemp token
cat >"$token"
gt_install_file "$token" "$GT_PATH" 0640 root prometheus || true

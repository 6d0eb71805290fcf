#!/bin/bash
# nginx with the node homepage site on :8090 (the web root /srv/status; an index already there is kept).
gt_apt_install nginx
gt_ensure_dir "$GT_ROOT" 0755 www-data www-data
if [ ! -e "$GT_ROOT/index.html" ]; then
  gt_write "$GT_ROOT/index.html" 0644 "$GT_INDEX" || true
fi
site="" previous=""
gt_mktemp site
gt_mktemp previous
printf '%s' "$GT_SITE" >"$site"
had=0
if [ -f "$GT_SITE_FILE" ]; then cp -p -- "$GT_SITE_FILE" "$previous"; had=1; fi
if gt_install_file "$site" "$GT_SITE_FILE" 0644 root root; then
  if ! nginx -t -q; then
    if [ "$had" = 1 ]; then cp -p -- "$previous" "$GT_SITE_FILE"; else rm -f -- "$GT_SITE_FILE"; fi
    echo "nginx rejects $GT_SITE_FILE: the previous file is back in place" >&2
    exit 1
  fi
  if systemctl is-active --quiet nginx; then
    systemctl reload nginx
    gt_changed "reloaded nginx"
  fi
fi
gt_enable_now nginx

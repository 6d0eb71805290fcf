#!/bin/bash
# Who this host is: its hostname, every node's address in /etc/hosts, and the cluster's time zone.
if gt_write /etc/hostname 0644 "$GT_HOSTNAME"$'\n'; then :; fi
if [ "$(hostname)" != "$GT_HOSTNAME" ]; then
  hostname "$GT_HOSTNAME"
  gt_changed "hostname $GT_HOSTNAME"
fi

# /etc/hosts: one managed block listing every node; the rest of the file stays, except the image's
# "127.0.1.1 <old name>" line, which would otherwise resolve this host's name to loopback.
hosts=""
gt_mktemp hosts
awk -v begin="$GT_BEGIN" -v end="$GT_END" '
  $0 == begin { inblock = 1; next }
  inblock && $0 == end { inblock = 0; next }
  inblock { next }
  $1 == "127.0.1.1" { next }
  { print }
' /etc/hosts | sed -e ':a' -e '/^\n*$/{$d;N;ba' -e '}' >"$hosts"
printf '\n%s' "$GT_HOSTS_BLOCK" >>"$hosts"
if gt_install_file "$hosts" /etc/hosts 0644 root root; then :; fi

zone=/usr/share/zoneinfo/$GT_TIMEZONE
if [ ! -f "$zone" ]; then
  echo "unknown time zone $GT_TIMEZONE (no $zone)" >&2
  exit 1
fi
if [ "$(readlink /etc/localtime || true)" != "$zone" ]; then
  ln -sfn "$zone" /etc/localtime
  gt_changed "/etc/localtime -> $zone"
fi
if gt_write /etc/timezone 0644 "$GT_TIMEZONE"$'\n'; then :; fi

#!/bin/bash
# Who this host is: its hostname, every node's address in /etc/hosts, and the cluster's time zone.
if gt_write /etc/hostname 0644 "$GT_HOSTNAME"$'\n'; then :; fi
if [ "$(hostname)" != "$GT_HOSTNAME" ]; then
  hostname "$GT_HOSTNAME"
  gt_changed "hostname $GT_HOSTNAME"
fi

# /etc/hosts: one managed block listing every node; the rest of the file stays, except the image's
# "127.0.1.1 <old name>" line, which would otherwise resolve this host's name to loopback. The block is the
# file the upload step staged (relative to the SSH user's home, where this session starts); it must be the
# exact text this step was planned with.
if [ ! -f "$GT_HOSTS_FILE" ]; then
  echo "$GT_HOSTNAME: the staged hosts list $PWD/$GT_HOSTS_FILE is missing (its upload step runs first)" >&2
  exit 1
fi
staged_sum=$(sha256sum <"$GT_HOSTS_FILE")
staged_sum=${staged_sum%% *}
if [ "$staged_sum" != "$GT_HOSTS_DIGEST" ]; then
  echo "$GT_HOSTNAME: the staged hosts list $PWD/$GT_HOSTS_FILE has sha256 $staged_sum, not $GT_HOSTS_DIGEST" >&2
  exit 1
fi
hosts=""
gt_mktemp hosts
awk -v begin="$GT_BEGIN" -v end="$GT_END" '
  $0 == begin { inblock = 1; next }
  inblock && $0 == end { inblock = 0; next }
  inblock { next }
  $1 == "127.0.1.1" { next }
  { print }
' /etc/hosts | sed -e ':a' -e '/^\n*$/{$d;N;ba' -e '}' >"$hosts"
printf '\n' >>"$hosts"
cat "$GT_HOSTS_FILE" >>"$hosts"
if gt_install_file "$hosts" /etc/hosts 0644 root root; then :; fi
# CopyToRemote cannot delete: older staged lists (names carry their digest) go once this one is installed.
for old in "${GT_HOSTS_FILE%-*}"-*; do
  if [ "$old" != "$GT_HOSTS_FILE" ] && [ -f "$old" ]; then rm -f -- "$old"; fi
done

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

#!/bin/bash
# SSH hardening as a drop-in that sorts first: sshd keeps the FIRST value it reads for a keyword, and the stock
# sshd_config includes sshd_config.d/*.conf at its top, so this file wins over the main file and over image
# drop-ins such as 50-cloud-init.conf (which can turn password logins back on). The drop-in is validated on
# its own, then the whole configuration is; an invalid result is rolled back before sshd ever reloads.
candidate=""
gt_mktemp candidate
printf '%s' "$GT_SSHD_CONF" >"$candidate"
sshd -t -f "$candidate"
previous=""
gt_mktemp previous
had_previous=0
if [ -f "$GT_SSHD_DROP_IN" ]; then
  cp -- "$GT_SSHD_DROP_IN" "$previous"
  had_previous=1
fi
if gt_install_file "$candidate" "$GT_SSHD_DROP_IN" 0644 root root; then
  if ! sshd -t; then
    if [ "$had_previous" = 1 ]; then cp -- "$previous" "$GT_SSHD_DROP_IN"; else rm -f -- "$GT_SSHD_DROP_IN"; fi
    echo "sshd rejects the configuration with $GT_SSHD_DROP_IN: rolled back" >&2
    exit 1
  fi
  systemctl try-reload-or-restart ssh.service
  gt_changed "reloaded sshd"
fi

# fail2ban bans addresses that keep failing to log in. Its sshd jail reads the journal (python3-systemd: without
# it the systemd backend fails, and Debian 12 has no auth.log to fall back on) and bans with nftables; both are
# only recommendations of the package, which gt_apt_install does not pull in.
gt_apt_install fail2ban python3-systemd nftables
if gt_write "$GT_JAIL_FILE" 0644 "$GT_JAIL_CONF"; then
  if systemctl is-active --quiet fail2ban; then
    systemctl restart fail2ban
    gt_changed "restarted fail2ban"
  fi
fi
gt_enable_now fail2ban

#!/bin/bash
# This node's SSH host certificate (principals: short name, FQDNs, address), signed when missing, lapsed, for
# another key or other names; sshd presents it and trusts user certificates from the user CA (a drop-in checked
# with `sshd -t`); then its renewal settings and cert-renewer@ timer (renewal goes through sshpop: no password).
# Parameters: GT_NODE, GT_HOST_KEY, GT_PRINCIPALS (one per line), GT_DURATION, GT_PROVISIONER, GT_SSH_HOST_CA,
# GT_SSHD_DROP_IN, GT_SSHD_CONF, GT_STEPPATH, GT_SETTINGS_FILE, GT_SETTINGS, GT_TIMER.
# stdin (secret): the host provisioner's password.
export STEPPATH=$GT_STEPPATH
password=""
gt_mktemp password
cat >"$password"
cert=${GT_HOST_KEY}-cert.pub
mapfile -t principals <<<"$GT_PRINCIPALS"
reload=0
if [ ! -s "$GT_HOST_KEY" ]; then
  ssh-keygen -q -t ed25519 -N "" -C "$GT_NODE" -f "$GT_HOST_KEY"
  gt_changed "$GT_HOST_KEY"
fi
if ! gt_ssh_cert_current "$cert" "$GT_HOST_KEY.pub" "$GT_SSH_HOST_CA" host "${principals[@]}"; then
  args=()
  for principal in "${principals[@]}"; do args+=(--principal "$principal"); done
  step ssh certificate --host --sign --force --provisioner "$GT_PROVISIONER" --provisioner-password-file "$password" \
    --not-after "$GT_DURATION" "${args[@]}" "$GT_NODE" "$GT_HOST_KEY.pub" >&2
  chmod 0644 "$cert"
  gt_changed "signed $cert"
  reload=1
fi
previous=""
gt_mktemp previous
had_drop_in=0
if [ -f "$GT_SSHD_DROP_IN" ]; then cp -p "$GT_SSHD_DROP_IN" "$previous"; had_drop_in=1; fi
if gt_write "$GT_SSHD_DROP_IN" 0644 "$GT_SSHD_CONF"; then
  if ! sshd -t; then
    if [ "$had_drop_in" = 1 ]; then cp -p "$previous" "$GT_SSHD_DROP_IN"; else rm -f "$GT_SSHD_DROP_IN"; fi
    echo "$GT_NODE: sshd -t refused $GT_SSHD_DROP_IN; restored the previous state" >&2
    exit 1
  fi
  reload=1
fi
if [ "$reload" = 1 ]; then
  systemctl reload ssh
  gt_changed "reloaded ssh"
fi
gt_write "$GT_SETTINGS_FILE" 0600 "$GT_SETTINGS" || true
gt_enable_now "$GT_TIMER"

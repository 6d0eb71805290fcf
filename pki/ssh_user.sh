#!/bin/bash
# User GT_USER's SSH certificate on this node (key id user@node, principals GT_PRINCIPALS), signed when missing,
# lapsed, for another key or other principals; then its renewal settings and cert-renewer@ timer. A user
# certificate cannot be renewed, only re-signed, so the timer needs the `ssh-users` provisioner's password: it is
# kept in GT_PASSWORD_FILE (root 0600), and that provisioner signs SSH user certificates and nothing else.
# Parameters: GT_USER, GT_KEY, GT_KEY_ID, GT_PRINCIPALS (one per line), GT_DURATION, GT_PROVISIONER,
# GT_PASSWORD_FILE, GT_SSH_USER_CA, GT_STEPPATH, GT_SETTINGS_FILE, GT_SETTINGS, GT_TIMER.
# stdin (secret): the provisioner's password.
export STEPPATH=$GT_STEPPATH
if ! id -u "$GT_USER" >/dev/null 2>&1; then
  echo "user $GT_USER does not exist on this node (pki.ssh.users)" >&2
  exit 1
fi
group=$(id -gn "$GT_USER")
candidate=""
gt_mktemp candidate
cat >"$candidate"
gt_ensure_parent "$GT_PASSWORD_FILE"
gt_install_file "$candidate" "$GT_PASSWORD_FILE" 0600 root root || true
cert=${GT_KEY}-cert.pub
mapfile -t principals <<<"$GT_PRINCIPALS"
if [ ! -d "${GT_KEY%/*}" ]; then
  install -d -m 0700 -o "$GT_USER" -g "$group" "${GT_KEY%/*}"
  gt_changed "${GT_KEY%/*}"
fi
if [ ! -s "$GT_KEY" ]; then
  ssh-keygen -q -t ed25519 -N "" -C "$GT_KEY_ID" -f "$GT_KEY"
  chown "$GT_USER:$group" "$GT_KEY" "$GT_KEY.pub"
  gt_changed "$GT_KEY"
fi
if ! gt_ssh_cert_current "$cert" "$GT_KEY.pub" "$GT_SSH_USER_CA" user "${principals[@]}"; then
  args=()
  for principal in "${principals[@]}"; do args+=(--principal "$principal"); done
  step ssh certificate --sign --force --provisioner "$GT_PROVISIONER" --provisioner-password-file "$GT_PASSWORD_FILE" \
    --not-after "$GT_DURATION" "${args[@]}" "$GT_KEY_ID" "$GT_KEY.pub" >&2
  chown "$GT_USER:$group" "$cert"
  chmod 0644 "$cert"
  gt_changed "signed $cert"
fi
gt_write "$GT_SETTINGS_FILE" 0600 "$GT_SETTINGS" || true
gt_enable_now "$GT_TIMER"

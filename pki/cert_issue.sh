#!/bin/bash
# Certificate GT_ID on this node: issued when it is missing, does not chain to the cluster root, has lapsed, does
# not match its key, or names other subjects than requested (so an expired certificate is reissued at every
# converge: G-PKI-3); otherwise left alone. Then its renewal settings and its cert-renewer@ timer.
# Parameters: GT_ID, GT_COMMON_NAME, GT_SANS (one per line), GT_CERT, GT_KEY, GT_BUNDLE (may be empty), GT_OWNER,
# GT_GROUP, GT_MODE, GT_DURATION, GT_PROVISIONER, GT_ROOT_BUNDLE, GT_STEPPATH, GT_SETTINGS_FILE, GT_SETTINGS,
# GT_RELOAD (may be empty), GT_TIMER. stdin (secret): the provisioner's password.
export STEPPATH=$GT_STEPPATH
password=""
gt_mktemp password
cat >"$password"

wanted_names() {
  local san
  while IFS= read -r san; do
    [ -n "$san" ] || continue
    if [[ $san =~ ^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$ ]]; then echo "IP:$san"; else echo "DNS:$san"; fi
  done <<<"$GT_SANS" | sort -u
}

names_of() {
  openssl x509 -in "$1" -noout -ext subjectAltName 2>/dev/null | tail -n +2 | tr ',' '\n' \
    | sed 's/^ *//; s/^IP Address:/IP:/' | grep -v '^$' | sort -u
}

current() {
  [ -s "$GT_CERT" ] && [ -s "$GT_KEY" ] || return 1
  step certificate verify "$GT_CERT" --roots "$GT_ROOT_BUNDLE" >/dev/null 2>&1 || return 1
  [ "$(openssl x509 -in "$GT_CERT" -noout -pubkey | sha256sum)" = "$(openssl pkey -in "$GT_KEY" -pubout | sha256sum)" ] \
    || return 1
  [ "$(names_of "$GT_CERT")" = "$(wanted_names)" ] || return 1
}

# The certificate often comes before the package that creates its service's user (consul, vault, grafana):
# create that system user and group as the packages would (their maintainer scripts keep an existing one).
if ! getent group "$GT_GROUP" >/dev/null; then
  groupadd --system "$GT_GROUP"
  gt_changed "system group $GT_GROUP"
fi
if ! getent passwd "$GT_OWNER" >/dev/null; then
  useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin --gid "$GT_GROUP" "$GT_OWNER"
  gt_changed "system user $GT_OWNER"
fi
gt_ensure_parent "$GT_CERT"
gt_ensure_parent "$GT_KEY"
if [ -n "$GT_BUNDLE" ]; then gt_ensure_parent "$GT_BUNDLE"; fi
issued=0
if ! current; then
  work=$(mktemp -d)
  trap 'rm -rf -- "$work"; gt_cleanup' EXIT
  sans=()
  while IFS= read -r san; do
    if [ -n "$san" ]; then sans+=(--san "$san"); fi
  done <<<"$GT_SANS"
  step ca certificate "$GT_COMMON_NAME" "$work/cert" "$work/key" "${sans[@]}" --provisioner "$GT_PROVISIONER" \
    --provisioner-password-file "$password" --not-after "$GT_DURATION" --force >&2
  install -m "$GT_MODE" -o "$GT_OWNER" -g "$GT_GROUP" "$work/key" "$GT_KEY"
  install -m "$GT_MODE" -o "$GT_OWNER" -g "$GT_GROUP" "$work/cert" "$GT_CERT"
  gt_changed "issued $GT_CERT ($GT_COMMON_NAME, until $(openssl x509 -in "$GT_CERT" -noout -enddate | cut -d= -f2))"
  issued=1
else
  for file in "$GT_CERT" "$GT_KEY"; do
    if [ "$(stat -c '%a %U %G' "$file")" != "$(printf '%o' "$((8#$GT_MODE))") $GT_OWNER $GT_GROUP" ]; then
      chown "$GT_OWNER:$GT_GROUP" "$file"
      chmod "$GT_MODE" "$file"
      gt_changed "ownership of $file"
    fi
  done
fi
if [ -n "$GT_BUNDLE" ]; then
  bundle=""
  gt_mktemp bundle
  cat "$GT_CERT" "$GT_KEY" >"$bundle"
  if gt_install_file "$bundle" "$GT_BUNDLE" "$GT_MODE" "$GT_OWNER" "$GT_GROUP"; then issued=1; fi
fi
gt_write "$GT_SETTINGS_FILE" 0600 "$GT_SETTINGS" || true
gt_enable_now "$GT_TIMER"
if [ "$issued" = 1 ] && [ -n "$GT_RELOAD" ]; then
  bash -c "$GT_RELOAD"
fi

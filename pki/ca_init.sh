#!/bin/bash
# Initialise the CA once, or adopt the one that exists. Never re-initialises: an existing config/ca.json is adopted
# (checked, not touched); a directory that holds something else is refused; and when the config pins a root
# (GT_EXPECTED_FINGERPRINT) a missing CA is an error too, because a new root would orphan every node's trust.
# Parameters: GT_NODE, GT_CA_DIR, GT_CA_USER, GT_CA_NAME, GT_CA_DNS (comma-separated), GT_CA_ADDRESS,
# GT_PASSWORD_FILE, GT_PROVISIONER, GT_EXPECTED_FINGERPRINT (may be empty).
# stdin (secret): the root key password, the intermediate (online keys) password, the first provisioner's password,
# one per line. The root password only ever lives in a private directory under /run that is removed on exit.
IFS= read -r root_password
IFS= read -r online_password
IFS= read -r provisioner_password
config=$GT_CA_DIR/config/ca.json
stop() {
  echo "$GT_NODE: $*" >&2
  exit 1
}

if [ -f "$config" ]; then
  for file in certs/root_ca.crt certs/intermediate_ca.crt secrets/intermediate_ca_key; do
    [ -s "$GT_CA_DIR/$file" ] || stop "$GT_CA_DIR/$file is missing: refusing to adopt a partial CA (restore it; this step never re-initialises)"
  done
  [ -s "$GT_PASSWORD_FILE" ] || stop "$GT_PASSWORD_FILE is missing: step-ca could not open the adopted CA's keys (restore the file)"
  fingerprint=$(step certificate fingerprint "$GT_CA_DIR/certs/root_ca.crt")
  if [ -n "$GT_EXPECTED_FINGERPRINT" ] && [ "$fingerprint" != "$GT_EXPECTED_FINGERPRINT" ]; then
    stop "$GT_CA_DIR/certs/root_ca.crt has fingerprint $fingerprint, not pki.expectedRootFingerprint $GT_EXPECTED_FINGERPRINT: refusing to adopt another CA"
  fi
  exit 0
fi
if [ -n "$(find "$GT_CA_DIR" -mindepth 1 -maxdepth 1 -print -quit)" ]; then
  stop "$GT_CA_DIR holds files but no config/ca.json: neither a CA to adopt nor empty; refusing to initialise over it"
fi
if [ -n "$GT_EXPECTED_FINGERPRINT" ]; then
  stop "$config is missing but pki.expectedRootFingerprint pins root $GT_EXPECTED_FINGERPRINT: restore that CA instead of creating a new root"
fi
for value in "$root_password" "$online_password" "$provisioner_password"; do
  [ -n "$value" ] || stop "a CA password arrived empty on stdin"
done

private=$(mktemp -d /run/goldentooth-ca-init.XXXXXX)
trap 'rm -rf -- "$private"; gt_cleanup' EXIT
printf '%s' "$root_password" >"$private/root"
printf '%s' "$online_password" >"$private/online"
printf '%s' "$provisioner_password" >"$private/provisioner"
STEPPATH=$GT_CA_DIR step ca init --deployment-type=standalone --name="$GT_CA_NAME" --dns="$GT_CA_DNS" \
  --address="$GT_CA_ADDRESS" --provisioner="$GT_PROVISIONER" --ssh \
  --password-file="$private/root" --provisioner-password-file="$private/provisioner" >&2
# The root key stays under the root password (used again only to sign a new intermediate); the keys step-ca opens
# at every start move to the online password (G-PKI-11).
for key in intermediate_ca_key ssh_host_ca_key ssh_user_ca_key; do
  step crypto change-pass "$GT_CA_DIR/secrets/$key" --password-file="$private/root" \
    --new-password-file="$private/online" --force >&2
done
install -m 0600 -o "$GT_CA_USER" -g "$GT_CA_USER" "$private/online" "$GT_PASSWORD_FILE"
chown -R "$GT_CA_USER:$GT_CA_USER" "$GT_CA_DIR"
chmod 0700 "$GT_CA_DIR" "$GT_CA_DIR/secrets"
gt_changed "initialised CA $GT_CA_NAME in $GT_CA_DIR (root $(step certificate fingerprint "$GT_CA_DIR/certs/root_ca.crt"))"

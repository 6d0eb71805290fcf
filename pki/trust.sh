#!/bin/bash
# Every node trusts the cluster root and can talk to the CA: pinned step-cli, the root in the system trust store
# (update-ca-certificates makes GT_ROOT_BUNDLE of it), the step client context in GT_STEPPATH (what
# `step ca bootstrap` writes, written here from the root the program hands over, so no first contact with the CA
# is trusted blindly), the host-CA line in the global known_hosts, and the generic renewal units and script.
# Parameters: GT_SMALLSTEP_KEY_URL, GT_SMALLSTEP_SOURCES, GT_PACKAGES, GT_CA_URL, GT_STEPPATH, GT_ANCHOR,
# GT_ROOT_BUNDLE, GT_KNOWN_HOSTS, GT_SSH_HOST_CA, GT_SSH_USER_CA, GT_RENEWER, GT_RENEWER_TEXT, GT_STATE_DIR, unit parameters.
# stdin: the CA identity (pki/ca_identity.sh).
gt_read_identity
gt_apt_source smallstep "$GT_SMALLSTEP_KEY_URL" "$GT_SMALLSTEP_SOURCES"
read -r -a packages <<<"$GT_PACKAGES"
gt_apt_install "${packages[@]}"
gt_apt_hold step-cli

if gt_install_file "$GT_ID_ROOT" "$GT_ANCHOR" 0644 root root || [ ! -s "$GT_ROOT_BUNDLE" ]; then
  install -d -m 0755 /etc/ssl/certs
  update-ca-certificates >&2
fi
if ! cmp -s "$GT_ID_ROOT" "$GT_ROOT_BUNDLE"; then
  echo "update-ca-certificates did not produce $GT_ROOT_BUNDLE from $GT_ANCHOR" >&2
  exit 1
fi

gt_ensure_dir "$GT_STEPPATH" 0700 root root
gt_ensure_dir "$GT_STEPPATH/certs" 0700 root root
gt_ensure_dir "$GT_STEPPATH/config" 0700 root root
gt_install_file "$GT_ID_ROOT" "$GT_STEPPATH/certs/root_ca.crt" 0644 root root || true
defaults=$(printf '{\n  "ca-url": "%s",\n  "fingerprint": "%s",\n  "root": "%s"\n}\n' \
  "$GT_CA_URL" "$GT_ID_FINGERPRINT" "$GT_STEPPATH/certs/root_ca.crt")
gt_write "$GT_STEPPATH/config/defaults.json" 0600 "$defaults" || true

# The SSH CAs' public keys: sshd trusts user certificates from the user CA; certificate checks compare signers.
gt_write "$GT_SSH_HOST_CA" 0644 "$GT_ID_SSH_HOST_CA goldentooth-host-ca"$'\n' || true
gt_write "$GT_SSH_USER_CA" 0644 "$GT_ID_SSH_USER_CA goldentooth-user-ca"$'\n' || true

# Hosts present certificates signed by the host CA: trust them for every name, cluster-wide.
known=$GT_KNOWN_HOSTS
line="@cert-authority * $GT_ID_SSH_HOST_CA goldentooth-host-ca"
if ! grep -qxF -- "$line" "$known" 2>/dev/null; then
  next=""
  gt_mktemp next
  { grep -v -- ' goldentooth-host-ca$' "$known" 2>/dev/null || true; } >"$next"
  printf '%s\n' "$line" >>"$next"
  install -m 0644 "$next" "$known"
  gt_changed "$known"
fi

gt_ensure_dir "$GT_STATE_DIR" 0755 root root
gt_ensure_parent "$GT_RENEWER"
gt_write "$GT_RENEWER" 0755 "$GT_RENEWER_TEXT" || true
gt_units_apply

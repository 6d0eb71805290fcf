# shellcheck shell=bash
# Helpers of the PKI layer's steps, prepended to their bodies (pki/scripts.py) after components/shell/lib.sh.

# gt_wait_for_ca URL ROOT: wait up to a minute for step-ca to answer /health over TLS verified against ROOT.
gt_wait_for_ca() {
  local attempt
  for ((attempt = 0; attempt < 120; attempt++)); do
    if step ca health --ca-url "$1" --root "$2" >/dev/null 2>&1; then
      return 0
    fi
    sleep 0.5
  done
  echo "step-ca at $1 did not answer /health within a minute" >&2
  return 1
}

# gt_read_identity: parse the CA identity (pki/ca_identity.sh's output) from stdin into GT_ID_FINGERPRINT,
# GT_ID_SSH_HOST_CA, GT_ID_SSH_USER_CA and the file GT_ID_ROOT (the root certificate), and check that the root's
# fingerprint is the one announced: a corrupted hand-over must never become a trust anchor.
gt_read_identity() {
  local line in_pem=0
  GT_ID_FINGERPRINT="" GT_ID_SSH_HOST_CA="" GT_ID_SSH_USER_CA="" GT_ID_ROOT=""
  gt_mktemp GT_ID_ROOT
  while IFS= read -r line; do
    case $line in
      "fingerprint "*) GT_ID_FINGERPRINT=${line#fingerprint } ;;
      "ssh-host-ca "*) GT_ID_SSH_HOST_CA=${line#ssh-host-ca } ;;
      "ssh-user-ca "*) GT_ID_SSH_USER_CA=${line#ssh-user-ca } ;;
      "-----BEGIN CERTIFICATE-----") in_pem=1; printf '%s\n' "$line" >>"$GT_ID_ROOT" ;;
      "-----END CERTIFICATE-----") in_pem=0; printf '%s\n' "$line" >>"$GT_ID_ROOT" ;;
      *) if [ "$in_pem" = 1 ]; then printf '%s\n' "$line" >>"$GT_ID_ROOT"; fi ;;
    esac
  done
  if [ -z "$GT_ID_FINGERPRINT" ] || [ -z "$GT_ID_SSH_HOST_CA" ] || [ -z "$GT_ID_SSH_USER_CA" ] || [ ! -s "$GT_ID_ROOT" ]; then
    echo "the CA identity on stdin is incomplete (want fingerprint, ssh-host-ca, ssh-user-ca and the root PEM)" >&2
    return 1
  fi
  local actual
  actual=$(openssl x509 -in "$GT_ID_ROOT" -noout -fingerprint -sha256 | sed 's/.*=//; s/://g' | tr 'A-F' 'a-f')
  if [ "$actual" != "$GT_ID_FINGERPRINT" ]; then
    echo "the root on stdin has fingerprint $actual, not the announced $GT_ID_FINGERPRINT" >&2
    return 1
  fi
}

# gt_ensure_parent PATH: the directory PATH lives in exists (root 0755 when this creates it).
gt_ensure_parent() {
  local dir=${1%/*}
  if [ ! -d "$dir" ]; then
    install -d -m 0755 "$dir"
    gt_changed "$dir"
  fi
}

# gt_ssh_cert_current CERT PUBLIC_KEY CA_PUBLIC_KEY TYPE PRINCIPAL...: whether CERT is a TYPE (host|user)
# certificate for PUBLIC_KEY, signed by CA_PUBLIC_KEY, naming exactly these principals, and not yet expired.
gt_ssh_cert_current() {
  local cert=$1 public=$2 ca=$3 type=$4 listing key_fp ca_fp
  shift 4
  [ -s "$cert" ] || return 1
  listing=$(ssh-keygen -L -f "$cert" 2>/dev/null) || return 1
  key_fp=$(ssh-keygen -l -f "$public" | awk '{print $2}')
  ca_fp=$(ssh-keygen -l -f "$ca" | awk '{print $2}')
  grep -q "^ *Type: .* $type certificate$" <<<"$listing" || return 1
  grep -q "^ *Public key: .* $key_fp$" <<<"$listing" || return 1
  grep -q "^ *Signing CA: .* $ca_fp " <<<"$listing" || return 1
  [ "$(awk '/^ *Principals:/ {p = 1; next} /^ *[A-Z][A-Za-z ]*:/ {p = 0} p {print $1}' <<<"$listing" | sort)" \
    = "$(printf '%s\n' "$@" | sort)" ] || return 1
  # 100% of the lifetime used: the certificate has lapsed.
  ! step ssh needs-renewal --expires-in 100% "$cert" >/dev/null 2>&1
}

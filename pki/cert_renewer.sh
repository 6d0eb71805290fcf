#!/bin/bash
# cert-renewer@<id>.service's program (installed on every node as /usr/local/lib/goldentooth/cert-renewer): renew
# certificate <id> once GT_RENEW_AT percent of its lifetime has passed, then run its reload hook, once.
# Settings: /etc/goldentooth/pki/<id>.env (written by the step that issued it). Unlike the reference's
# ExecCondition, a missing certificate or settings file fails the unit loudly instead of skipping it (F13).
set -euo pipefail
umask 077
id=${1:?usage: cert-renewer ID}
settings=/etc/goldentooth/pki/$id.env
if [ ! -f "$settings" ]; then
  echo "cert-renewer@$id: $settings is missing" >&2
  exit 1
fi
# shellcheck source=/dev/null
. "$settings"
export STEPPATH=/root/.step
if [ ! -s "$GT_CERT" ] || [ ! -s "$GT_KEY" ]; then
  echo "cert-renewer@$id: $GT_CERT or $GT_KEY is missing; the next converge issues it again" >&2
  exit 1
fi

due() {
  local rc=0
  step "$@" --expires-in "$GT_RENEW_AT%" "$GT_CERT" >/dev/null 2>&1 || rc=$?
  case $rc in
    0) return 0 ;;
    1) return 1 ;;
    *) echo "cert-renewer@$id: step $* failed with $rc on $GT_CERT" >&2; exit 1 ;;
  esac
}

case $GT_KIND in
  x509)
    if ! due certificate needs-renewal; then
      echo "cert-renewer@$id: $GT_CERT is not due for renewal"
      exit 0
    fi
    # mTLS renewal while the certificate is valid; once it has lapsed, step sends a renewal token signed with the
    # certificate's key instead, which the issuing provisioner accepts (allowRenewalAfterExpiry): no password here.
    step ca renew --force "$GT_CERT" "$GT_KEY"
    chown "$GT_OWNER:$GT_GROUP" "$GT_CERT" "$GT_KEY"
    chmod "$GT_MODE" "$GT_CERT" "$GT_KEY"
    if [ -n "${GT_BUNDLE:-}" ]; then
      next=$(mktemp "$GT_BUNDLE.XXXXXX")
      cat "$GT_CERT" "$GT_KEY" >"$next"
      chown "$GT_OWNER:$GT_GROUP" "$next"
      chmod "$GT_MODE" "$next"
      mv -f "$next" "$GT_BUNDLE"
    fi
    ;;
  ssh-host)
    if ! due ssh needs-renewal; then
      echo "cert-renewer@$id: $GT_CERT is not due for renewal"
      exit 0
    fi
    # sshpop: the host proves itself with its current certificate and key; no password on the node.
    step ssh renew --force "$GT_CERT" "$GT_KEY"
    chmod 0644 "$GT_CERT"
    ;;
  ssh-user)
    if ! due ssh needs-renewal; then
      echo "cert-renewer@$id: $GT_CERT is not due for renewal"
      exit 0
    fi
    read -r -a principals <<<"$GT_PRINCIPALS"
    args=()
    for principal in "${principals[@]}"; do args+=(--principal "$principal"); done
    # Re-signing (no renewal exists for user certificates) also recovers a lapsed one. `--sign` writes
    # <public key without .pub>-cert.pub, which is GT_CERT.
    step ssh certificate --sign --force --provisioner "$GT_PROVISIONER" \
      --provisioner-password-file "$GT_PASSWORD_FILE" --not-after "$GT_DURATION" "${args[@]}" \
      "$GT_KEY_ID" "$GT_PUBLIC_KEY"
    chown "$GT_OWNER:$(id -gn "$GT_OWNER")" "$GT_CERT"
    chmod 0644 "$GT_CERT"
    ;;
  *)
    echo "cert-renewer@$id: unknown kind $GT_KIND in $settings" >&2
    exit 1
    ;;
esac
echo "cert-renewer@$id: renewed $GT_CERT"
if [ -n "${GT_RELOAD:-}" ]; then
  bash -c "$GT_RELOAD"
fi

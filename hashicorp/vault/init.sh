#!/bin/bash
# One-shot: initialise Vault once, on an uninitialised cluster only, and hand the program its admin token.
# stdin (secret): line 1 the admin token id the program decided (pulumi-random); line 2, optional, a root token
# of a cluster initialised before (adoption). Parameters: GT_SHARES, GT_THRESHOLD, GT_PGP_KEYS (comma-separated,
# may be empty), GT_TTL_HOURS, GT_NODE, GT_TIMEOUT.
# stdout (secret in state): the recovery keys as JSON, or {"adopted": true}. The root token never leaves this
# process: it creates the admin token with the preset id, then is revoked.
read -r admin
adopt=""
read -r adopt || true
export VAULT_ADDR=https://127.0.0.1:8200
admin_policy='path "*" { capabilities = ["create", "read", "update", "delete", "list", "sudo", "patch"] }'

status() { vault status -format=json 2>/dev/null || true; }  # exits 2 while sealed: still an answer
deadline=$((SECONDS + GT_TIMEOUT))
until [ -n "$(status | jq -r '.initialized // empty' 2>/dev/null)" ]; do
  if [ "$SECONDS" -ge "$deadline" ]; then
    echo "Vault on $GT_NODE did not answer within ${GT_TIMEOUT}s" >&2
    exit 1
  fi
  sleep 2
done

wait_active() {
  until [ "$(status | jq -r '.sealed == false and (.is_self // .ha_enabled // true)')" = true ]; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "Vault on $GT_NODE did not unseal within ${GT_TIMEOUT}s (is the KMS key reachable?)" >&2
      exit 1
    fi
    sleep 2
  done
  # The active node needs a moment after unsealing before it takes requests.
  until VAULT_TOKEN=$1 vault token lookup >/dev/null 2>&1; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "Vault on $GT_NODE unsealed but did not become active within ${GT_TIMEOUT}s" >&2
      exit 1
    fi
    sleep 2
  done
}

make_admin() {  # $1: a root token
  VAULT_TOKEN=$1 vault auth tune -max-lease-ttl="${GT_TTL_HOURS}h" token/ >/dev/null
  printf '%s\n' "$admin_policy" | VAULT_TOKEN=$1 vault policy write goldentooth-admin - >/dev/null
  # The id travels on stdin (`id=-`), never on a command line.
  printf '%s' "$admin" | VAULT_TOKEN=$1 vault write -field=accessor auth/token/create-orphan id=- \
    policies=goldentooth-admin ttl="${GT_TTL_HOURS}h" display_name=goldentooth-pulumi renewable=true >/dev/null
}

if [ "$(status | jq -r .initialized)" = false ]; then
  args=(-recovery-shares="$GT_SHARES" -recovery-threshold="$GT_THRESHOLD" -format=json)
  if [ -n "$GT_PGP_KEYS" ]; then args+=(-recovery-pgp-keys="$GT_PGP_KEYS"); fi
  out=$(vault operator init "${args[@]}")
  root=$(jq -r .root_token <<<"$out")
  wait_active "$root"
  make_admin "$root"
  VAULT_TOKEN=$root vault token revoke -self >/dev/null
  echo "changed: vault initialised on $GT_NODE; root token revoked" >&2
  jq -c '{recovery_keys_b64, recovery_keys_shares, recovery_keys_threshold}' <<<"$out"
  exit 0
fi

if VAULT_TOKEN=$admin vault token lookup >/dev/null 2>&1; then
  echo '{"adopted": true}'
  exit 0
fi
if [ -z "$adopt" ]; then
  echo "Vault on $GT_NODE is already initialised and does not know the program's admin token. The program never" \
    "re-initialises Vault: set goldentooth:vaultRootToken to a root token of this cluster (vault operator" \
    "generate-root makes one from the recovery keys) and run again; it is used once, to create the admin token." >&2
  exit 1
fi
wait_active "$adopt"
make_admin "$adopt"
echo "changed: adopted the initialised Vault on $GT_NODE: created the program's admin token" >&2
echo '{"adopted": true}'

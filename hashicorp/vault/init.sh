#!/bin/bash
# One-shot: initialise Vault once, on an uninitialised cluster only, and hand the program its admin token.
# stdin (secret): line 1 the admin token id the program decided (pulumi-random); line 2, optional, a root token
# of a cluster initialised before (adoption). Parameters: GT_SHARES, GT_THRESHOLD, GT_PGP_KEYS (comma-separated,
# may be empty), GT_TTL_HOURS, GT_NODE, GT_TIMEOUT.
# stdout (secret in state): the recovery keys as JSON, or {"adopted": true}. The root token never leaves the
# node: it creates the admin token with the preset id, then is revoked.
read -r admin
adopt=""
read -r adopt || true
export VAULT_ADDR=https://127.0.0.1:8200 VAULT_CACERT=${GT_CA:-/etc/ssl/certs/goldentooth.pem}
admin_policy='path "*" { capabilities = ["create", "read", "update", "delete", "list", "sudo", "patch"] }'

status() { vault status -format=json 2>/dev/null || true; }  # exits 2 while sealed: still an answer
deadline=$((SECONDS + GT_TIMEOUT))
# (`.initialized // empty` would hide false: jq's alternative operator treats false like null.)
until [[ "$(status | jq -r '.initialized | tostring' 2>/dev/null)" =~ ^(true|false)$ ]]; do
  if [ "$SECONDS" -ge "$deadline" ]; then
    echo "Vault on $GT_NODE did not answer within ${GT_TIMEOUT}s" >&2
    exit 1
  fi
  sleep 2
done

wait_active() {
  until [ "$(status | jq -r '.sealed == false')" = true ]; do
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

make_admin() {  # $1: a root token. Creating the admin token is skipped when it exists (a retried hand-over).
  if VAULT_TOKEN=$admin vault token lookup >/dev/null 2>&1; then return 0; fi
  VAULT_TOKEN=$1 vault auth tune -max-lease-ttl="${GT_TTL_HOURS}h" token/ >/dev/null
  printf '%s\n' "$admin_policy" | VAULT_TOKEN=$1 vault policy write goldentooth-admin - >/dev/null
  # The id travels on stdin (`id=-`), never on a command line.
  printf '%s' "$admin" | VAULT_TOKEN=$1 vault write -format=json auth/token/create-orphan id=- \
    policies=goldentooth-admin ttl="${GT_TTL_HOURS}h" display_name=goldentooth-pulumi renewable=true >/dev/null
}

# The init output is kept (root-only) until the hand-over finished: a step that fails after `operator init`
# would otherwise lose the only root token and the recovery keys. A retry resumes from it.
pending=/var/lib/goldentooth/vault-init.json
if [ "$(status | jq -r .initialized)" = false ]; then
  install -d -m 0700 "${pending%/*}"
  args=(-recovery-shares="$GT_SHARES" -recovery-threshold="$GT_THRESHOLD" -format=json)
  if [ -n "$GT_PGP_KEYS" ]; then args+=(-recovery-pgp-keys="$GT_PGP_KEYS"); fi
  (umask 077 && vault operator init "${args[@]}" >"$pending.new" && mv "$pending.new" "$pending")
  echo "changed: vault initialised on $GT_NODE" >&2
fi
if [ -s "$pending" ]; then
  root=$(jq -r .root_token "$pending")
  wait_active "$root"
  make_admin "$root"
  VAULT_TOKEN=$root vault token revoke -self >/dev/null 2>&1 || true  # already revoked by an earlier try
  jq -c '{recovery_keys_b64, recovery_keys_shares, recovery_keys_threshold}' "$pending"
  rm -f -- "$pending"
  echo "changed: the program's admin token created on $GT_NODE; root token revoked" >&2
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

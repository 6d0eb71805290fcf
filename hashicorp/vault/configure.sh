#!/bin/bash
# Vault's first configuration as code, on the active node, with the program's admin token (stdin): all servers
# in the raft cluster, a file audit device, a KV v2 mount, the policies, and TLS-certificate login for the nodes
# (their PKI host certificates, checked against the cluster root). Each part changes only when it differs.
# Parameters: GT_SERVERS (count), GT_KV, GT_AUDIT_LOG, GT_POLICY_COUNT, GT_POLICY_<i>_NAME/_TEXT, GT_CA,
# GT_NODE_NAMES (allowed common names), GT_TIMEOUT.
VAULT_TOKEN=$(cat)
export VAULT_TOKEN VAULT_ADDR=https://127.0.0.1:8200 VAULT_CACERT=${GT_CA:-/etc/ssl/certs/goldentooth.pem}

deadline=$((SECONDS + GT_TIMEOUT))
until peers=$(vault operator raft list-peers -format=json 2>/dev/null) \
  && [ "$(jq '[.data.config.servers[] | select(.voter)] | length' <<<"$peers")" -ge "$GT_SERVERS" ]; do
  if [ "$SECONDS" -ge "$deadline" ]; then
    echo "Vault's raft cluster has not got its $GT_SERVERS voters within ${GT_TIMEOUT}s" >&2
    exit 1
  fi
  sleep 2
done

if ! vault audit list -format=json 2>/dev/null | jq -e '."file/"' >/dev/null; then
  vault audit enable file file_path="$GT_AUDIT_LOG" >/dev/null
  gt_changed "vault audit device file -> $GT_AUDIT_LOG"
fi
if ! vault secrets list -format=json | jq -e --arg m "$GT_KV/" '.[$m]' >/dev/null; then
  vault secrets enable -path="$GT_KV" -version=2 kv >/dev/null
  gt_changed "vault kv-v2 mount $GT_KV/"
fi
for ((i = 0; i < GT_POLICY_COUNT; i++)); do
  name="GT_POLICY_${i}_NAME"; name=${!name}
  text="GT_POLICY_${i}_TEXT"; text=${!text}
  # (both sides through $(...), which drops trailing newlines: Vault stores the text without its last one)
  if [ "$(vault policy read "$name" 2>/dev/null || true)" != "$(printf '%s' "$text")" ]; then
    printf '%s' "$text" | vault policy write "$name" - >/dev/null
    gt_changed "vault policy $name"
  fi
done
if ! vault auth list -format=json | jq -e '."cert/"' >/dev/null; then
  vault auth enable cert >/dev/null
  gt_changed "vault auth method cert"
fi
have=$(vault read -format=json auth/cert/certs/nodes 2>/dev/null || echo '{}')
if [ "$(jq -r '.data.certificate // ""' <<<"$have" | tr -d '\n')" != "$(tr -d '\n' <"$GT_CA")" ] \
  || [ "$(jq -r '.data.allowed_common_names // [] | join(",")' <<<"$have")" != "$GT_NODE_NAMES" ] \
  || [ "$(jq -r '.data.token_policies // [] | join(",")' <<<"$have")" != node ]; then
  vault write auth/cert/certs/nodes certificate=@"$GT_CA" allowed_common_names="$GT_NODE_NAMES" \
    token_policies=node token_ttl=1h >/dev/null
  gt_changed "vault cert login role nodes"
fi

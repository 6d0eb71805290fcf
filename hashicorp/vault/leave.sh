#!/bin/bash
# Remove a Vault server from the raft configuration (run on a remaining server with the admin token on stdin).
# Idempotent: a peer that is not in the configuration is already gone. Parameters: GT_NODE.
VAULT_TOKEN=$(cat)
export VAULT_TOKEN VAULT_ADDR=https://127.0.0.1:8200 VAULT_CACERT=${GT_CA:-/etc/ssl/certs/goldentooth.pem}
if vault operator raft list-peers -format=json | jq -e --arg n "$GT_NODE" '.data.config.servers[] | select(.node_id == $n)' >/dev/null; then
  vault operator raft remove-peer "$GT_NODE" >/dev/null
  gt_changed "$GT_NODE removed from Vault's raft peers"
fi

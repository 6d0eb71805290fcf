#!/bin/bash
# On a remaining Consul server, after $GT_NODE left: wait until its raft address is no longer a peer and the
# remaining peers have a leader (`/v1/status/*` needs no ACL token), so the next change starts from a healthy
# quorum. The count is not fixed here: a replacement may have joined in the same `up`. Read-only, safe to retry.
# Parameters: GT_NODE, GT_NODE_ADDRESS (ip:8300), GT_TIMEOUT (seconds).
api=(curl -fsS --cacert /etc/ssl/certs/goldentooth.pem --cert /etc/consul.d/certs/tls.crt
  --key /etc/consul.d/certs/tls.key)
deadline=$((SECONDS + GT_TIMEOUT))
while :; do
  peers=$("${api[@]}" https://127.0.0.1:8501/v1/status/peers 2>/dev/null || echo '[]')
  leader=$("${api[@]}" https://127.0.0.1:8501/v1/status/leader 2>/dev/null | jq -r '.' 2>/dev/null || true)
  count=$(jq -r 'length' <<<"$peers" 2>/dev/null || echo 0)
  if [ -n "$leader" ] && [ "$count" -gt 0 ] && ! jq -e --arg a "$GT_NODE_ADDRESS" 'index($a)' <<<"$peers" >/dev/null; then
    echo "Consul raft has $count peers and a leader; $GT_NODE is not one of them"
    exit 0
  fi
  if [ "$SECONDS" -ge "$deadline" ]; then
    echo "Consul raft still lists $GT_NODE or has no leader ($count peers) after ${GT_TIMEOUT}s" >&2
    exit 1
  fi
  sleep 5
done

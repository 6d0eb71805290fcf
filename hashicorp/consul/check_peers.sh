#!/bin/bash
# On a remaining Consul server, after $GT_NODE left: wait until the raft has exactly $GT_EXPECTED voters and a
# leader (`/v1/status/*` needs no ACL token), so the next change starts from a healthy quorum. Read-only, so
# safe to retry. Parameters: GT_NODE, GT_EXPECTED, GT_TIMEOUT (seconds).
api=(curl -fsS --cacert /etc/ssl/certs/goldentooth.pem --cert /etc/consul.d/certs/tls.crt
  --key /etc/consul.d/certs/tls.key)
deadline=$((SECONDS + GT_TIMEOUT))
while :; do
  peers=$("${api[@]}" https://127.0.0.1:8501/v1/status/peers 2>/dev/null | jq -r 'length' 2>/dev/null || echo 0)
  leader=$("${api[@]}" https://127.0.0.1:8501/v1/status/leader 2>/dev/null | jq -r '.' 2>/dev/null || true)
  if [ "$peers" = "$GT_EXPECTED" ] && [ -n "$leader" ]; then
    echo "Consul raft has $peers peers and a leader after $GT_NODE left"
    exit 0
  fi
  if [ "$SECONDS" -ge "$deadline" ]; then
    echo "Consul raft has ${peers:-no} peers (want $GT_EXPECTED) after $GT_NODE left" >&2
    exit 1
  fi
  sleep 5
done

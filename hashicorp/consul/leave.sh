#!/bin/bash
# Leave the Consul cluster gracefully (run on the leaving node): the agent tells the others and stops; a server
# leaves the raft configuration with it. Idempotent: an agent that is not running has nothing to leave.
# Parameters: GT_NODE. The agent's own token authorises `leave` (agent:write on itself).
if ! systemctl is-active --quiet consul.service; then
  exit 0
fi
CONSUL_HTTP_ADDR=https://127.0.0.1:8501 CONSUL_CACERT=/etc/ssl/certs/goldentooth.pem \
  CONSUL_CLIENT_CERT=/etc/consul.d/certs/tls.crt CONSUL_CLIENT_KEY=/etc/consul.d/certs/tls.key \
  CONSUL_HTTP_TOKEN_FILE=/var/lib/goldentooth/consul-agent-token consul leave
systemctl disable --now consul.service
gt_changed "$GT_NODE left the Consul cluster"

"""The ports the HashiCorp services listen on: facts of the services (their documented defaults), not config."""

CONSUL_HTTPS = 8501
CONSUL_GRPC_TLS = 8503
CONSUL_SERVER_RPC = 8300
CONSUL_SERF_LAN = 8301
CONSUL_SERF_WAN = 8302
CONSUL_DNS = 8600

VAULT_API = 8200
VAULT_CLUSTER = 8201

NOMAD_HTTP = 4646
NOMAD_RPC = 4647
NOMAD_SERF = 4648

"""Where the HashiCorp agents keep their certificates, configuration and data on a node.

The CA bundle is the cluster root the PKI layer installs on every node (the reference's cluster.ca_cert_path)."""

from dataclasses import dataclass

CA_FILE = "/etc/ssl/certs/goldentooth.pem"


@dataclass(frozen=True)
class TlsFiles:
    cert: str
    key: str


CONSUL_DIR = "/etc/consul.d"
CONSUL_DATA = "/opt/consul"
CONSUL_TLS = TlsFiles("/etc/consul.d/certs/tls.crt", "/etc/consul.d/certs/tls.key")

VAULT_DIR = "/etc/vault.d"
VAULT_RAFT = "/opt/vault/raft"
VAULT_TLS = TlsFiles("/opt/vault/tls/tls.crt", "/opt/vault/tls/tls.key")
VAULT_AUDIT_LOG = "/var/log/vault/audit.log"

NOMAD_DIR = "/etc/nomad.d"
NOMAD_DATA = "/opt/nomad/data"
NOMAD_PLUGINS = "/opt/nomad/plugins"
NOMAD_TLS = TlsFiles("/opt/nomad/certs/tls.crt", "/opt/nomad/certs/tls.key")
NOMAD_CLI_TLS = TlsFiles("/opt/nomad/certs/cli.crt", "/opt/nomad/certs/cli.key")

# On the Prometheus node: client certificates and the Consul token it scrapes with (verify_incoming everywhere).
PROMETHEUS_CONSUL_TLS = TlsFiles("/etc/prometheus/certs/consul-client.crt", "/etc/prometheus/certs/consul-client.key")
PROMETHEUS_NOMAD_TLS = TlsFiles("/etc/prometheus/certs/nomad-client.crt", "/etc/prometheus/certs/nomad-client.key")
PROMETHEUS_CONSUL_TOKEN = "/etc/prometheus/consul-token"

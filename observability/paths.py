"""Ports and paths of the observability daemons: facts of the software and of this layer's layout."""

ROOT_CA = "/etc/ssl/certs/goldentooth.pem"  # the cluster root CA the PKI layer installs on every node

PROMETHEUS_PORT = 9090
ALERTMANAGER_PORT = 9093
NODE_EXPORTER_PORT = 9100
BLACKBOX_PORT = 9115
GRAFANA_PORT = 3000
LOKI_PORT = 3100
LOKI_GRPC_PORT = 9096
VECTOR_METRICS_PORT = 9598
VECTOR_API_PORT = 8686

PROMETHEUS_CONFIG_DIR = "/etc/prometheus"
PROMETHEUS_CONFIG = f"{PROMETHEUS_CONFIG_DIR}/prometheus.yml"
PROMETHEUS_RULES_DIR = f"{PROMETHEUS_CONFIG_DIR}/rules"
PROMETHEUS_CERT_DIR = f"{PROMETHEUS_CONFIG_DIR}/certs"
PROMETHEUS_CLIENT_CERT = f"{PROMETHEUS_CERT_DIR}/client.crt"  # mTLS to Nomad, Loki; renewed by the PKI layer
PROMETHEUS_CLIENT_KEY = f"{PROMETHEUS_CERT_DIR}/client.key"
PROMETHEUS_DATA = "/var/lib/prometheus"
ALERTMANAGER_CONFIG = "/etc/prometheus/alertmanager.yml"
ALERTMANAGER_DATA = "/var/lib/alertmanager"
BLACKBOX_CONFIG = "/etc/prometheus/blackbox.yml"

# The one directory node_exporter's textfile collector reads (not recursive: G23). Any layer may drop a
# `<name>.prom` file here, written atomically (temp file + rename in the same directory).
TEXTFILE_DIR = "/var/lib/node_exporter/textfile"
PROBE_DIR = "/usr/local/lib/goldentooth/probes"

GRAFANA_TLS_DIR = "/etc/grafana/tls"
GRAFANA_CONFIG = "/etc/grafana/grafana.ini"
GRAFANA_PROVISIONING = "/etc/grafana/provisioning"
GRAFANA_DASHBOARDS_DIR = "/etc/grafana/dashboards"  # provisioned from code, not a git clone in the data dir
LOKI_CONFIG = "/etc/loki/config.yml"
LOKI_TLS_DIR = "/etc/loki/tls"
VECTOR_CONFIG = "/etc/vector/vector.yaml"
VECTOR_TLS_DIR = "/etc/vector/tls"

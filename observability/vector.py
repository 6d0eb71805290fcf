"""Vector's config on each node: the journal shipped to Loki over TLS (the cluster root CA, this node's client
certificate from the PKI layer, hostname verified), labelled with the node and the systemd unit; Vector's own
metrics for Prometheus on :9598; its API on loopback only."""

from typing import Any

from config.spec import ClusterSpec
from observability import paths as p


def vector_config(spec: ClusterSpec, node: str) -> dict[str, Any]:
    ip = spec.node(node).ip
    return {
        "data_dir": "/var/lib/vector",
        "api": {"enabled": True, "address": f"127.0.0.1:{p.VECTOR_API_PORT}"},
        "sources": {
            "journald": {"type": "journald", "current_boot_only": False},
            "internal_metrics": {"type": "internal_metrics"},
        },
        "sinks": {
            "loki": {
                "type": "loki",
                "inputs": ["journald"],
                "endpoint": f"https://{spec.domains.node_fqdn(spec.roles.loki)}:{p.LOKI_PORT}",
                "encoding": {"codec": "json"},
                "labels": {"node": node, "unit": "{{ _SYSTEMD_UNIT }}", "source": "journald"},
                "tls": {"ca_file": p.ROOT_CA, "crt_file": f"{p.VECTOR_TLS_DIR}/tls.crt",
                        "key_file": f"{p.VECTOR_TLS_DIR}/tls.key", "verify_certificate": True,
                        "verify_hostname": True},
            },
            "prometheus": {"type": "prometheus_exporter", "inputs": ["internal_metrics"],
                           "address": f"{ip}:{p.VECTOR_METRICS_PORT}"},
        },
    }

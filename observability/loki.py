"""Loki's config: the single binary on roles.loki, TSDB on the filesystem in a persistent data directory
(the reference used /tmp: G29), HTTP over TLS with the PKI's certificate (client certificates verified when
given), gRPC bound to loopback (it only carries the single binary's own traffic), an in-memory ring (one
instance needs no Consul KV, so no ACL token is minted or stored at all: G29), retention by the compactor, and
the ruler pointed at the Alertmanager that now exists."""

from typing import Any

from config.spec import ClusterSpec
from observability import paths as p


def loki_config(spec: ClusterSpec) -> dict[str, Any]:
    loki = spec.observability.loki
    node = spec.node(spec.roles.loki)
    prom = spec.node(spec.roles.prometheus)
    data = loki.data_dir
    tls = {"cert_file": f"{p.LOKI_TLS_DIR}/tls.crt", "key_file": f"{p.LOKI_TLS_DIR}/tls.key",
           "client_ca_file": p.ROOT_CA, "client_auth_type": "VerifyClientCertIfGiven"}
    return {
        "auth_enabled": False,
        "server": {
            "http_listen_address": str(node.ip),
            "http_listen_port": p.LOKI_PORT,
            "http_tls_config": tls,
            "grpc_listen_address": "127.0.0.1",
            "grpc_listen_port": p.LOKI_GRPC_PORT,
            "log_level": "info",
            "log_format": "json",
        },
        "common": {
            "instance_addr": "127.0.0.1",
            "path_prefix": data,
            "storage": {"filesystem": {"chunks_directory": f"{data}/chunks", "rules_directory": f"{data}/rules"}},
            "replication_factor": 1,
            "ring": {"kvstore": {"store": "inmemory"}},
        },
        "schema_config": {"configs": [{"from": "2020-10-24", "store": "tsdb", "object_store": "filesystem",
                                       "schema": "v13", "index": {"prefix": "index_", "period": "24h"}}]},
        "limits_config": {"retention_period": loki.retention_period},
        "compactor": {"working_directory": f"{data}/compactor", "compaction_interval": "10m",
                      "retention_enabled": True, "retention_delete_delay": "2h",
                      "delete_request_store": "filesystem"},
        "ruler": {"alertmanager_url": f"http://{prom.ip}:{p.ALERTMANAGER_PORT}"},
        "analytics": {"reporting_enabled": False},
    }

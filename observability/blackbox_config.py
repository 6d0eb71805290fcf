"""The blackbox exporter's modules: the probe jobs of prometheus_config.py name them.

`https_internal` trusts only the cluster root CA (HAProxy terminates the routes' TLS and asks for no client
certificate; backends that demand one are probed by `tcp_connect`); `http_2xx` is plain HTTP."""

from typing import Any

from observability import paths as p


def blackbox_config() -> dict[str, Any]:
    return {
        "modules": {
            "http_2xx": {"prober": "http", "timeout": "5s",
                         "http": {"preferred_ip_protocol": "ip4", "fail_if_ssl": True}},
            "https_internal": {
                "prober": "http", "timeout": "10s",
                "http": {
                    "preferred_ip_protocol": "ip4",
                    "fail_if_not_ssl": True,
                    "tls_config": {"ca_file": p.ROOT_CA},
                },
            },
            "tcp_connect": {"prober": "tcp", "timeout": "5s", "tcp": {"preferred_ip_protocol": "ip4"}},
        }
    }

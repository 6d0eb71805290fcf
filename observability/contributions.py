"""What the observability layer asks of the other concerns: its scrape targets, alert rules, HAProxy routes
for its UIs, the certificates its TLS endpoints and clients need, and the ports it listens on."""

from ipaddress import IPv4Address

from components.contributions import (
    Backend,
    CertificateRequest,
    Contributions,
    HttpRoute,
    ListenPort,
    ScrapeTarget,
    TlsClient,
)
from config.spec import ClusterSpec
from observability import paths as p
from observability.alert_rules import own_rule_groups


def _endpoint(spec: ClusterSpec, node: str, port: int) -> tuple[str, str]:
    return node, f"{spec.node(node).ip}:{port}"


def scrape_targets(spec: ClusterSpec) -> tuple[ScrapeTarget, ...]:
    roles = spec.roles
    every = sorted(n.name for n in spec.nodes)
    ca = TlsClient(ca_file=p.ROOT_CA)
    return (
        # One job name for node_exporter everywhere (G16): NodeDown and every check use job="node".
        ScrapeTarget("node", tuple(_endpoint(spec, n, p.NODE_EXPORTER_PORT) for n in every)),
        ScrapeTarget("prometheus", (_endpoint(spec, roles.prometheus, p.PROMETHEUS_PORT),)),
        ScrapeTarget("alertmanager", (_endpoint(spec, roles.prometheus, p.ALERTMANAGER_PORT),)),
        ScrapeTarget("blackbox-exporter", (_endpoint(spec, roles.prometheus, p.BLACKBOX_PORT),)),
        # Loki and Grafana serve TLS with certificates for their service names (G20: no http against TLS);
        # neither asks for a client certificate, so only the cluster root CA is needed.
        ScrapeTarget("loki", (_endpoint(spec, roles.loki, p.LOKI_PORT),), scheme="https",
                     tls=TlsClient(ca.ca_file, server_name=f"loki.{spec.domains.services}")),
        ScrapeTarget("grafana", (_endpoint(spec, roles.grafana, p.GRAFANA_PORT),), scheme="https",
                     tls=TlsClient(ca.ca_file, server_name=f"grafana.{spec.domains.services}")),
        ScrapeTarget("vector", tuple(_endpoint(spec, n, p.VECTOR_METRICS_PORT) for n in every)),
    )


def http_routes(spec: ClusterSpec) -> tuple[HttpRoute, ...]:
    """The hostnames HAProxy serves today for Grafana, Prometheus and Loki (k8s/haproxy/inputs.py), plus
    Alertmanager's UI."""
    roles, svc = spec.roles, spec.domains.services

    def route(name: str, node: str, port: int, check: str, *, tls: bool, default: bool = False) -> HttpRoute:
        return HttpRoute(name, f"{name}.{svc}", (Backend(node, str(spec.node(node).ip), port),), tls=tls,
                         check_path=check, default=default)

    return (
        # Grafana answers any Host no route names, as it always has on the live load balancer.
        route("grafana", roles.grafana, p.GRAFANA_PORT, "/api/health", tls=True, default=True),
        route("prometheus", roles.prometheus, p.PROMETHEUS_PORT, "/-/healthy", tls=False),
        route("loki", roles.loki, p.LOKI_PORT, "/ready", tls=True),
        route("alertmanager", roles.prometheus, p.ALERTMANAGER_PORT, "/-/healthy", tls=False),
    )


def _restart_if_running(unit: str) -> str:
    """A renewal restarts the daemon to load its new files; the first issue comes before the daemon is installed."""
    return f"if systemctl is-active --quiet {unit}; then systemctl restart {unit}; fi"


def _service_cert(spec: ClusterSpec, name: str, node: str, directory: str, owner: str, reload: str
                  ) -> CertificateRequest:
    ip = spec.node(node).ip
    fqdn = f"{name}.{spec.domains.services}"
    return CertificateRequest(
        id=name, node=node, common_name=fqdn,
        dns_names=(fqdn, name, "localhost", node, spec.domains.node_fqdn(node)),
        ip_addresses=(ip, IPv4Address("127.0.0.1")),
        cert_path=f"{directory}/tls.crt", key_path=f"{directory}/tls.key", owner=owner, group=owner,
        reload=reload,
    )


def certificates(spec: ClusterSpec) -> tuple[CertificateRequest, ...]:
    roles = spec.roles
    prom = spec.node(roles.prometheus)
    requests = [
        # The unit is grafana-server, not grafana (G27).
        _service_cert(spec, "grafana", roles.grafana, p.GRAFANA_TLS_DIR, "grafana",
                      _restart_if_running("grafana-server.service")),
        _service_cert(spec, "loki", roles.loki, p.LOKI_TLS_DIR, "loki", _restart_if_running("loki.service")),
        # Prometheus' client certificate (for Nomad's mTLS). Prometheus re-reads it per connection, so a renewal
        # needs no reload; the PKI layer's renewal timer keeps it fresh (G22).
        CertificateRequest(
            id="prometheus-client", node=prom.name, common_name=f"prometheus.client.{spec.domains.services}",
            dns_names=(f"prometheus.client.{spec.domains.services}", "prometheus", prom.name),
            ip_addresses=(prom.ip,), cert_path=p.PROMETHEUS_CLIENT_CERT, key_path=p.PROMETHEUS_CLIENT_KEY,
            owner="prometheus", group="prometheus",
        ),
    ]
    for node in sorted(spec.nodes, key=lambda n: n.name):
        requests.append(
            CertificateRequest(
                id="vector", node=node.name, common_name=f"vector.{spec.domains.services}",
                dns_names=(f"vector.{spec.domains.services}", node.name, spec.domains.node_fqdn(node.name)),
                ip_addresses=(node.ip,), cert_path=f"{p.VECTOR_TLS_DIR}/tls.crt",
                key_path=f"{p.VECTOR_TLS_DIR}/tls.key", owner="vector", group="vector",
                reload=_restart_if_running("vector.service"),
            )
        )
    return tuple(requests)


def listen_ports(spec: ClusterSpec) -> tuple[ListenPort, ...]:
    roles = spec.roles
    ports = [
        ListenPort(roles.prometheus, p.PROMETHEUS_PORT, "tcp", "prometheus"),
        ListenPort(roles.prometheus, p.ALERTMANAGER_PORT, "tcp", "alertmanager"),
        ListenPort(roles.prometheus, p.BLACKBOX_PORT, "tcp", "blackbox-exporter"),
        ListenPort(roles.grafana, p.GRAFANA_PORT, "tcp", "grafana"),
        ListenPort(roles.loki, p.LOKI_PORT, "tcp", "loki"),
        ListenPort(roles.loki, p.LOKI_GRPC_PORT, "tcp", "loki-grpc"),
    ]
    for node in sorted(n.name for n in spec.nodes):
        ports += [
            ListenPort(node, p.NODE_EXPORTER_PORT, "tcp", "node-exporter"),
            ListenPort(node, p.VECTOR_METRICS_PORT, "tcp", "vector-metrics"),
            ListenPort(node, p.VECTOR_API_PORT, "tcp", "vector-api", bind="loopback"),
        ]
    return tuple(ports)


def contributions(spec: ClusterSpec) -> Contributions:
    if not spec.observability.enabled:
        return Contributions()
    return Contributions(
        http_routes=http_routes(spec),
        scrape_targets=scrape_targets(spec),
        alert_rules=own_rule_groups(spec),
        certificates=certificates(spec),
        listen_ports=listen_ports(spec),
    )

"""What the edge layer asks of others: its own ports and metrics, plus (for now) the routes of services whose
layers are not built yet (edge/existing_services.py)."""

from components.contributions import CertificateRequest, Contributions, ListenPort, ScrapeTarget
from config.spec import ClusterSpec
from edge.config import PROMETHEUS_PORT, STATS_PORT
from edge.existing_services import existing_services, node_homepages
from edge.inputs import TLS_BUNDLE


def tls_bundle(spec: ClusterSpec) -> CertificateRequest:
    """The HTTPS router's certificate: every service name, app and node homepage, in HAProxy's crt format (the
    bundle). The PKI layer issues and renews it; a renewal reloads HAProxy without dropping connections."""
    d, lb = spec.domains, spec.node(spec.roles.haproxy)
    return CertificateRequest(
        id="haproxy", node=lb.name, common_name=f"*.{d.services}",
        dns_names=(f"*.{d.services}", f"*.{d.k8s_services}", f"*.{d.nodes}", lb.name, d.node_fqdn(lb.name)),
        ip_addresses=(lb.ip,), cert_path="/etc/haproxy/tls/tls.crt", key_path="/etc/haproxy/tls/tls.key",
        bundle_path=TLS_BUNDLE, reload="if systemctl is-active --quiet haproxy; then systemctl reload haproxy; fi",
    )


def contributions(spec: ClusterSpec) -> Contributions:
    lb = spec.node(spec.roles.haproxy)
    own = Contributions(
        scrape_targets=(ScrapeTarget("haproxy", ((lb.name, f"{lb.ip}:{PROMETHEUS_PORT}"),)),),
        listen_ports=tuple(
            ListenPort(lb.name, port, "tcp", service, "any")
            for port, service in ((80, "haproxy-http"), (443, "haproxy-https"), (STATS_PORT, "haproxy-stats"),
                                  (PROMETHEUS_PORT, "haproxy-metrics"))
        ),
    )
    certificates = Contributions(certificates=(tls_bundle(spec),)) if spec.pki.enabled else Contributions()
    return own + certificates + existing_services(spec) + node_homepages(spec)

"""What the PKI layer asks of the concerns other layers own, and the certificates it needs itself."""

from components.contributions import CertificateRequest, Contributions, ListenPort
from config.spec import ClusterSpec
from pki.authelia.component import http_route, tls_request

CANARY_ID = "cert-canary"
CANARY_DIR = "/opt/cert-canary/certs"
CANARY_RELOADS = "/opt/cert-canary/reloads.log"  # one line per reload: proof the hook runs once per renewal


def canary_node(spec: ClusterSpec) -> str:
    return spec.pki.canary.node or spec.roles.haproxy


def canary_request(spec: ClusterSpec) -> CertificateRequest:
    """A short-lived certificate whose only job is to be renewed: if its timer stops working, it lapses first. It
    carries a bundle (HAProxy's crt format, like the edge's) and a reload hook that logs, so both are exercised."""
    node = spec.node(canary_node(spec))
    name = f"cert-canary.{spec.domains.base}"
    return CertificateRequest(
        id=CANARY_ID,
        node=node.name,
        common_name=name,
        dns_names=(name, "localhost", node.name),
        ip_addresses=(node.ip,),
        cert_path=f"{CANARY_DIR}/tls.crt",
        key_path=f"{CANARY_DIR}/tls.key",
        bundle_path=f"{CANARY_DIR}/bundle.pem",
        reload=f"date -u +%FT%TZ >>{CANARY_RELOADS}",
        duration=spec.pki.canary.duration,
        renew_at=spec.pki.canary.renew_at,
    )


def contributions(spec: ClusterSpec) -> Contributions:
    if not spec.pki.enabled:
        return Contributions()
    ca, authelia = spec.roles.step_ca, spec.pki.authelia
    # The renewal timers' alerts are the observability layer's (CertificateRenewalTimerInactive and friends).
    own = Contributions(
        certificates=(canary_request(spec),),
        listen_ports=(ListenPort(ca, spec.pki.port, "tcp", "step-ca"),),
    )
    if not authelia.enabled:
        return own
    node = spec.roles.authelia
    return own + Contributions(
        certificates=(tls_request(spec),),
        http_routes=(http_route(spec),),
        listen_ports=(ListenPort(node, authelia.port, "tcp", "authelia"),
                      ListenPort(node, authelia.metrics_port, "tcp", "authelia-metrics")),
    )

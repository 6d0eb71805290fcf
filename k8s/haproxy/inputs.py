"""What HAProxy balances, derived from the inventory, roles, domains and pinned MetalLB addresses.

Service ports are facts of the services themselves (Grafana 3000, Loki 3100, ...), so they live here rather than
in config. The reference's Data Plane API backend is dropped: v3 serves /v3 only and it fought the templated
config; the dynamic Consul backends it fed were never routed to.
"""

from config.spec import ClusterSpec
from k8s.haproxy.config import HaproxyInputs, HttpBackend, Server
from k8s.names import metallb_host

TLS_BUNDLE = "/etc/ssl/private/goldentooth.pem"
HOMEPAGE_PORT = 8090


def _servers(spec: ClusterSpec, names: tuple[str, ...], port: int) -> tuple[Server, ...]:
    return tuple(Server(n.name, str(n.ip), port) for n in spec.nodes_named(names))


def haproxy_inputs(spec: ClusterSpec) -> HaproxyInputs:
    roles, domains, k8s = spec.roles, spec.domains, spec.kubernetes
    svc, k8s_svc = domains.services, domains.k8s_services

    def one(name: str, node: str, port: int, check_path: str, *, tls: bool) -> HttpBackend:
        return HttpBackend(name, f"{name}.{svc}", _servers(spec, (node,), port), tls=tls, check_path=check_path)

    backends = [
        one("grafana", roles.grafana, 3000, "/api/health", tls=True),
        one("prometheus", roles.prometheus, 9090, "/-/healthy", tls=False),
        one("loki", roles.loki, 3100, "/ready", tls=True),
        HttpBackend("auth", f"auth.{svc}", _servers(spec, (roles.authelia,), 9091), tls=True, check_path="/api/health"),
        # These demand client certificates, so only the TCP connect is checked.
        HttpBackend("vault", f"vault.{svc}", _servers(spec, roles.vault.servers, 8200), tls=True, check_path=None),
        HttpBackend("nomad", f"nomad.{svc}", _servers(spec, roles.nomad.servers, 4646), tls=True, check_path=None),
        HttpBackend("consul", f"consul.{svc}", _servers(spec, roles.consul.servers, 8501), tls=True, check_path=None),
        HttpBackend(
            "k8s-argocd",
            f"argocd.{k8s_svc}",
            (Server("argocd-metallb", str(k8s.argocd_load_balancer_ip), 80),),
            check_path="/healthz",
            check_host=f"argocd.{k8s_svc}",
        ),
        HttpBackend(
            "k8s-p5js-sketches",
            f"p5js-sketches.{k8s_svc}",
            (Server("p5js-metallb", str(k8s.p5js_load_balancer_ip), 80),),
            check_host=metallb_host(domains, "p5js-sketches"),
            # The app's nginx redirects any other Host back to itself (a loop through this proxy).
            rewrite_host=metallb_host(domains, "p5js-sketches"),
        ),
    ]
    for app in k8s.apps:
        if app.load_balancer_ip is not None:
            backends.append(
                HttpBackend(
                    f"k8s-{app.name}",
                    f"{app.name}.{k8s_svc}",
                    (Server(f"{app.name}-metallb", str(app.load_balancer_ip), 80),),
                    check_path=app.health_path,
                    check_host=f"{app.name}.{k8s_svc}",
                )
            )
    for node in spec.nodes:
        backends.append(
            HttpBackend(f"{node.name}-homepage", domains.node_fqdn(node.name), _servers(spec, (node.name,), HOMEPAGE_PORT))
        )
    lb = spec.node(roles.haproxy)
    return HaproxyInputs(
        bind_address=str(lb.ip),
        api_port=k8s.api_port,
        api_servers=_servers(spec, roles.kubernetes.control_plane, k8s.api_port),
        stats_user=spec.cluster.operator_user,
        tls_bundle=TLS_BUNDLE,
        backends=tuple(backends),
        default_backend="grafana",
    )

"""Transitional: routes to services the live cluster runs whose layers are not built yet.

The cluster (built by Ansible) already serves Grafana, Prometheus, Loki, Authelia, Vault, Nomad, Consul and a
homepage on every node behind HAProxy. Until their layers exist, the edge keeps routing them from this one
file, so the load balancer's config does not change. **Each entry moves into its layer's `contributions.py`
when that layer lands** (observability: grafana, prometheus, loki; pki/auth: auth; hashicorp: vault, nomad,
consul; nodes: the homepages), and this file shrinks to nothing.

Ports are facts of the services themselves (Grafana 3000, Loki 3100, ...), not config.
"""

from components.contributions import Backend, Contributions, HttpRoute
from config.spec import ClusterSpec
from nodes.os.homepage import HOMEPAGE_PORT  # the node layer serves the homepages

__all__ = ["HOMEPAGE_PORT", "existing_services", "node_homepages"]


def _servers(spec: ClusterSpec, names: tuple[str, ...], port: int) -> tuple[Backend, ...]:
    return tuple(Backend(n.name, str(n.ip), port) for n in spec.nodes_named(names))


def existing_services(spec: ClusterSpec) -> Contributions:
    roles, svc = spec.roles, spec.domains.services

    def one(name: str, node: str, port: int, check_path: str, *, tls: bool, default: bool = False) -> HttpRoute:
        return HttpRoute(name, f"{name}.{svc}", _servers(spec, (node,), port), tls=tls, check_path=check_path,
                         default=default)

    routes: list[HttpRoute] = []
    # A layer that is on contributes its own routes (observability/, pki/, hashicorp/ contributions.py); while one
    # is off, the service the live cluster runs keeps its route from here.
    if not spec.observability.enabled:
        routes += [
            one("grafana", roles.grafana, 3000, "/api/health", tls=True, default=True),
            one("prometheus", roles.prometheus, 9090, "/-/healthy", tls=False),
            one("loki", roles.loki, 3100, "/ready", tls=True),
        ]
    if not (spec.pki.enabled and spec.pki.authelia.enabled):
        routes.append(HttpRoute("auth", f"auth.{svc}", _servers(spec, (roles.authelia,), 9091), tls=True,
                                check_path="/api/health"))
    if not spec.hashicorp.enabled:
        # These demand client certificates, so only the TCP connect is checked.
        routes += [
            HttpRoute("vault", f"vault.{svc}", _servers(spec, roles.vault.servers, 8200), tls=True, check_path=None),
            HttpRoute("nomad", f"nomad.{svc}", _servers(spec, roles.nomad.servers, 4646), tls=True, check_path=None),
            HttpRoute("consul", f"consul.{svc}", _servers(spec, roles.consul.servers, 8501), tls=True,
                      check_path=None),
        ]
    return Contributions(http_routes=tuple(routes))


def node_homepages(spec: ClusterSpec) -> Contributions:
    return Contributions(
        http_routes=tuple(
            HttpRoute(f"{n.name}-homepage", spec.domains.node_fqdn(n.name), _servers(spec, (n.name,), HOMEPAGE_PORT))
            for n in spec.nodes
        )
    )

"""What HAProxy balances: the routes every layer contributed, plus the load-balancer node's own settings."""

from components.contributions import Contributions, HttpRoute
from config.spec import ClusterSpec
from edge.config import HaproxyInputs

TLS_BUNDLE = "/etc/ssl/private/goldentooth.pem"


def haproxy_inputs(spec: ClusterSpec, contributions: Contributions) -> HaproxyInputs:
    """Routes in the order they were contributed (layer by layer); two routes may not share a name, a port or a
    hostname, and at most one may be the default."""
    _unique("TCP route name", [r.name for r in contributions.tcp_routes])
    _unique("TCP route port", [str(r.port) for r in contributions.tcp_routes])
    _unique("HTTP route name", [r.name for r in contributions.http_routes])
    _unique("HTTP route hostname", [r.hostname for r in contributions.http_routes])
    _unique("TCP/HTTP frontend name", [*(r.name for r in contributions.tcp_routes), *_FRONTENDS])
    defaults = [r.name for r in contributions.http_routes if r.default]
    if len(defaults) > 1:
        raise ValueError(f"more than one HTTP route is the default: {', '.join(defaults)}")
    return HaproxyInputs(
        bind_address=str(spec.node(spec.roles.haproxy).ip),
        stats_user=spec.cluster.operator_user,
        tls_bundle=TLS_BUNDLE,
        tcp_routes=contributions.tcp_routes,
        http_routes=_checked(contributions.http_routes),
    )


# Sections core.cfg and services.cfg define themselves: a TCP route may not take their names.
_FRONTENDS = ("stats", "prometheus", "services-http", "services-https")


def _checked(routes: tuple[HttpRoute, ...]) -> tuple[HttpRoute, ...]:
    for route in routes:
        if not route.servers:
            raise ValueError(f"HTTP route {route.name} has no servers")
    return routes


def _unique(what: str, values: list[str]) -> None:
    dupes = sorted({v for v in values if values.count(v) > 1})
    if dupes:
        raise ValueError(f"{what} contributed twice: {', '.join(dupes)}")

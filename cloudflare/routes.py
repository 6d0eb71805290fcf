"""`PublicRoute`: one hostname published through the tunnel. The Kubernetes layer maps each `App` with
`public: true` to one; config adds routes for what is not (yet) an app."""

from collections.abc import Iterable
from dataclasses import dataclass

from config.cloudflare import CloudflareSpec, in_zone


@dataclass(frozen=True, order=True)
class PublicRoute:
    hostname: str  # inside the Cloudflare zone
    service_url: str  # what cloudflared forwards to, e.g. http://httpbin.apps.svc.cluster.local:8080


def routes_from_config(spec: CloudflareSpec) -> tuple[PublicRoute, ...]:
    return tuple(PublicRoute(r.hostname, r.service) for r in spec.routes)


def merge_routes(zone: str, *groups: Iterable[PublicRoute]) -> tuple[PublicRoute, ...]:
    """Every route once, sorted by hostname (ingress order must not depend on who asked first)."""
    by_host: dict[str, PublicRoute] = {}
    for route in (r for group in groups for r in group):
        if not in_zone(route.hostname, zone):
            raise ValueError(f"public route {route.hostname} is outside the Cloudflare zone {zone}")
        known = by_host.get(route.hostname)
        if known is not None and known != route:
            raise ValueError(f"{route.hostname} is routed to both {known.service_url} and {route.service_url}")
        by_host[route.hostname] = route
    return tuple(sorted(by_host.values()))

"""The tunnel's ingress rules: one per public route, then the catch-all that must come last."""

from collections.abc import Sequence
from typing import Any

from cloudflare.routes import PublicRoute

CATCH_ALL = "http_status:404"  # a hostname no rule names gets a 404 from the edge, never a random service


def ingress_rules(routes: Sequence[PublicRoute]) -> list[dict[str, Any]]:
    """cloudflared matches rules top-down; exact names sort before wildcards so a wildcard never shadows one."""
    ordered = sorted(routes, key=lambda r: (r.hostname.startswith("*."), r.hostname))
    return [*({"hostname": r.hostname, "service": r.service_url} for r in ordered), {"service": CATCH_ALL}]

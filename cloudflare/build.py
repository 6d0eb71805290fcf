"""Build the Cloudflare layer if it is enabled, importing the Cloudflare SDK only then.

`import pulumi_cloudflare` runs its whole generated package (~780 modules, over a second of CPU here). The
import is deferred to the one place that needs it, so a stack without the layer never pays for it, and when
it is on `cloudflare/sdk.py` loads only the modules the tunnel uses (about half the cost)."""

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pulumi

from cloudflare.routes import PublicRoute, merge_routes, routes_from_config
from config.cloudflare import CloudflareSpec

if TYPE_CHECKING:
    from cloudflare.tunnel import CloudflareTunnel


@dataclass(frozen=True)
class CloudflareArgs:
    spec: CloudflareSpec
    api_token: pulumi.Output[str]
    app_routes: tuple[PublicRoute, ...] = ()  # from the Kubernetes layer's public apps


def build_cloudflare(args: CloudflareArgs, opts: pulumi.ResourceOptions) -> "CloudflareTunnel | None":
    spec = args.spec
    if not spec.enabled:
        return None
    # Enabled implies these are set (CloudflareSpec's validator); narrow them for the type checker.
    assert spec.account_id is not None and spec.zone is not None and spec.zone_id is not None
    from cloudflare.tunnel import CloudflareTunnel, TunnelArgs  # deferred on purpose (see module doc)

    routes = merge_routes(spec.zone, routes_from_config(spec), args.app_routes)
    return CloudflareTunnel(
        spec.tunnel_name, TunnelArgs(spec.account_id, spec.zone_id, spec.tunnel_name, routes, args.api_token), opts
    )

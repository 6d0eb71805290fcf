"""`CloudflareTunnel`: a remotely managed tunnel, its ingress rules and a proxied CNAME per public hostname.

Chain: random secret -> tunnel -> (ingress config, DNS records, token). The secret and the token are
Pulumi secrets end to end; `token` is what a cloudflared Deployment runs with (`TUNNEL_TOKEN`, from a
Kubernetes Secret). Importing this module loads the Cloudflare SDK (`sdk.py`): only `build.py` does, and
only when the layer is enabled."""

import json
from dataclasses import dataclass

import pulumi
import pulumi_random as random

from cloudflare import sdk as cf
from cloudflare.ingress import ingress_rules
from cloudflare.routes import PublicRoute
from components import artifacts


@dataclass(frozen=True)
class TunnelArgs:
    account_id: str
    zone_id: str
    tunnel_name: str
    routes: tuple[PublicRoute, ...]
    api_token: pulumi.Output[str]


class CloudflareTunnel(pulumi.ComponentResource):
    token: pulumi.Output[str]  # secret
    tunnel_id: pulumi.Output[str]

    def __init__(self, name: str, args: TunnelArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("goldentooth:cloudflare:Tunnel", name, None, opts)
        provider = cf.Provider("cloudflare", api_token=args.api_token, opts=pulumi.ResourceOptions(parent=self))
        on_cloudflare = pulumi.ResourceOptions(parent=self, provider=provider)
        # cloudflared wants at least 32 random bytes, base64-encoded.
        secret = random.RandomBytes(f"{name}-secret", length=32, opts=pulumi.ResourceOptions(parent=self))
        tunnel_secret: pulumi.Output[str] = pulumi.Output.secret(secret.base64)
        tunnel = cf.ZeroTrustTunnelCloudflared(
            name,
            account_id=args.account_id,
            name=args.tunnel_name,
            config_src="cloudflare",  # ingress lives in the config resource below, not in a file on the pods
            tunnel_secret=tunnel_secret,
            opts=on_cloudflare,
        )
        self.tunnel_id = tunnel.id
        rules = ingress_rules(args.routes)
        artifacts.record(artifacts.CLUSTER, f"cloudflare/{name}-ingress.json", json.dumps(rules, indent=2) + "\n")
        self.config = cf.ZeroTrustTunnelCloudflaredConfig(
            name,
            account_id=args.account_id,
            tunnel_id=tunnel.id,
            config=cf.ZeroTrustTunnelCloudflaredConfigConfigArgs(
                ingresses=[cf.ZeroTrustTunnelCloudflaredConfigConfigIngressArgs(**rule) for rule in rules]
            ),
            opts=on_cloudflare,
        )
        # Proxied: Cloudflare routes a tunnel hostname only through a proxied record in its own zone.
        self.records = {
            route.hostname: cf.DnsRecord(
                route.hostname,
                zone_id=args.zone_id,
                name=route.hostname,
                type="CNAME",
                content=tunnel.id.apply(lambda tunnel_id: f"{tunnel_id}.cfargotunnel.com"),
                proxied=True,
                ttl=1,  # "automatic", the only TTL a proxied record takes
                comment="goldentooth tunnel route",
                opts=on_cloudflare,
            )
            for route in args.routes
        }
        token = cf.get_zero_trust_tunnel_cloudflared_token_output(
            account_id=args.account_id,
            tunnel_id=tunnel.id,
            opts=pulumi.InvokeOutputOptions(parent=self, provider=provider),
        )
        self.token = pulumi.Output.secret(token.token)
        self.register_outputs({"tunnelId": self.tunnel_id, "hostnames": sorted(self.records)})

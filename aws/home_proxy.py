"""`HomeProxy`: the `home-proxy` CloudFront distribution in front of the home origin, with its alias records.

Nothing is cached and every viewer header (Host included) reaches the origin, which routes on it. The origin
is reached over HTTPS only: forwarded Authorization headers must not cross the internet in clear."""

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from aws import cloudfront_settings as cf
from aws.alias_records import alias_records
from aws.providers import AwsProviders

METHODS = ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"]


@dataclass(frozen=True)
class HomeProxyArgs:
    aliases: tuple[str, ...]  # home-proxy.<zone> and *.home-proxy.<zone>
    origin: str
    origin_https_port: int
    certificate_arn: pulumi.Input[str]
    countries: tuple[str, ...]
    zone_id: pulumi.Input[str]
    providers: AwsProviders


class HomeProxy(pulumi.ComponentResource):
    def __init__(self, name: str, args: HomeProxyArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("goldentooth:aws:HomeProxy", name, None, opts)
        self.distribution = aws.cloudfront.Distribution(
            name,
            comment="Proxy for home services.",
            enabled=True,
            is_ipv6_enabled=True,
            http_version="http2and3",
            price_class=cf.PRICE_CLASS,
            aliases=list(args.aliases),
            origins=[
                aws.cloudfront.DistributionOriginArgs(
                    origin_id=args.origin,
                    domain_name=args.origin,
                    custom_origin_config=aws.cloudfront.DistributionOriginCustomOriginConfigArgs(
                        http_port=80,  # required by the API, unused with https-only
                        https_port=args.origin_https_port,
                        origin_protocol_policy="https-only",
                        origin_ssl_protocols=["TLSv1.2"],
                        origin_keepalive_timeout=5,
                        origin_read_timeout=30,
                    ),
                )
            ],
            default_cache_behavior=aws.cloudfront.DistributionDefaultCacheBehaviorArgs(
                target_origin_id=args.origin,
                viewer_protocol_policy=cf.VIEWER_PROTOCOL,
                allowed_methods=METHODS,
                cached_methods=["GET", "HEAD"],
                cache_policy_id=cf.CACHING_DISABLED,
                origin_request_policy_id=cf.ALL_VIEWER,
                compress=False,  # the origin decides; nothing is cached here
            ),
            restrictions=cf.restrictions(args.countries),
            viewer_certificate=cf.viewer_certificate(args.certificate_arn),
            # Deleting (not just disabling) on destroy frees the aliases for a successor distribution.
            retain_on_delete=False,
            wait_for_deployment=False,
            opts=args.providers.edge_opts(self),
        )
        self.records = alias_records(args.aliases, self.distribution, args.zone_id, args.providers, self)
        self.register_outputs({"domainName": self.distribution.domain_name, "aliases": list(args.aliases)})

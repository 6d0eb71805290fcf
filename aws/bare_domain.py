"""`BareDomain`: the apex name answers with a 301 to the blog, served by CloudFront with a function.

The origin is a private bucket reached only through origin access control: the bucket policy lets exactly
this distribution read it. The function answers first, so the bucket stays empty; it exists because a
distribution needs an origin, and it is private so it can never serve anything by accident."""

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from aws import cloudfront_settings as cf
from aws import policy_documents as docs
from aws.alias_records import alias_records
from aws.bucket_policy import bucket_policy
from aws.private_bucket import PrivateBucket, PrivateBucketArgs
from aws.providers import AwsProviders
from aws.redirect_function import RUNTIME, redirect_code
from components import artifacts

ORIGIN_ID = "bare-domain-origin"


@dataclass(frozen=True)
class BareDomainArgs:
    apex: str
    redirect_to: str  # https://<blog>
    certificate_arn: pulumi.Input[str]
    countries: tuple[str, ...]
    zone_id: pulumi.Input[str]
    providers: AwsProviders


class BareDomain(pulumi.ComponentResource):
    def __init__(self, name: str, args: BareDomainArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("goldentooth:aws:BareDomain", name, None, opts)
        p = args.providers
        self.origin = PrivateBucket(
            f"{name}-origin",
            PrivateBucketArgs(bucket=None, providers=p, versioned=False, stateful=False, policy_by_caller=True),
            pulumi.ResourceOptions(parent=self),
        )
        self.access_control = aws.cloudfront.OriginAccessControl(
            name,
            description="GoldenTooth bare domain: CloudFront signs every origin request",
            origin_access_control_origin_type="s3",
            signing_behavior="always",
            signing_protocol="sigv4",
            opts=p.edge_opts(self),
        )
        code = redirect_code(args.redirect_to)
        artifacts.record(artifacts.CLUSTER, f"aws/cloudfront/{name}-redirect.js", code)
        self.function = aws.cloudfront.Function(
            name,
            runtime=RUNTIME,
            comment=f"Redirect the bare domain to {args.redirect_to}",
            code=code,
            publish=True,  # the association needs the LIVE stage
            opts=p.edge_opts(self),
        )
        self.distribution = aws.cloudfront.Distribution(
            name,
            comment="Bare domain: redirect to the blog.",
            enabled=True,
            is_ipv6_enabled=True,
            price_class=cf.PRICE_CLASS,
            aliases=[args.apex],
            origins=[
                aws.cloudfront.DistributionOriginArgs(
                    origin_id=ORIGIN_ID,
                    domain_name=self.origin.bucket.bucket_regional_domain_name,
                    origin_access_control_id=self.access_control.id,
                )
            ],
            default_cache_behavior=aws.cloudfront.DistributionDefaultCacheBehaviorArgs(
                target_origin_id=ORIGIN_ID,
                viewer_protocol_policy=cf.VIEWER_PROTOCOL,
                allowed_methods=["GET", "HEAD"],
                cached_methods=["GET", "HEAD"],
                cache_policy_id=cf.CACHING_DISABLED,
                function_associations=[
                    aws.cloudfront.DistributionDefaultCacheBehaviorFunctionAssociationArgs(
                        event_type="viewer-request", function_arn=self.function.arn
                    )
                ],
            ),
            restrictions=cf.restrictions(args.countries),
            viewer_certificate=cf.viewer_certificate(args.certificate_arn),
            retain_on_delete=False,
            wait_for_deployment=False,
            opts=p.edge_opts(self),
        )
        read = pulumi.Output.all(self.origin.bucket.arn, self.distribution.arn).apply(
            lambda arns: docs.cloudfront_read(arns[0], arns[1])
        )
        self.bucket_policy = bucket_policy(
            f"{name}-origin", self.origin.bucket, [read], [self.origin.public_access_block], p, self
        )
        self.records = alias_records((args.apex,), self.distribution, args.zone_id, p, self)
        self.register_outputs({"domainName": self.distribution.domain_name, "redirectTo": args.redirect_to})

"""What both CloudFront distributions share: AWS-managed policy ids, the viewer TLS floor, the geo allow-list."""

import pulumi
import pulumi_aws as aws

# AWS-managed policies are global constants (CloudFront developer guide, "managed cache/origin request policies").
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"  # Managed-CachingDisabled
ALL_VIEWER = "216adef6-5c7f-47e4-b989-5492eafa07d3"  # Managed-AllViewer: every header (Host too), cookie, query

VIEWER_PROTOCOL = "redirect-to-https"  # never serve plain HTTP (basic-auth credentials would travel in clear)
MINIMUM_TLS = "TLSv1.2_2021"
SSL_SUPPORT = "sni-only"  # a dedicated-IP certificate costs $600 a month and no client here needs it
PRICE_CLASS = "PriceClass_100"  # North America and Europe, where the viewers are


def viewer_certificate(certificate_arn: pulumi.Input[str]) -> aws.cloudfront.DistributionViewerCertificateArgs:
    return aws.cloudfront.DistributionViewerCertificateArgs(
        acm_certificate_arn=certificate_arn,
        minimum_protocol_version=MINIMUM_TLS,
        ssl_support_method=SSL_SUPPORT,
    )


def restrictions(countries: tuple[str, ...]) -> aws.cloudfront.DistributionRestrictionsArgs:
    geo = (
        aws.cloudfront.DistributionRestrictionsGeoRestrictionArgs(restriction_type="whitelist", locations=sorted(countries))
        if countries
        else aws.cloudfront.DistributionRestrictionsGeoRestrictionArgs(restriction_type="none", locations=[])
    )
    return aws.cloudfront.DistributionRestrictionsArgs(geo_restriction=geo)

"""The two AWS providers every AWS resource names explicitly; the ambient default provider is never used."""

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

# CloudFront only accepts ACM certificates from us-east-1, and Route53 publishes health-check metrics
# only there, so the edge lives in us-east-1 whatever the home region is.
EDGE_REGION = "us-east-1"


@dataclass(frozen=True)
class AwsProviders:
    regional: aws.Provider  # the configured region: KMS, S3, IAM
    edge: aws.Provider  # us-east-1: ACM for CloudFront, CloudFront, Route53, health-check alarms and their topic

    def regional_opts(self, parent: pulumi.Resource, extra: pulumi.ResourceOptions | None = None) -> pulumi.ResourceOptions:
        return _opts(parent, self.regional, extra)

    def edge_opts(self, parent: pulumi.Resource, extra: pulumi.ResourceOptions | None = None) -> pulumi.ResourceOptions:
        return _opts(parent, self.edge, extra)


def _opts(parent: pulumi.Resource, provider: aws.Provider, extra: pulumi.ResourceOptions | None) -> pulumi.ResourceOptions:
    base = pulumi.ResourceOptions(parent=parent, provider=provider)
    return base if extra is None else pulumi.ResourceOptions.merge(base, extra)

def make_providers(region: str, cluster: str, parent: pulumi.Resource) -> AwsProviders:
    tags = aws.ProviderDefaultTagsArgs(tags={"Project": cluster, "ManagedBy": "pulumi"})
    child = pulumi.ResourceOptions(parent=parent)
    return AwsProviders(
        regional=aws.Provider(f"aws-{region}", region=region, default_tags=tags, opts=child),
        edge=aws.Provider(f"aws-edge-{EDGE_REGION}", region=EDGE_REGION, default_tags=tags, opts=child),
    )

"""The two AWS providers every AWS resource names explicitly; the ambient default provider is never used.

Neither provider's name depends on `aws.region`: a provider's name is in the URN of every resource it manages,
so a region in the name would make a region change a change of every resource's provider. The engine diffs a
changed provider reference with the new provider's `DiffConfig` (pulumi `step_generator.go`, `providerChanged`),
so the IAM users, which moved from the regional provider to the global one, continue in place where both were
us-east-1 (same config: no replacement).
"""

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

# CloudFront only accepts ACM certificates from us-east-1, Route53 publishes health-check metrics only there,
# and IAM is a global service (its one endpoint signs in us-east-1), so all of them live in us-east-1 whatever
# the home region is.
GLOBAL_REGION = "us-east-1"
EDGE_REGION = GLOBAL_REGION
REGIONAL_PROVIDER = "aws-regional"
GLOBAL_PROVIDER = f"aws-edge-{GLOBAL_REGION}"  # the name it has always had: a constant, so it never moves


@dataclass(frozen=True)
class AwsProviders:
    regional: aws.Provider  # the configured region: KMS and S3 (state that lives in one region)
    edge: aws.Provider  # us-east-1: IAM, ACM for CloudFront, CloudFront, Route53, health-check alarms and topic

    def regional_opts(self, parent: pulumi.Resource, extra: pulumi.ResourceOptions | None = None) -> pulumi.ResourceOptions:
        return _opts(parent, self.regional, extra)

    def edge_opts(self, parent: pulumi.Resource, extra: pulumi.ResourceOptions | None = None) -> pulumi.ResourceOptions:
        return _opts(parent, self.edge, extra)

    def global_opts(self, parent: pulumi.Resource, extra: pulumi.ResourceOptions | None = None) -> pulumi.ResourceOptions:
        """Global services (IAM): the us-east-1 provider, so a change of `aws.region` leaves identities alone."""
        return _opts(parent, self.edge, extra)


def _opts(parent: pulumi.Resource, provider: aws.Provider, extra: pulumi.ResourceOptions | None) -> pulumi.ResourceOptions:
    base = pulumi.ResourceOptions(parent=parent, provider=provider)
    return base if extra is None else pulumi.ResourceOptions.merge(base, extra)


def make_providers(region: str, cluster: str, parent: pulumi.Resource) -> AwsProviders:
    tags = aws.ProviderDefaultTagsArgs(tags={"Project": cluster, "ManagedBy": "pulumi"})
    child = pulumi.ResourceOptions(parent=parent)
    # Stacks created before the stable name called the regional provider `aws-<region>`: it continues.
    regional_opts = pulumi.ResourceOptions(parent=parent, aliases=[pulumi.Alias(name=f"aws-{region}")])
    return AwsProviders(
        regional=aws.Provider(REGIONAL_PROVIDER, region=region, default_tags=tags, opts=regional_opts),
        edge=aws.Provider(GLOBAL_PROVIDER, region=GLOBAL_REGION, default_tags=tags, opts=child),
    )

"""The one bucket policy of a private bucket: TLS-only, plus whatever grants its owner adds."""

from collections.abc import Sequence

import pulumi
import pulumi_aws as aws

from aws import policy_documents as docs
from aws.providers import AwsProviders
from components import artifacts


def bucket_policy(
    name: str,
    bucket: aws.s3.Bucket,
    grants: Sequence[pulumi.Output[docs.Statement]],
    after: Sequence[pulumi.Resource],
    providers: AwsProviders,
    parent: pulumi.Resource,
) -> aws.s3.BucketPolicy:
    """`after`: the public access block, so the policy is checked against it (a grant that would make the
    bucket public is refused instead of applied)."""
    statements = pulumi.Output.all(bucket.arn, *grants).apply(
        lambda values: docs.document([docs.deny_insecure_transport(values[0]), *values[1:]])
    )
    artifacts.record(artifacts.CLUSTER, f"aws/s3/{name}.policy.json", statements)
    return aws.s3.BucketPolicy(
        name,
        bucket=bucket.id,
        policy=statements,
        opts=providers.regional_opts(parent, pulumi.ResourceOptions(depends_on=list(after))),
    )

"""An IAM user with exactly one inline policy and an access key created after it, so the key never exists
without (or with more than) the permissions the policy document states. Used by every machine identity."""

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from aws.providers import AwsProviders
from components import artifacts


@dataclass(frozen=True)
class ScopedUser:
    user: aws.iam.User
    policy: aws.iam.UserPolicy
    access_key: aws.iam.AccessKey  # `secret` is an additional secret output


def scoped_user(
    name: str,
    *,
    iam_user: str,
    policy_name: str,
    document: pulumi.Output[str],
    providers: AwsProviders,
    parent: pulumi.Resource,
) -> ScopedUser:
    artifacts.record(artifacts.CLUSTER, f"aws/iam/{iam_user}.policy.json", document)
    user = aws.iam.User(name, name=iam_user, path="/goldentooth/", opts=providers.global_opts(parent))
    policy = aws.iam.UserPolicy(
        name, user=user.name, name=policy_name, policy=document, opts=providers.global_opts(parent)
    )
    access_key = aws.iam.AccessKey(
        name,
        user=user.name,
        opts=providers.global_opts(
            parent, pulumi.ResourceOptions(depends_on=[policy], additional_secret_outputs=["secret"])
        ),
    )
    return ScopedUser(user, policy, access_key)

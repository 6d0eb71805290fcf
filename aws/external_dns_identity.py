"""`ExternalDnsIdentity`: the IAM user ExternalDNS writes the zone with, and its key as a credentials file.

A static key because IRSA needs a cluster OIDC issuer AWS can reach, which the LAN-only cluster lacks.
The key is created after its policy; the file is a secret handed to the Kubernetes layer."""

from dataclasses import dataclass

import pulumi

from aws import policy_documents as docs
from aws.providers import AwsProviders
from aws.scoped_user import scoped_user


def credentials_file(access_key_id: str, secret_access_key: str) -> str:
    return f"[default]\naws_access_key_id = {access_key_id}\naws_secret_access_key = {secret_access_key}\n"


@dataclass(frozen=True)
class ExternalDnsIdentityArgs:
    iam_user: str
    zone_id: pulumi.Input[str]
    providers: AwsProviders


class ExternalDnsIdentity(pulumi.ComponentResource):
    credentials_file: pulumi.Output[str]  # secret: an AWS shared-credentials file

    def __init__(self, name: str, args: ExternalDnsIdentityArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("goldentooth:aws:ExternalDnsIdentity", name, None, opts)
        p = args.providers
        document = pulumi.Output.from_input(args.zone_id).apply(docs.external_dns)
        identity = scoped_user(
            name, iam_user=args.iam_user, policy_name="external-dns-route53", document=document, providers=p, parent=self
        )
        self.user, self.policy, self.access_key = identity.user, identity.policy, identity.access_key
        self.credentials_file = pulumi.Output.secret(
            pulumi.Output.all(self.access_key.id, self.access_key.secret).apply(lambda v: credentials_file(v[0], v[1]))
        )
        self.register_outputs({"user": self.user.name})

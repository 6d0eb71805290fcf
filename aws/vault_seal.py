"""`VaultSeal`: the KMS key Vault auto-unseals with, and the one IAM identity allowed to use it.

Chain: key -> alias, key -> user policy (Encrypt/Decrypt/DescribeKey on this key's ARN, nothing else) ->
access key (created after the policy, so the key never exists without its permissions) -> `VaultSealCredentials`.
The key is protected and retained: deleting it would leave Vault's barrier unreadable forever."""

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from aws import policy_documents as docs
from aws.providers import AwsProviders
from aws.scoped_user import scoped_user


@dataclass(frozen=True)
class VaultSealCredentials:
    """What the Vault layer needs for `seal "awskms"` and `vault.env`. Deliver the secret on stdin."""

    key_id: pulumi.Output[str]
    alias: str  # alias/goldentooth/vault-seal
    region: str
    access_key_id: pulumi.Output[str]
    secret_access_key: pulumi.Output[str]  # secret

    def export(self) -> dict[str, pulumi.Output[str] | str]:
        return {
            "keyId": self.key_id,
            "alias": self.alias,
            "region": self.region,
            "accessKeyId": pulumi.Output.secret(self.access_key_id),
            "secretAccessKey": pulumi.Output.secret(self.secret_access_key),
        }


@dataclass(frozen=True)
class VaultSealArgs:
    alias: str  # without the alias/ prefix
    iam_user: str
    deletion_window_days: int
    region: str
    providers: AwsProviders


class VaultSeal(pulumi.ComponentResource):
    credentials: VaultSealCredentials

    def __init__(self, name: str, args: VaultSealArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("goldentooth:aws:VaultSeal", name, None, opts)
        p = args.providers
        self.key = aws.kms.Key(
            name,
            description="KMS key for managing the Goldentooth vault seal",
            key_usage="ENCRYPT_DECRYPT",
            customer_master_key_spec="SYMMETRIC_DEFAULT",
            enable_key_rotation=True,
            deletion_window_in_days=args.deletion_window_days,
            opts=p.regional_opts(self, pulumi.ResourceOptions(protect=True, retain_on_delete=True)),
        )
        alias_name = f"alias/{args.alias}"
        self.alias = aws.kms.Alias(name, name=alias_name, target_key_id=self.key.key_id, opts=p.regional_opts(self))
        document = self.key.arn.apply(docs.vault_seal)
        identity = scoped_user(
            name, iam_user=args.iam_user, policy_name="vault-seal-kms", document=document, providers=p, parent=self
        )
        self.user, self.policy, self.access_key = identity.user, identity.policy, identity.access_key
        self.credentials = VaultSealCredentials(
            key_id=self.key.key_id,
            alias=alias_name,
            region=args.region,
            access_key_id=self.access_key.id,
            secret_access_key=pulumi.Output.secret(self.access_key.secret),
        )
        self.register_outputs({"keyArn": self.key.arn, "alias": alias_name, "user": self.user.name})

"""The Vault seal: a rotating, protected KMS key; an IAM user allowed exactly Encrypt/Decrypt/DescribeKey on
that key; its access key made after the policy; and the typed handle the Vault layer consumes."""

from typing import Any

import pytest
from pulumi.runtime.sync_await import _sync_await

from aws.policy_documents import VAULT_SEAL_ACTIONS
from cluster.component import Cluster
from offline.evaluate import Evaluation, depends_directly
from tests.aws_support import policy, region_of

KEY_ARN = "arn:aws:kms:placeholder-region:000000000000:key/placeholder-key-vault-seal"


@pytest.fixture(scope="module")
def built(real_evaluation: Evaluation) -> tuple[Evaluation, Cluster]:
    """The shared evaluation of the real stack and the `Cluster` object it built, so its handles can be read."""
    assert isinstance(real_evaluation.program, Cluster)
    return real_evaluation, real_evaluation.program


def test_the_key_rotates_is_symmetric_and_cannot_be_deleted_by_pulumi(real_evaluation: Evaluation) -> None:
    key = real_evaluation.one("aws:kms/key:Key", "vault-seal")
    assert key.inputs["enableKeyRotation"] is True
    assert key.inputs["keyUsage"] == "ENCRYPT_DECRYPT"
    assert key.inputs["customerMasterKeySpec"] == "SYMMETRIC_DEFAULT"
    assert key.inputs["deletionWindowInDays"] == 30
    assert key.protect and key.retain_on_delete


def test_the_alias_is_goldentooth_vault_seal_on_that_key(real_evaluation: Evaluation) -> None:
    key = real_evaluation.one("aws:kms/key:Key", "vault-seal")
    alias = real_evaluation.one("aws:kms/alias:Alias", "vault-seal")
    assert alias.inputs["name"] == "alias/goldentooth/vault-seal"
    assert alias.property_dependencies["targetKeyId"] == (key.urn,)
    assert region_of(real_evaluation, key) == region_of(real_evaluation, alias) == real_evaluation.spec.aws.region


def test_the_iam_policy_grants_exactly_three_kms_actions_on_the_key_arn_only(real_evaluation: Evaluation) -> None:
    user_policy = real_evaluation.one("aws:iam/userPolicy:UserPolicy", "vault-seal")
    [statement] = policy(user_policy)["Statement"]
    assert statement["Effect"] == "Allow"
    assert statement["Action"] == ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt"] == list(VAULT_SEAL_ACTIONS)
    assert statement["Resource"] == KEY_ARN
    assert "*" not in str(statement["Action"]) + str(statement["Resource"])
    assert set(statement) == {"Sid", "Effect", "Action", "Resource"}  # no NotAction/NotResource tricks


def test_chain_key_then_policy_then_access_key(real_evaluation: Evaluation) -> None:
    key = real_evaluation.one("aws:kms/key:Key", "vault-seal")
    user = real_evaluation.one("aws:iam/user:User", "vault-seal")
    user_policy = real_evaluation.one("aws:iam/userPolicy:UserPolicy", "vault-seal")
    access_key = real_evaluation.one("aws:iam/accessKey:AccessKey", "vault-seal")
    assert user_policy.property_dependencies["policy"] == (key.urn,)
    assert user_policy.property_dependencies["user"] == (user.urn,)
    assert depends_directly(access_key, user_policy)  # the key never exists without its permissions
    assert "secret" in access_key.additional_secret_outputs
    assert user.inputs["name"] == "goldentooth-vault-seal"
    assert sorted(u.inputs["name"] for u in real_evaluation.of_type("aws:iam/user:User")) == [
        "goldentooth-external-dns", "goldentooth-vault-seal",
    ]


def test_the_vault_handle_carries_key_region_and_a_secret_access_key(built: tuple[Evaluation, Cluster]) -> None:
    ev, cluster = built
    seal = cluster.aws.vault_seal
    access_key = ev.one("aws:iam/accessKey:AccessKey", "vault-seal")
    key = ev.one("aws:kms/key:Key", "vault-seal")

    async def read() -> dict[str, Any]:
        return {
            "key_id": await seal.key_id.future(),
            "key_urns": {await r.urn.future() for r in await seal.key_id.resources()},
            "access_key_id": await seal.access_key_id.future(),
            "secret": await seal.secret_access_key.future(),
            "secret_is_secret": await seal.secret_access_key.is_secret(),
            "secret_urns": {await r.urn.future() for r in await seal.secret_access_key.resources()},
        }

    got = _sync_await(read())
    assert got["key_id"] == "placeholder-key-vault-seal" and got["key_urns"] == {key.urn}
    assert got["access_key_id"] == "placeholder-id-vault-seal"
    assert got["secret"] == "[placeholder secret access key of vault-seal]"
    assert got["secret_is_secret"] is True
    assert got["secret_urns"] == {access_key.urn}
    assert seal.alias == "alias/goldentooth/vault-seal"
    assert seal.region == ev.spec.aws.region


def test_the_exported_handle_keeps_both_key_parts_secret(built: tuple[Evaluation, Cluster]) -> None:
    _, cluster = built
    exported = cluster.aws.vault_seal.export()

    async def secrecy() -> dict[str, bool]:
        return {k: await v.is_secret() for k, v in exported.items() if not isinstance(v, str)}

    assert _sync_await(secrecy()) == {"keyId": False, "accessKeyId": True, "secretAccessKey": True}

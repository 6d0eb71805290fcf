"""The protected-identities rule: the live buckets and the Vault seal key keep their names and regions. An edit
that would replace one (aws.region, a bucket's name, the seal alias) is a mandatory violation at preview, with
why and what to do; the real stack under the committed pack config passes."""

from collections.abc import Callable
from typing import Any

from offline.check import Finding, check, read_policy_config
from offline.evaluate import Evaluation
from offline.policy_config import POLICY_CONFIG
from policies.identity_rules import protected_identities
from tests.conftest import Edit

RULE = protected_identities.name


def _findings(ev: Evaluation) -> list[Finding]:
    pinned = {RULE: read_policy_config(POLICY_CONFIG)[RULE]}  # the committed pins, as the CLI passes them
    return check(ev, policy_config=pinned, policies=[protected_identities])


def test_the_real_stack_keeps_every_pinned_identity(real_evaluation: Evaluation) -> None:
    assert _findings(real_evaluation) == []


def test_the_committed_pins_name_the_live_buckets_and_the_seal_key() -> None:
    pins: dict[str, Any] = read_policy_config(POLICY_CONFIG)[RULE]
    assert pins["buckets"] == [
        {"name": "goldentooth-backups", "region": "us-east-1"},
        {"name": "goldentooth-pulumi-state", "region": "us-east-1"},
    ]
    assert pins["kmsAliases"] == [{"name": "alias/goldentooth/vault-seal", "region": "us-east-1"}]


def test_a_region_change_is_stopped_naming_each_bucket_and_the_key(
    evaluate_edited: Callable[[Edit], Evaluation],
) -> None:
    findings = _findings(evaluate_edited(lambda plain: plain["aws"].update(region="eu-west-1")))
    assert all(f.mandatory and f.policy == RULE for f in findings)
    messages = sorted(f.message for f in findings)
    assert len(messages) == 3, messages
    assert any("goldentooth-backups is in us-east-1, but aws.region now puts it in eu-west-1" in m for m in messages)
    assert any("goldentooth-pulumi-state is in us-east-1" in m for m in messages)
    assert any("KMS key alias/goldentooth/vault-seal is in us-east-1" in m and "unseal" in m for m in messages)


def test_a_renamed_bucket_is_stopped_saying_the_old_one_would_be_deleted(
    evaluate_edited: Callable[[Edit], Evaluation],
) -> None:
    def rename(plain: dict[str, Any]) -> None:
        plain["aws"]["buckets"][0]["name"] = "goldentooth-backups-2"

    [finding] = _findings(evaluate_edited(rename))
    assert finding.mandatory
    assert "goldentooth-backups (us-east-1) is no longer in the program" in finding.message
    assert "bucket names are permanent" in finding.message

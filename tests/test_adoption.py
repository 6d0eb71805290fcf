"""Adopting the live cluster: `goldentooth:adoption` covers every live resource of the reference that the program
declares, `goldentooth import-file` writes each with its import id under the URN the program registers, and the
plan once that file is imported creates none of them."""

import copy
import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from offline.adoption import after_import, build_import_plan, imported_urns
from offline.evaluate import Evaluation
from offline.recorder import RecordedResource
from offline.urns import EngineUrns, Entry
from tests.conftest import STACK_FILE, evaluate_shared
from tests.test_cli import goldentooth

ZONE = "Z0736727S7ZH91VKK44A"
# Ids only AWS knows (the reference names none of them), in each type's own format, for the tests' stack.
LOOKED_UP = {
    ("aws:route53/record:Record", "edge-validation-goldentooth.net"): f"{ZONE}__0d1e2f.goldentooth.net_CNAME",
    ("aws:cloudfront/distribution:Distribution", "bare-domain"): "E3BAREDOMAIN7Q",
    ("aws:route53/healthCheck:HealthCheck", "pds"): "0c1d2e3f-1111-4222-8333-944455556666",
    ("aws:route53/healthCheck:HealthCheck", "wiz6"): "7a8b9c0d-1111-4222-8333-944455556666",
    ("aws:sns/topic:Topic", "external-monitoring"): "arn:aws:sns:us-east-1:123456789012:goldentooth-external-monitoring",
    ("aws:sns/topicSubscription:TopicSubscription", "external-monitoring"):
        "arn:aws:sns:us-east-1:123456789012:goldentooth-external-monitoring:5f6e7d8c-0000-4111-8222-933344445555",
    ("aws:kms/key:Key", "vault-seal"): "1234abcd-12ab-34cd-56ef-1234567890ab",
}


def with_looked_up_ids(plain: dict[str, Any]) -> dict[str, Any]:
    edited = copy.deepcopy(plain)
    for entry in edited["adoption"]["resources"]:
        entry.setdefault("id", LOOKED_UP.get((entry["type"], entry["name"])))
        if entry["id"] is None:
            del entry["id"]
    return edited


@pytest.fixture(scope="module")
def adopted_evaluation(real_plain: dict[str, Any]) -> Evaluation:
    return evaluate_shared(with_looked_up_ids(real_plain))


def _inputs(resource: RecordedResource, key: str) -> Any:
    return resource.inputs.get(key)


# The live inventory, as facts of the reference (aws-and-edge.md §1.7, §2.1, §2.3; nodes-and-kubernetes.md §6.1),
# each matched to the program's resource by what it is, not by the program's name for it.
LIVE: dict[str, Callable[[RecordedResource, Evaluation], bool]] = {
    "apex A alias (bare_domain)": lambda r, ev: r.type == "aws:route53/record:Record"
    and (_inputs(r, "name"), _inputs(r, "type")) == ("goldentooth.net", "A"),
    "clog CNAME (github_pages.tf)": lambda r, ev: r.type == "aws:route53/record:Record"
    and (_inputs(r, "name"), _inputs(r, "type")) == ("clog.goldentooth.net", "CNAME"),
    "cp.k8s A (k8s_control_plane.tf)": lambda r, ev: r.type == "aws:route53/record:Record"
    and (_inputs(r, "name"), _inputs(r, "type")) == ("cp.k8s.goldentooth.net", "A"),
    "ACM validation CNAME of goldentooth.net and its wildcard": lambda r, ev: r.type == "aws:route53/record:Record"
    and ev.within(r, "goldentooth:aws:Certificate") and r.name.endswith("-validation-goldentooth.net"),
    "bare-domain distribution (aliases goldentooth.net)": lambda r, ev: r.type == "aws:cloudfront/distribution:Distribution"
    and "goldentooth.net" in (_inputs(r, "aliases") or []),
    "home-proxy distribution E2N5EMTIJ96VDJ (disabled, holds the aliases)": lambda r, ev:
    r.type == "aws:cloudfront/distribution:Distribution" and "home-proxy.goldentooth.net" in (_inputs(r, "aliases") or []),
    "health check of pds": lambda r, ev: r.type == "aws:route53/healthCheck:HealthCheck"
    and _inputs(r, "fqdn") == "pds.goldentooth.net",
    "health check of wiz6": lambda r, ev: r.type == "aws:route53/healthCheck:HealthCheck"
    and _inputs(r, "fqdn") == "wiz6.goldentooth.net",
    "alarm external-pds-unreachable": lambda r, ev: _inputs(r, "name") == "external-pds-unreachable",
    "alarm external-wiz6-unreachable": lambda r, ev: _inputs(r, "name") == "external-wiz6-unreachable",
    "SNS topic goldentooth-external-monitoring": lambda r, ev: r.type == "aws:sns/topic:Topic"
    and _inputs(r, "name") == "goldentooth-external-monitoring",
    "its e-mail subscription": lambda r, ev: r.type == "aws:sns/topicSubscription:TopicSubscription"
    and _inputs(r, "endpoint") == "alerts@goldentooth.net",
    "Vault seal KMS key": lambda r, ev: r.type == "aws:kms/key:Key" and ev.within(r, "goldentooth:aws:VaultSeal"),
    "alias/goldentooth/vault-seal": lambda r, ev: _inputs(r, "name") == "alias/goldentooth/vault-seal",
    "Helm release argocd in argocd": lambda r, ev: r.type == "kubernetes:helm.sh/v3:Release"
    and (_inputs(r, "name"), _inputs(r, "namespace")) == ("argocd", "argocd"),
}


def _live_resource(ev: Evaluation, what: str) -> RecordedResource:
    found = [r for r in ev.resources if r.custom and LIVE[what](r, ev)]
    assert len(found) == 1, f"{what}: the program declares {len(found)} such resources"
    return found[0]


@pytest.mark.parametrize("what", sorted(LIVE))
def test_the_real_stack_adopts_each_live_resource_of_the_reference(real_evaluation: Evaluation, what: str) -> None:
    resource = _live_resource(real_evaluation, what)
    adopted = {(a.type, a.name) for a in real_evaluation.spec.adoption.resources}
    assert (resource.type, resource.name) in adopted


def test_the_real_stack_adopts_nothing_else(real_evaluation: Evaluation) -> None:
    live = {(r.type, r.name) for what in LIVE for r in [_live_resource(real_evaluation, what)]}
    assert {(a.type, a.name) for a in real_evaluation.spec.adoption.resources} == live


def test_the_import_file_lists_each_live_resource_with_its_id(adopted_evaluation: Evaluation) -> None:
    plan = build_import_plan(adopted_evaluation)
    assert plan.problems == ()
    resolved = imported_urns(plan.document)
    engine = EngineUrns(Entry(r.urn, r.type, r.name, r.parent, tuple(r.aliases)) for r in adopted_evaluation.resources)
    ids = {resolved[s["name"]]: s["id"] for s in plan.document["resources"] if not s.get("component")}
    expected = {
        "apex A alias (bare_domain)": f"{ZONE}_goldentooth.net_A",
        "clog CNAME (github_pages.tf)": f"{ZONE}_clog.goldentooth.net_CNAME",
        "cp.k8s A (k8s_control_plane.tf)": f"{ZONE}_cp.k8s.goldentooth.net_A",
        "home-proxy distribution E2N5EMTIJ96VDJ (disabled, holds the aliases)": "E2N5EMTIJ96VDJ",
        "alarm external-pds-unreachable": "external-pds-unreachable",
        "alarm external-wiz6-unreachable": "external-wiz6-unreachable",
        "alias/goldentooth/vault-seal": "alias/goldentooth/vault-seal",
        "Helm release argocd in argocd": "argocd/argocd",
    }
    for what in LIVE:
        resource = _live_resource(adopted_evaluation, what)
        urn = engine.engine_urn(resource.urn)
        assert urn in ids, f"{what} is not in the import file under {urn}"
        want = expected.get(what, LOOKED_UP.get((resource.type, resource.name)))
        assert ids[urn] == want, what
    assert len(ids) == len(LIVE)


def test_once_imported_the_plan_creates_none_of_them_and_deletes_nothing(adopted_evaluation: Evaluation) -> None:
    plan = build_import_plan(adopted_evaluation)
    after = after_import(adopted_evaluation, plan.document)
    assert after.orphans == () and after.wrong_providers == ()
    created = {r.urn for r in after.creates}
    for what in LIVE:
        assert _live_resource(adopted_evaluation, what).urn not in created, what
    assert len(after.imported) == len(LIVE)
    # Everything else is still created: the file claims no resource it was not asked to.
    components = sum(1 for s in plan.document["resources"] if s.get("component"))
    assert len(after.creates) == len(adopted_evaluation.resources) - len(LIVE) - components


def test_parents_are_the_programs_components_and_providers_come_from_the_name_table(
    adopted_evaluation: Evaluation,
) -> None:
    document = build_import_plan(adopted_evaluation).document
    specs = {s["name"]: s for s in document["resources"]}
    distribution = next(s for s in specs.values() if s.get("id") == "E2N5EMTIJ96VDJ")
    assert specs[distribution["parent"]] == {
        "type": "goldentooth:aws:HomeProxy", "name": "home-proxy", "parent": "aws", "component": True,
    }
    assert document["nameTable"][distribution["provider"]] == (
        "urn:pulumi:goldentooth::goldentooth::goldentooth:index:Cluster$goldentooth:aws:Cloud"
        "$pulumi:providers:aws::aws-edge-us-east-1"
    )
    # Two resources called `pds` (a health check and its alarm) get distinct file names and keep their own.
    pds = [s for s in specs.values() if s.get("logicalName", s["name"]) == "pds"]
    assert len(pds) == 2 and len({s["name"] for s in pds}) == 2


def test_providers_are_created_first_aws_by_a_targeted_update_kubernetes_by_a_first_update_without_argocd(
    adopted_evaluation: Evaluation,
) -> None:
    plan = build_import_plan(adopted_evaluation)
    targeted, first_update = plan.providers_first
    targets = [t.strip("'") for t in targeted.removeprefix("pulumi up ").split(" --target ")]
    targets[0] = targets[0].removeprefix("--target ").strip("'")
    assert [t.rsplit("::", 1)[1] for t in targets] == ["goldentooth", "aws", "aws-edge-us-east-1", "aws-regional"]
    # A targeted update fails on a target that waits for an untargeted new resource: these wait for none.
    engine = EngineUrns(Entry(r.urn, r.type, r.name, r.parent, tuple(r.aliases)) for r in adopted_evaluation.resources)
    by_engine = {engine.engine_urn(r.urn): r for r in adopted_evaluation.resources}
    for target in targets:
        assert all(engine.engine_urn(d) in targets for d in by_engine[target].dependencies), target
    assert "--exclude 'urn:pulumi:goldentooth::goldentooth::goldentooth:index:Cluster$goldentooth:k8s:Kubernetes" \
           "$goldentooth:k8s:ArgoCd$kubernetes:helm.sh/v3:Release::argocd' --exclude-dependents" in first_update
    assert first_update.count("--exclude '") == 1 and first_update.endswith("::goldentooth-kubernetes")


def test_only_aws_then_only_kubernetes_split_the_file_by_provider(adopted_evaluation: Evaluation) -> None:
    aws = build_import_plan(adopted_evaluation, ["aws"]).document
    k8s = build_import_plan(adopted_evaluation, ["kubernetes"]).document
    custom = [s["type"] for s in aws["resources"] if not s.get("component")]
    assert custom and all(t.startswith("aws:") for t in custom)
    assert [s["id"] for s in k8s["resources"] if not s.get("component")] == ["argocd/argocd"]
    assert list(k8s["nameTable"]) == ["goldentooth-kubernetes"]


def test_the_real_stack_names_each_id_it_cannot_derive_and_how_to_find_it(real_evaluation: Evaluation) -> None:
    problems = build_import_plan(real_evaluation).problems
    assert [p.split(":", 1)[0] for p in problems] == [
        f"adoption.resources[{i}].id" for i in (3, 4, 6, 7, 10, 11, 12)
    ]
    assert "aws kms describe-key --key-id alias/goldentooth/vault-seal" in problems[-1]
    assert "FullyQualifiedDomainName=='pds.goldentooth.net'" in problems[2]


def test_an_unknown_name_is_refused_with_the_name_meant(
    evaluate_edited: Callable[[Callable[[dict[str, Any]], None]], Evaluation],
) -> None:
    def typo(plain: dict[str, Any]) -> None:
        plain["adoption"]["resources"][1]["name"] = "clog.goldentooth.net-CNAM"

    problems = build_import_plan(evaluate_edited(typo)).problems
    assert problems[0] == ("adoption.resources[1].name: the program has no aws:route53/record:Record named "
                           "'clog.goldentooth.net-CNAM' (did you mean 'clog.goldentooth.net-CNAME'?)")


def test_components_and_logical_steps_cannot_be_adopted(
    evaluate_edited: Callable[[Callable[[dict[str, Any]], None]], Evaluation],
) -> None:
    def bad(plain: dict[str, Any]) -> None:
        plain["adoption"]["resources"] = [
            {"type": "goldentooth:aws:HomeProxy", "name": "home-proxy"},
            {"type": "aws:acm/certificateValidation:CertificateValidation", "name": "edge", "id": "x"},
        ]

    problems = build_import_plan(evaluate_edited(bad)).problems
    assert "is a component" in problems[0] and "cannot be imported" in problems[1]


def test_the_cli_resolution_refuses_a_parent_or_provider_missing_from_the_name_table() -> None:
    with pytest.raises(ValueError, match="parent 'gone'"):
        imported_urns({"resources": [{"type": "aws:s3/bucket:Bucket", "name": "b", "id": "b", "parent": "gone"}]})
    with pytest.raises(ValueError, match="provider 'p'"):
        imported_urns({"resources": [{"type": "aws:s3/bucket:Bucket", "name": "b", "id": "b", "provider": "p"}]})
    with pytest.raises(ValueError, match="repeat"):
        imported_urns({"resources": [{"type": "a:b:C", "name": "x", "id": "1"}, {"type": "a:b:D", "name": "x", "id": "2"}]})


def test_the_command_writes_the_file_and_plan_imported_reads_it(real_plain: dict[str, Any], tmp_path: Path) -> None:
    document = yaml.safe_load(STACK_FILE.read_text(encoding="utf-8"))
    document["config"]["goldentooth:adoption"] = with_looked_up_ids({"adoption": real_plain["adoption"]})["adoption"]
    stack = tmp_path / "Pulumi.goldentooth.yaml"
    stack.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    out = tmp_path / "import.json"
    result = goldentooth("import-file", "--config", str(stack), "--out", str(out))
    assert result.returncode == 0, result.stderr
    written = json.loads(out.read_text(encoding="utf-8"))
    assert sum(1 for s in written["resources"] if not s.get("component")) == len(LIVE)
    assert "pulumi up --target" in result.stdout
    summary = goldentooth("plan", "--config", str(stack), "--imported", str(out))
    assert summary.returncode == 0, summary.stderr
    assert f"({len(LIVE)} imported resources are updated in place, never created)" in summary.stdout.splitlines()[0]


def test_the_command_writes_nothing_while_an_id_is_missing(tmp_path: Path) -> None:
    out = tmp_path / "import.json"
    result: subprocess.CompletedProcess[str] = goldentooth("import-file", "--out", str(out))
    assert result.returncode == 2 and not out.exists()
    assert "adoption.resources[12].id: aws:kms/key:Key 'vault-seal' needs its import id" in result.stderr


def test_a_given_id_that_contradicts_config_is_refused(
    evaluate_edited: Callable[[Callable[[dict[str, Any]], None]], Evaluation],
) -> None:
    def contradict(plain: dict[str, Any]) -> None:
        entries = with_looked_up_ids(plain)["adoption"]["resources"]
        entries[2]["id"] = f"{ZONE}_cp.k8s.goldentooth.net_CNAME"  # derivable: config says it is an A record
        entries[3]["id"] = "Z999OTHERZONE__0d1e2f.goldentooth.net_CNAME"  # not derivable, but in another zone
        plain["adoption"]["resources"] = entries

    problems = build_import_plan(evaluate_edited(contradict)).problems
    assert [p.split(":", 1)[0] for p in problems] == ["adoption.resources[2].id", "adoption.resources[3].id"]
    assert f"'{ZONE}_cp.k8s.goldentooth.net_A'" in problems[0] and "not a record of zone" in problems[1]


def test_a_file_that_imports_what_the_program_does_not_declare_is_caught(adopted_evaluation: Evaluation) -> None:
    document = copy.deepcopy(build_import_plan(adopted_evaluation).document)
    stray = next(s for s in document["resources"] if s.get("id") == "E2N5EMTIJ96VDJ")
    stray["logicalName"] = "home-proxy-old"  # another URN: the next `pulumi up` would delete what it imported
    other = next(s for s in document["resources"] if s.get("id") == "argocd/argocd")
    other["provider"] = "aws-edge-us-east-1"
    after = after_import(adopted_evaluation, document)
    assert [u.rsplit("::", 1)[1] for u in after.orphans] == ["home-proxy-old"]
    assert [u.rsplit("::", 1)[1] for u in after.wrong_providers] == ["argocd"]


def test_no_record_is_written_over_an_existing_one(real_evaluation: Evaluation) -> None:
    """An existing record is imported (`goldentooth:adoption`); an upsert would silently take it from its owner."""
    records = real_evaluation.of_type("aws:route53/record:Record")
    assert records and [r.name for r in records if r.inputs.get("allowOverwrite")] == []

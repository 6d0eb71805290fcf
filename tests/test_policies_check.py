"""`goldentooth check` end to end: the real stack, and one crafted evaluation per rule that must make it
fail (exit 1) naming that rule. Crafted resources are registered with the real SDKs under the mock monitor."""

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s
import pytest
from pulumi_command import remote

from offline import cli
from offline.check import Finding, check
from offline.evaluate import Evaluation
from policies.catalog import POLICIES
from tests.conftest import STACK_FILE, fake_secret_values
from tests.policy_support import record, with_resources

Program = Callable[[], object]
CONNECTION = remote.ConnectionArgs(host="10.4.0.11", user="root")


def _cmd(name: str, create: pulumi.Input[str], *, connection: remote.ConnectionArgs = CONNECTION,
         stdin: pulumi.Input[str] | None = None, logging: remote.Logging | None = None,
         opts: pulumi.ResourceOptions | None = None) -> remote.Command:
    return remote.Command(name, connection=connection, create=create, stdin=stdin, logging=logging,
                          add_previous_output_in_env=False, opts=opts)


def _bucket(name: str, *, block: bool = True, encrypt: bool = True, version: bool = True) -> None:
    bucket = aws.s3.Bucket(name, opts=pulumi.ResourceOptions(protect=True))
    if block:
        aws.s3.BucketPublicAccessBlock(name, bucket=bucket.id, block_public_acls=True, block_public_policy=True,
                                       ignore_public_acls=True, restrict_public_buckets=True)
    if encrypt:
        aws.s3.BucketServerSideEncryptionConfiguration(name, bucket=bucket.id, rules=[
            {"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}])
    if version:
        aws.s3.BucketVersioning(name, bucket=bucket.id, versioning_configuration={"status": "Enabled"})


def _deployment(namespace: str, image: str, *, privileged: bool = False, probes: bool = True) -> None:
    container: dict[str, Any] = {
        "name": "app", "image": image,
        "resources": {"requests": {"cpu": "10m", "memory": "32Mi"}, "limits": {"memory": "64Mi"}},
        "security_context": {"privileged": privileged},
    }
    if probes:
        container["liveness_probe"] = {"tcp_socket": {"port": 80}}
        container["readiness_probe"] = {"tcp_socket": {"port": 80}}
    spec: Any = {"selector": {"match_labels": {"app": "a"}},
                 "template": {"metadata": {"labels": {"app": "a"}}, "spec": {"containers": [container]}}}
    k8s.apps.v1.Deployment(f"{namespace}-app", metadata={"namespace": namespace}, spec=spec)


def _control_plane(members: int, *, ordered: bool = True) -> None:
    init = _cmd("bettley-kubeadm-init", "kubeadm init --config /etc/kubernetes/kubeadm.yaml",
                opts=pulumi.ResourceOptions(protect=True))
    for i in range(members - 1):
        deps = [init] if ordered else []
        _cmd(f"cp{i}-join", f"kubeadm join cp:6443 --control-plane --config /etc/j{i}.yaml",
             connection=remote.ConnectionArgs(host=f"10.4.0.{12 + i}"), opts=pulumi.ResourceOptions(depends_on=deps, protect=True))


def _overclock() -> None:
    node = pulumi.ComponentResource("goldentooth:nodes:Node", "allyrion")  # the real pi4b-8gb
    _cmd("allyrion-firmware", "export GT_PATH='/boot/firmware/config.txt'\nwrite", stdin="arm_freq=2400\n",
         opts=pulumi.ResourceOptions(parent=node))


def _seal_key_moved() -> None:
    """The program's explicit regional provider in another region than the pinned one, the seal alias under it."""
    elsewhere = aws.Provider("aws-regional", region="eu-west-1")
    aws.kms.Alias("seal", name="alias/goldentooth/vault-seal", target_key_id="k",
                  opts=pulumi.ResourceOptions(provider=elsewhere))


CASES: dict[str, Program] = {
    "s3-bucket-public-access-blocked": lambda: _bucket("open", block=False),
    "s3-bucket-encrypted": lambda: _bucket("plain", encrypt=False),
    "s3-data-bucket-versioned": lambda: _bucket("data", version=False),
    "kms-key-rotation": lambda: aws.kms.Key("seal", opts=pulumi.ResourceOptions(protect=True)),
    "cloudfront-https-only": lambda: aws.cloudfront.Distribution(
        "site", enabled=True, origins=[{"domain_name": "o.example", "origin_id": "o"}],
        default_cache_behavior={"allowed_methods": ["GET", "HEAD"], "cached_methods": ["GET", "HEAD"],
                                "target_origin_id": "o", "viewer_protocol_policy": "allow-all"},
        restrictions={"geo_restriction": {"restriction_type": "none"}},
        viewer_certificate={"acm_certificate_arn": "arn:aws:acm:us-east-1:0:certificate/x", "ssl_support_method": "sni-only",
                            "minimum_protocol_version": "TLSv1.2_2021"}),
    "acm-dns-validation": lambda: aws.acm.Certificate("c", domain_name="goldentooth.net", validation_method="EMAIL"),
    "iam-no-wildcards": lambda: aws.iam.Policy("admin", policy=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})),
    "command-secret-output-hidden": lambda: _cmd("login", "vault login -", stdin=pulumi.Output.secret("s3cr3t-t0ken-value")),
    "command-no-secret-in-command-line": lambda: _cmd(
        "inline", pulumi.Output.concat("vault login ", pulumi.Output.secret("s3cr3t-t0ken-value")),
        logging=remote.Logging.NONE, opts=pulumi.ResourceOptions(additional_secret_outputs=["stdout", "stderr"])),
    "command-no-previous-output-in-env": lambda: remote.Command("uptime", connection=CONNECTION, create="uptime"),
    "stateful-resources-protected": lambda: aws.kms.Key("unprotected", enable_key_rotation=True),
    "k8s-loadbalancer-ip-in-metallb-pool": lambda: k8s.core.v1.Service(
        "grafana", metadata={"namespace": "monitoring"},
        spec={"type": "LoadBalancer", "load_balancer_ip": "10.4.0.9", "ports": [{"port": 80}]}),
    "k8s-privileged-pods-allowed-namespaces": lambda: _deployment("apps", "nginx:1.27.2", privileged=True),
    "k8s-images-pinned": lambda: _deployment("apps", "nginx:latest"),
    "k8s-app-resources-and-probes": lambda: _deployment("apps", "nginx:1.27.2", probes=False),
    "odd-quorums": lambda: _control_plane(4),
    "kubeadm-join-after-init": lambda: _control_plane(3, ordered=False),
    "pi-overclock-within-safe-range": _overclock,
    "protected-identities-stay": _seal_key_moved,
}
ADVISORY_BY_DEFAULT = {"k8s-app-resources-and-probes"}


def test_every_rule_has_a_violating_case() -> None:
    assert set(CASES) == {p.name for p in POLICIES}


def _empty(real: Evaluation) -> Evaluation:
    return replace(real, resources=())


def _run_cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], ev: Evaluation, *args: str) -> tuple[int, str]:
    monkeypatch.setattr(cli, "_evaluate", lambda config, preview=False: ev)
    code = cli.main(["check", "--config", str(STACK_FILE), *args])
    return code, capsys.readouterr().out


def test_an_empty_stack_passes(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], real_evaluation: Evaluation) -> None:
    code, out = _run_cli(monkeypatch, capsys, _empty(real_evaluation))
    assert code == 0 and out.strip().endswith("0 mandatory, 0 advisory violation(s)")


@pytest.mark.parametrize("rule", sorted(CASES))
def test_each_violating_case_fails_the_check_naming_its_rule(
    rule: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], real_evaluation: Evaluation,
    tmp_path: Path,
) -> None:
    ev = with_resources(_empty(real_evaluation), record(CASES[rule]))
    findings = check(ev)
    assert {f.policy for f in findings} == {rule}, [(f.policy, f.message) for f in findings]
    code, out = _run_cli(monkeypatch, capsys, ev)
    if rule in ADVISORY_BY_DEFAULT:
        assert code == 0 and f"ADVISORY  {rule}:" in out
        mandatory = tmp_path / "policy-config.json"
        mandatory.write_text(json.dumps({rule: "mandatory"}), encoding="utf-8")
        code, out = _run_cli(monkeypatch, capsys, ev, "--policy-config", str(mandatory))
    assert code == 1
    assert f"MANDATORY {rule}:" in out
    assert "  fix:      " in out and "  resource: " in out


def test_a_disabled_rule_does_not_fail_the_check(real_evaluation: Evaluation) -> None:
    ev = with_resources(_empty(real_evaluation), record(CASES["kms-key-rotation"]))
    assert check(ev, policy_config={"kms-key-rotation": {"enforcementLevel": "disabled"}}) == []
    assert check(ev, policy_config={"all": "disabled"}) == []


def test_unknown_policy_names_and_settings_in_policy_config_are_config_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "policy.json"
    config.write_text(json.dumps({"kms-rotation": "mandatory", "k8s-loadbalancer-ip-in-metallb-pool": {"pool": "x"}}))
    code = cli.main(["check", "--config", str(STACK_FILE), "--policy-config", str(config)])
    err = capsys.readouterr().err
    assert code == 2
    assert "kms-rotation: is not a policy of the pack" in err
    assert "k8s-loadbalancer-ip-in-metallb-pool.pool: is not a setting of this policy (known: pools)" in err


def test_the_projects_policy_config_resolves_and_matches_the_stack(real_evaluation: Evaluation) -> None:
    document = json.loads((Path(__file__).parent.parent / "policies" / "config.json").read_text(encoding="utf-8"))
    assert document["k8s-loadbalancer-ip-in-metallb-pool"]["pools"] == [str(real_evaluation.spec.network.metallb)]
    assert check(_empty(real_evaluation), policy_config=document) == []


def test_check_output_never_shows_a_secret(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                                           real_evaluation: Evaluation) -> None:
    ev = with_resources(_empty(real_evaluation), record(CASES["command-no-secret-in-command-line"]))
    _, out = _run_cli(monkeypatch, capsys, ev)
    assert "s3cr3t-t0ken-value" not in out and "command-no-secret-in-command-line" in out


# Violations the check finds in other layers today, reported to their owners rather than hidden by a weaker
# rule. strict: once a layer is fixed the test passes unexpectedly and fails, so the marker cannot outlive it.
@pytest.mark.parametrize("rule", [p.name for p in POLICIES])
def test_the_real_stack_passes_each_rule(rule: str, real_findings: list[Finding]) -> None:
    findings = [f for f in real_findings if f.policy == rule]
    assert findings == [], "\n".join(f"{f.resource}: {f.message}" for f in findings)


def test_no_rule_is_left_undecided_on_the_real_stack(real_findings: list[Finding]) -> None:
    assert [f for f in real_findings if f.message.startswith("can't run")] == []


@pytest.fixture(scope="module")
def real_findings(real_evaluation: Evaluation) -> list[Finding]:
    """The real stack with the test secrets, so command rules also compare against the stack's secret values."""
    return check(real_evaluation, secrets=fake_secret_values())

"""The provider (secret kubeconfig, fixed cluster identity, preview safety), the config rules of the layer,
and the ordered, serialised upgrade a version bump produces."""

import copy
import itertools
from collections.abc import Callable
from typing import Any

import pytest

from config.errors import ConfigError
from config.load import parse_spec
from k8s.provider import point_at
from nodes.rollout.plan import rollout_plan
from offline.evaluate import Evaluation, evaluate
from tests.conftest import fake_secret_values
from tests.shared_evaluations import shared_evaluate

Edit = Callable[[dict[str, Any]], None]


def test_provider_has_a_fixed_cluster_identifier_an_explicit_context_and_a_secret_kubeconfig(
    real_evaluation: Evaluation,
) -> None:
    provider = real_evaluation.named("goldentooth-kubernetes", "pulumi:providers:kubernetes")
    assert provider.inputs["clusterIdentifier"] == "goldentooth"
    # The live cluster was initialised without a kubeadm config file: kubeadm's default clusterName.
    assert provider.inputs["context"] == "kubernetes-admin@kubernetes"
    assert provider.inputs["kubeconfig"] == "[secret]"
    read = real_evaluation.command("bettley-read-kubeconfig")
    init = real_evaluation.command("bettley-kubeadm-init")
    assert init.urn in read.property_dependencies["triggers"], "re-read only when init re-runs"


def test_a_preview_with_an_unknown_kubeconfig_keeps_the_cluster_identity(real_preview_evaluation: Evaluation) -> None:
    """An unknown kubeconfig would replace every Kubernetes resource; a fixed cluster_identifier stops that."""
    ev = real_preview_evaluation
    provider = ev.named("goldentooth-kubernetes", "pulumi:providers:kubernetes")
    assert provider.inputs["clusterIdentifier"] == "goldentooth"
    k8s = [r for r in ev.resources if r.type.startswith("kubernetes:")]
    assert k8s and all(r.provider.startswith(provider.urn + "::") for r in k8s)
    assert not any(r.replace_on_changes or r.delete_before_replace for r in k8s)


def test_server_is_pointed_at_the_load_balancer_without_parsing_yaml() -> None:
    conf = "clusters:\n- cluster:\n    certificate-authority-data: X\n    server: https://10.4.0.11:6443\n  name: gt\n"
    assert "    server: https://10.4.0.10:6443\n" in point_at(conf, "https://10.4.0.10:6443")
    assert point_at("[placeholder stdout of bettley-read-kubeconfig]", "https://x") == (
        "[placeholder stdout of bettley-read-kubeconfig]"
    )


def _with(real_plain: dict[str, Any], edit: Edit) -> dict[str, Any]:
    plain = copy.deepcopy(real_plain)
    edit(plain)
    return plain


def _bump(version: str, upgrade_from: str | None) -> Edit:
    def edit(plain: dict[str, Any]) -> None:
        plain["versions"]["kubernetes"] = version
        if upgrade_from is not None:
            plain.setdefault("kubernetes", {})["upgradeFrom"] = upgrade_from

    return edit


def test_a_version_bump_upgrades_control_planes_one_at_a_time_then_workers_in_batches(
    real_plain: dict[str, Any],
) -> None:
    ev = shared_evaluate(_with(real_plain, _bump("1.33.5", "1.32.9")), fake_secret_values())
    workers = ev.spec.roles.kubernetes.workers
    # the control plane: each node after etcd is healthy again, one after another
    order = [s for cp in ("bettley", "cargyll", "dalt")
             for s in (f"bettley-etcd-healthy-before-upgrading-{cp}", f"{cp}-kubernetes-upgrade")]
    steps = [ev.command(name) for name in order]
    for earlier, later in itertools.pairwise(steps):
        assert earlier.urn in later.dependencies, f"{later.name} must wait for {earlier.name}"
    for i, later in enumerate(steps):
        assert not any(ev.waits_for(steps[j], later) for j in range(i)), f"{later.name} runs too early"
    gate = ev.command("bettley-etcd-healthy-before-upgrading-cargyll").inputs["create"]
    assert "https://10.4.0.13:2379/health" in gate and "export GT_ACTION=upgrade" in gate
    # the workers: batches of rollout.maxParallel, each drained, upgraded and uncordoned before the next
    batches = rollout_plan(ev.spec, (), workers).windows
    assert sorted(w for b in batches for w in b) == sorted(workers)
    assert all(len(b) <= ev.spec.rollout.batch_size(len(workers)) for b in batches) and len(batches) > 1
    last_cp = ev.command("dalt-kubernetes-upgrade")
    for index, batch in enumerate(batches):
        for w in batch:
            drain, upgrade, uncordon = (ev.command(n) for n in
                                        (f"bettley-drain-{w}", f"{w}-kubernetes-upgrade", f"bettley-uncordon-{w}"))
            assert ev.waits_for(drain, last_cp) and ev.waits_for(upgrade, drain) and ev.waits_for(uncordon, upgrade)
            assert "export GT_GRACE_SECONDS=900" in drain.inputs["create"]
            for other in batch:  # a batch moves together: no worker of it waits for another's upgrade
                if other != w:
                    assert not ev.waits_for(upgrade, ev.command(f"{other}-kubernetes-upgrade"))
            if index > 0:
                for previous in batches[index - 1]:
                    assert ev.waits_for(drain, ev.command(f"bettley-uncordon-{previous}")), (w, previous)
    first = ev.files
    apply_script = next(f.content for f in first if f.node == "bettley" and f.path == "_steps/kubernetes-upgrade.sh")
    assert "export GT_FIRST=1" in apply_script and 'kubeadm upgrade apply "v$GT_VERSION"' in apply_script
    assert "--grace-period=\"$GT_GRACE_SECONDS\"" in apply_script
    cargyll = next(f.content for f in first if f.node == "cargyll" and f.path == "_steps/kubernetes-upgrade.sh")
    assert "export GT_FIRST=0" in cargyll and "kubeadm upgrade node" in cargyll
    assert all(ev.waits_for(steps[0], ev.command(f"{w}-kubeadm-join")) for w in workers)


def test_upgrade_steps_rerun_only_when_the_version_changes(real_plain: dict[str, Any]) -> None:
    def triggers(ev: Evaluation) -> list[Any]:
        return [ev.command("erenford-kubernetes-upgrade").inputs["triggers"],
                ev.command("bettley-kubernetes-upgrade").inputs["triggers"]]

    def upgrading_to(version: str) -> dict[str, Any]:
        return _with(real_plain, _bump(version, "1.32.9"))

    once = triggers(shared_evaluate(upgrading_to("1.33.5"), fake_secret_values()))
    # A second evaluation of the same config, on purpose (not the shared one): the triggers depend on it alone.
    assert triggers(evaluate(upgrading_to("1.33.5"), fake_secret_values())) == once
    assert triggers(shared_evaluate(upgrading_to("1.33.6"), fake_secret_values())) != once


def test_no_upgrade_steps_without_an_upgrade(real_evaluation: Evaluation) -> None:
    assert not [r for r in real_evaluation.resources if r.type == "goldentooth:k8s:KubernetesUpgrade"]


@pytest.mark.parametrize(
    ("version", "upgrade_from", "message"),
    [
        ("1.34.1", "1.32.9", "skips a minor version"),
        ("1.31.4", "1.32.9", "kubeadm cannot downgrade"),
        ("2.0.0", "1.32.9", "across major versions"),
    ],
)
def test_an_impossible_upgrade_is_a_config_error_naming_upgrade_from(
    real_plain: dict[str, Any], version: str, upgrade_from: str, message: str
) -> None:
    with pytest.raises(ConfigError) as raised:
        parse_spec(_with(real_plain, _bump(version, upgrade_from)))
    assert [(v.path, message in v.message) for v in raised.value.violations] == [("kubernetes.upgradeFrom", True)]


@pytest.mark.parametrize(
    ("kubernetes", "path", "message"),
    [
        ({"argocdLoadBalancerIp": "10.4.12.5"}, "kubernetes.argocdLoadBalancerIp", "outside the MetalLB pool"),
        ({"p5jsLoadBalancerIp": "10.4.11.0"}, "kubernetes.p5jsLoadBalancerIp", "already pinned"),
        ({"apps": [{"name": "web", "image": "nginx:latest", "port": 80}]}, "kubernetes.apps[0].image", "not pinned"),
        ({"apps": [{"name": "Web", "image": "nginx:1.27", "port": 80}]}, "kubernetes.apps[0].name", "not a DNS label"),
        ({"apps": [{"name": "web", "image": "nginx:1.27", "port": 80, "cpuLimit": "lots"}]},
         "kubernetes.apps[0].cpuLimit", "not a Kubernetes quantity"),
        ({"upgradeFrom": "1.32"}, "kubernetes.upgradeFrom", "not an exact version"),
        ({"metallbInterface": "eth 0"}, "kubernetes.metallbInterface", ""),
    ],
)
def test_each_kubernetes_config_rule_names_its_field(
    real_plain: dict[str, Any], kubernetes: dict[str, Any], path: str, message: str
) -> None:
    with pytest.raises(ConfigError) as raised:
        parse_spec(_with(real_plain, lambda plain: plain.__setitem__("kubernetes", kubernetes)))
    assert any(v.path == path and message in v.message for v in raised.value.violations), raised.value.report()

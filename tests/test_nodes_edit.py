"""Change what changed: an edit to one node's firmware re-runs only that node's firmware and reboot steps; an
unchanged config registers exactly the same resources."""

import json
from collections.abc import Callable
from typing import Any

from offline.evaluate import Evaluation
from offline.recorder import RecordedResource
from tests.conftest import Edit, node_entry
from tests.nodes_support import node_steps


def _fingerprint(r: RecordedResource) -> str:
    """Everything the engine would diff for this resource: inputs, parent and options. Not its dependency edges:
    the engine stores new edges without running anything (tests/blast_radius.py; a command that depends on a
    replaced resource does not re-run, research/anchors.md), and a rolling reboot's edges to the bootstrap layers
    grow whenever those layers gain a step."""
    return json.dumps(
        {
            "inputs": r.inputs,
            "parent": r.parent,
            "options": [r.protect, r.retain_on_delete, r.delete_before_replace, r.provider, r.deleted_with,
                        r.additional_secret_outputs, r.ignore_changes, r.replace_on_changes],
        },
        sort_keys=True,
    )


def _changed(before: Evaluation, after: Evaluation, *, same_resources: bool = True) -> set[str]:
    old = {r.urn: _fingerprint(r) for r in before.resources}
    new = {r.urn: _fingerprint(r) for r in after.resources}
    if same_resources:
        assert set(old) == set(new), "an edit of a setting must not add or remove resources"
    return {urn.split("::")[-1] for urn in old.keys() & new.keys() if old[urn] != new[urn]}


def _overclock_harlton(plain: dict[str, Any]) -> None:
    node_entry(plain, "harlton")["firmware"] = {
        "armFreq": 1800,
        "overVoltage": 4,
        "armBoost": True,
        "fan": {"gpioPin": 14, "tempMillicelsius": 60000},
    }


def test_changing_one_workers_overclock_changes_only_its_firmware_and_reboot_steps(
    real_evaluation: Evaluation, evaluate_edited: Callable[[Edit], Evaluation]
) -> None:
    edited = evaluate_edited(_overclock_harlton)
    # Its boot files, the check that says it reboots, the reboot and both waits (in service, it reboots in its
    # window), and the rollout's drain before and uncordon after (on the init node): a worker is in no quorum,
    # so no gate.
    assert _changed(real_evaluation, edited) == {"harlton-firmware", "harlton-reboot-check", "harlton-reboot",
                                                 "harlton-wait-boot", "harlton-wait-fresh-boot",
                                                 "bettley-reboot-drain-harlton",
                                                 "bettley-reboot-uncordon-harlton"}
    block = node_steps(edited)["harlton"]["firmware"].params["GT_BLOCK"].splitlines()
    assert "arm_freq=1800" in block and "over_voltage=4" in block


def test_re_evaluating_an_unchanged_config_changes_nothing(
    real_evaluation: Evaluation, evaluate_edited: Callable[[Edit], Evaluation]
) -> None:
    again = evaluate_edited(lambda plain: None)
    assert _changed(real_evaluation, again) == set()
    assert [f.content for f in again.files] == [f.content for f in real_evaluation.files]


def test_a_kubernetes_upgrade_touches_only_the_package_steps_of_the_node_layer(
    real_evaluation: Evaluation, evaluate_edited: Callable[[Edit], Evaluation]
) -> None:
    def bump(plain: dict[str, Any]) -> None:
        plain["versions"]["kubernetes"] = "1.32.10"
        plain.setdefault("kubernetes", {})["upgradeFrom"] = "1.32.9"

    # the Kubernetes layer adds its ordered upgrade steps; in the node layer only the package steps change
    # (they keep the repository on the target minor and leave version moves to that upgrade)
    changed = _changed(real_evaluation, evaluate_edited(bump), same_resources=False)
    node_layer = {name for name in changed if name.split("-", 1)[-1] in _NODE_STEPS}
    assert node_layer == {f"{n}-kubernetes-packages" for n in _KUBERNETES_NODES}


_NODE_STEPS = {
    "clock", "identity", "firmware", "cmdline", "reboot-check", "wait-fresh-boot", "reboot", "wait-boot",
    "swap-off", "kernel", "journald", "wireless-off", "ssh-hardening", "unattended-upgrades", "nfs-server",
    "nfs-mounts", "nvidia-runtime", "containerd", "containerd-rolling", "kubernetes-packages",
}
_KUBERNETES_NODES = {
    "bettley", "cargyll", "dalt", "erenford", "fenn", "gardener", "harlton", "inchfield", "jast", "karstark",
    "lipps", "manderly", "norcross", "oakheart", "payne", "velaryon",
}

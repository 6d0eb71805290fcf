"""Rebuilding and adding nodes (lifecycle/rebuild.py, the `generation` trigger in components/remote_step.py): a
rebuild re-runs only the rebuilt node's steps; an added node touches on the others only what lists every node."""

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from config.errors import ConfigError
from lifecycle.rebuild import rebuild
from offline.cli import main as cli
from offline.evaluate import Evaluation
from tests.conftest import STACK_FILE, Edit
from tests.lifecycle_support import delta, names, node_of

Evaluate = Callable[[Edit], Evaluation]
KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4f"


def test_a_rebuild_re_runs_every_unprotected_step_of_that_node_and_nothing_elsewhere(
        real_evaluation: Evaluation, evaluate_edited: Evaluate) -> None:
    def rebuilt(p: dict[str, Any]) -> None:
        p["lifecycle"] = {"generations": {"fenn": 1}}
        p.setdefault("ssh", {}).setdefault("hostKeys", {})["fenn"] = KEY

    d = delta(real_evaluation, evaluate_edited(rebuilt))
    before = real_evaluation.by_urn()
    changed = [before[u] for u in d.updated]
    assert d.deleted == frozenset()
    # Created: the steps that forget the old incarnation (its Node object, from the first control plane; its
    # Consul member, from a remaining Consul server), before fenn's join runs again.
    created = {d.after.by_urn()[u].name: d.after.by_urn()[u] for u in d.created}
    assert set(created) == {"fenn-forget", "fenn-forget-kubernetes-delete-node", "fenn-forget-consul-force-leave"}
    forget = created["fenn-forget-kubernetes-delete-node"]
    assert forget.raw_inputs["connection"]["host"] == str(real_evaluation.spec.node("bettley").ip)
    assert d.after.waits_for(d.after.command("fenn-kubeadm-join"), forget)
    ip = str(real_evaluation.spec.node("fenn").ip)
    on_fenn = [r for r in real_evaluation.of_type("command:remote:Command") if r.raw_inputs["connection"]["host"] == ip]
    fenn_steps = [r for r in real_evaluation.of_type("command:remote:Command") if node_of(r) == "fenn"]
    # Every step that connects to fenn changes (the new pin); the unprotected ones have a new trigger too.
    assert {r.urn for r in on_fenn} <= d.updated
    for step in fenn_steps:
        if step.protect or "-leave-" in step.name:
            continue
        after = d.after.by_urn()[step.urn]
        assert "generation:1" in after.inputs["triggers"], step.name
    # fenn's leave steps never diff in a way that replaces them (triggers ignored), and run nothing new.
    for leave in (r for r in fenn_steps if "-leave-" in r.name):
        assert "generation:1" not in d.after.by_urn()[leave.urn].inputs["triggers"]
    # Nothing that connects to another node changes: the data and steps there are untouched.
    elsewhere = [r for r in changed if r.type == "command:remote:Command" and r.raw_inputs["connection"]["host"] != ip]
    # but fresh join credentials for it, on the init node
    assert names(elsewhere) == ["bettley-join-credentials-for-fenn"], "a rebuild of fenn must not touch another node's steps"
    # Its steps and its copies of shared files (the reflashed disk has none).
    assert [r.name for r in changed if r.type not in ("command:remote:Command", "command:remote:CopyToRemote")] == []


def test_an_added_worker_touches_on_the_others_only_what_lists_every_node(
        real_evaluation: Evaluation, evaluate_edited: Evaluate) -> None:
    def add(p: dict[str, Any]) -> None:
        p["nodes"].append({"name": "quellon", "model": "pi4b-4gb", "os": "raspios-bookworm", "mac": "dc:a6:32:00:00:01",
                           "ip": "10.4.0.26", "hostIndex": 16, "emoji": "🐙",
                           "prompt": {"primary": 51, "secondary": 250, "tertiary": 32},
                           "disks": [{"device": "/dev/mmcblk0", "sizeGb": 128, "kind": "sd", "purpose": "root"}]})
        p["roles"]["kubernetes"]["workers"].append("quellon")

    d = delta(real_evaluation, evaluate_edited(add))
    assert d.deleted == frozenset()
    new = [d.after.by_urn()[u] for u in d.created]
    assert {node_of(r) for r in new if r.type == "command:remote:Command"} == {"quellon", "bettley"}
    # Its join's credentials, and the rollout's drain and uncordon around its reboots, run from the init node.
    assert sorted(r.name for r in new if node_of(r) == "bettley") == [
        "bettley-join-credentials-for-quellon", "bettley-reboot-drain-quellon", "bettley-reboot-uncordon-quellon"]
    assert {"quellon-kubeadm-join", "quellon-leave-kubernetes-drain", "quellon-leave-kubernetes-reset"} <= {
        r.name for r in new}
    changed = [d.before.by_urn()[u] for u in d.updated]
    # Hosts files (each node's upload of the shared list and its identity step), the edge's backends and
    # Prometheus' targets: lists of nodes.
    listing = {*(f"{n.name}-{step}" for n in real_evaluation.spec.nodes for step in ("identity", "hosts-upload")),
               "allyrion-haproxy-services-cfg", "allyrion-haproxy-services-early", "allyrion-prometheus-config"}
    assert set(names(changed)) == listing


def test_goldentooth_rebuild_pins_the_new_key_and_counts_the_generation_up(tmp_path: Path) -> None:
    stack = tmp_path / "Pulumi.goldentooth.yaml"
    original = STACK_FILE.read_text(encoding="utf-8")
    stack.write_text(original, encoding="utf-8")
    assert cli(["rebuild", "--config", str(stack), "fenn", "--host-key", KEY]) == 0
    assert cli(["rebuild", "--config", str(stack), "fenn", "--host-key", KEY]) == 0
    text = stack.read_text(encoding="utf-8")
    settings = yaml.safe_load(text)["config"]
    assert settings["goldentooth:lifecycle"] == {"generations": {"fenn": 2}}
    assert settings["goldentooth:ssh"]["hostKeys"] == {"fenn": KEY}
    expected = copy.deepcopy(yaml.safe_load(original))
    expected["config"]["goldentooth:lifecycle"] = {"generations": {"fenn": 2}}
    expected["config"]["goldentooth:ssh"]["hostKeys"] = {"fenn": KEY}
    assert yaml.safe_load(text) == expected
    # Every comment line of the original is still there, in order.
    comments = [line for line in original.splitlines() if line.lstrip().startswith("#")]
    assert [line for line in text.splitlines() if line.lstrip().startswith("#")] == comments


def test_goldentooth_rebuild_refuses_an_unknown_node_and_a_malformed_key() -> None:
    text = STACK_FILE.read_text(encoding="utf-8")
    with pytest.raises(ConfigError, match=r"nodes\.jsat: is not a node of the inventory"):
        rebuild(text, "jsat", KEY)
    with pytest.raises(ConfigError, match="--host-key: is not one host key line"):
        rebuild(text, "fenn", "AAAA not a key; rm -rf /")


def test_a_rebuilt_control_plane_member_loses_its_old_etcd_member_before_it_joins_again(
        real_evaluation: Evaluation, evaluate_edited: Evaluate) -> None:
    after = evaluate_edited(lambda p: p.update(lifecycle={"generations": {"cargyll": 3}}))
    remove = after.command("cargyll-forget-kubernetes-etcd-remove")
    delete = after.command("cargyll-forget-kubernetes-delete-node")
    assert "rebuild:cargyll:3" in remove.inputs["triggers"]
    assert after.waits_for(delete, remove) and after.waits_for(after.command("cargyll-kubeadm-join"), delete)
    assert "generated from k8s/leave/etcd_remove.sh;" in remove.inputs["create"]
    # Never on a node that was not rebuilt.
    assert [r.name for r in after.of_type("goldentooth:lifecycle:Forget")] == ["cargyll-forget"]


def test_a_rebuild_renews_the_join_credentials_before_the_rebuilt_node_joins(
        real_evaluation: Evaluation, evaluate_edited: Evaluate) -> None:
    d = delta(real_evaluation, evaluate_edited(lambda p: p.update(lifecycle={"generations": {"karstark": 1}})))
    assert real_evaluation.command("bettley-join-credentials-for-karstark").urn in d.updated

"""Node lifecycle under the mock engine (lifecycle/): what a `pulumi up` from the real stack to an edited one deletes,
in which order its leave steps run, and what else it touches (tests/lifecycle_support.py models the engine)."""

import copy
from collections.abc import Callable
from itertools import pairwise
from typing import Any

import pytest

from components.contributions import LeaveStep
from lifecycle.component import MembershipsArgs, _leave, ordered, step_name
from lifecycle.memberships import memberships
from offline.evaluate import Evaluation
from offline.recorder import RecordedResource
from tests.conftest import Edit
from tests.lifecycle_support import Delta, delta, names, node_of

Evaluate = Callable[[Edit], Evaluation]


def _remove(plain: dict[str, Any], path: str, node: str) -> None:
    section: Any = plain["roles"]
    for key in path.split("."):
        section = section[key]
    section.remove(node)


def _leaves(d: Delta, node: str) -> dict[str, RecordedResource]:
    return {r.name.removeprefix(f"{node}-leave-"): r for r in d.deleted_commands() if node_of(r) == node}


def _host(resource: RecordedResource) -> str:
    return str(resource.raw_inputs["connection"]["host"])  # the connection is secret (it may hold the key)


def _assert_runs_in_order(d: Delta, steps: list[RecordedResource]) -> None:
    for first, then in pairwise(steps):
        assert d.runs_before(first, then), f"{first.name} must finish before {then.name} is deleted"
        assert not d.runs_before(then, first)


def test_removing_a_worker_drains_then_resets_then_deletes_its_node_and_touches_nothing_else(
        real_evaluation: Evaluation, evaluate_edited: Evaluate) -> None:
    d = delta(real_evaluation, evaluate_edited(lambda p: _remove(p, "kubernetes.workers", "karstark")))
    leaves = _leaves(d, "karstark")
    assert sorted(leaves) == ["kubernetes-delete-node", "kubernetes-drain", "kubernetes-reset"]
    # The only commands that run anything on delete are karstark's leave steps.
    assert [r for r in d.deleted_commands() if node_of(r) != "karstark"] == []
    _assert_runs_in_order(d, [leaves["kubernetes-drain"], leaves["kubernetes-reset"], leaves["kubernetes-delete-node"]])
    # Its join is deleted after the whole leave (nothing of the membership goes first).
    join = real_evaluation.command("karstark-kubeadm-join")
    assert join.urn in d.deleted and d.runs_before(leaves["kubernetes-delete-node"], join)
    bettley, karstark = (str(real_evaluation.spec.node(n).ip) for n in ("bettley", "karstark"))
    assert [_host(leaves[s]) for s in ("kubernetes-drain", "kubernetes-reset", "kubernetes-delete-node")] == [
        bettley, karstark, bettley]
    assert "--grace-period=\"$GT_GRACE_SECONDS\"" in leaves["kubernetes-drain"].inputs["delete"]
    assert "export GT_GRACE_SECONDS=900" in leaves["kubernetes-drain"].inputs["delete"]
    assert d.created == frozenset() and d.updated == frozenset(), sorted(d.created | d.updated)


def test_removing_a_control_plane_member_removes_its_etcd_member_before_its_reset(
        real_evaluation: Evaluation, evaluate_edited: Evaluate) -> None:
    """dalt leaves the control plane, replaced by lipps (a worker before; the mock engine does not mind the move)."""
    def edit(p: dict[str, Any]) -> None:
        p["roles"]["kubernetes"]["controlPlane"] = ["bettley", "cargyll", "lipps"]
        _remove(p, "kubernetes.workers", "lipps")

    d = delta(real_evaluation, evaluate_edited(edit))
    leaves = _leaves(d, "dalt")
    order = ["kubernetes-drain", "kubernetes-etcd-remove", "kubernetes-reset", "kubernetes-delete-node"]
    assert sorted(leaves) == sorted(order)
    _assert_runs_in_order(d, [leaves[s] for s in order])
    assert _host(leaves["kubernetes-etcd-remove"]) == str(real_evaluation.spec.node("bettley").ip)
    assert "export GT_NODE_IP=10.4.0.13" in leaves["kubernetes-etcd-remove"].inputs["delete"]
    assert "--skip-phases=remove-etcd-member" in leaves["kubernetes-reset"].inputs["delete"]


def test_removing_a_hashicorp_server_drains_nomad_then_leaves_vault_then_consul_and_checks_the_peers(
        real_evaluation: Evaluation, evaluate_edited: Evaluate) -> None:
    def edit(p: dict[str, Any]) -> None:
        for service in ("consul", "vault", "nomad"):
            p["roles"][service]["servers"] = ["erenford", "gardener", "harlton"]
        _remove(p, "consul.clients", "harlton")
        _remove(p, "nomad.clients", "fenn")

    d = delta(real_evaluation, evaluate_edited(edit))
    leaves = _leaves(d, "fenn")
    order = ["nomad-leave", "vault-leave", "consul-leave", "consul-check-peers"]
    assert sorted(leaves) == sorted(order)
    assert [r for r in d.deleted_commands() if node_of(r) != "fenn"] == []
    _assert_runs_in_order(d, [leaves[s] for s in order])
    erenford, fenn = (str(real_evaluation.spec.node(n).ip) for n in ("erenford", "fenn"))
    assert [_host(leaves[s]) for s in order] == [fenn, erenford, fenn, erenford]
    # Tokens on stdin, stored encrypted, never in the command.
    for step in ("nomad-leave", "vault-leave"):
        assert leaves[step].inputs["stdin"] == "[secret]" and leaves[step].inputs["logging"] == "none"
    # Elsewhere only what lists the servers changes: agents' join lists, Prometheus, the edge's backends.
    listing = ("-consul-config", "-consul-restart", "-nomad-config", "-nomad-restart", "-vault-config",
               "-vault-restart", "-consul-acl", "-prometheus-config", "-prometheus-rules-hashicorp",
               "-prometheus-rules-quorums", "-haproxy-services-cfg", "-haproxy-services-early")
    others = [r for r in (d.before.by_urn()[u] for u in d.updated) if node_of(r) not in ("fenn", "harlton")]
    moved = [r for r in others if "-leave-" in r.name]
    # ...and the rollout's quorum gates before each reboot, which run on a server of that quorum.
    assert others and [r.name for r in others if r not in moved and not r.name.endswith(listing)
                       and "-healthy-before-" not in r.name] == []
    # erenford's own leave steps ran on fenn; they now run on gardener: only the stored connection changes.
    assert names(moved) == ["erenford-leave-consul-check-peers", "erenford-leave-vault-leave"]
    for leave in moved:
        after = d.after.by_urn()[leave.urn]
        assert {k for k in leave.raw_inputs if leave.raw_inputs[k] != after.raw_inputs.get(k)} == {"connection"}


def test_a_slurm_compute_node_leaving_is_set_drain_on_the_controller(
        real_evaluation: Evaluation, evaluate_edited: Evaluate) -> None:
    d = delta(real_evaluation, evaluate_edited(lambda p: _remove(p, "slurm.compute", "karstark")))
    leaves = _leaves(d, "karstark")
    assert list(leaves) == ["slurm-drain"]
    assert _host(leaves["slurm-drain"]) == str(real_evaluation.spec.node("bettley").ip)


def test_leave_steps_do_nothing_on_create_and_cannot_be_replaced(real_evaluation: Evaluation) -> None:
    """Their create is the membership marker; triggers are ignored (a replace would run the old delete); the delete
    runs even when the node's components go too (no deleted_with)."""
    leaves = [r for r in real_evaluation.of_type("command:remote:Command") if "-leave-" in r.name]
    steps = [s for s in real_evaluation.program.contributions.leave_steps if s.on_leave]  # not forget-only ones
    assert len(leaves) == len(steps) > 0
    scripts = {(s.node, step_name(s)): s.script for s in steps}
    for leave in leaves:
        node, name = leave.name.split("-", 1)
        assert "generated from lifecycle/member.sh;" in leave.inputs["create"]
        assert f"generated from {scripts[(node, name)]};" in leave.inputs["delete"]
        assert "triggers" in leave.ignore_changes
        assert leave.deleted_with == "" and leave.delete_before_replace
        assert "goldentooth:lifecycle:Memberships" in leave.parent


def test_an_unrelated_edit_changes_no_leave_step(real_evaluation: Evaluation, evaluate_edited: Evaluate) -> None:
    """A new Kubernetes patch release re-runs package steps everywhere; no leave step diffs, none is deleted."""
    def edit(p: dict[str, Any]) -> None:
        p["versions"]["kubernetes"] = "1.32.10"

    d = delta(real_evaluation, evaluate_edited(edit))
    assert d.updated, "the edit must change something for this test to mean anything"
    assert not [u for u in d.updated | d.deleted | d.created if "-leave-" in u]


def test_steps_of_one_node_are_chained_in_order_whatever_order_layers_list_them() -> None:
    steps = (LeaveStep("b", "n", "n", "x.sh", order=30), LeaveStep("a", "n", "p", "y.sh", order=10),
             LeaveStep("c", "m", "m", "z.sh"), LeaveStep("a", "n", "n", "w.sh", order=10))
    chains = ordered(steps)
    assert [step_name(s) for s in chains["n"]] == ["leave-a-w", "leave-a-y", "leave-b-x"]
    assert [step_name(s) for s in chains["m"]] == ["leave-c-z"]


def test_a_leave_step_naming_an_unknown_secret_is_refused() -> None:
    from components.ssh import SshTarget

    target = SshTarget("10.4.0.20", "root")
    with pytest.raises(KeyError, match="needs the secret 'token'"):
        _leave(None, LeaveStep("v", "n", "n", "hashicorp/vault/leave.sh", secret="token"),  # type: ignore[arg-type]
               MembershipsArgs("n", (), {"n": target}), [])


def test_memberships_export_every_role_list_and_the_init_node(real_evaluation: Evaluation) -> None:
    exported = memberships(real_evaluation.spec).export()
    members = exported["members"]
    assert isinstance(members, dict)
    assert members["roles.kubernetes.controlPlane"] == ["bettley", "cargyll", "dalt"]
    assert "karstark" in members["roles.kubernetes.workers"] and exported["kubeadmInit"] == "bettley"
    assert copy.deepcopy(exported) == memberships(real_evaluation.spec).export()  # stable

"""The node layer's rollout (issue 11 item 4) on the real inventory: reboot windows of at most
`rollout.maxParallel`, quorum members and the API load balancer kept apart, and the dependency chain
reboot-check -> quorum gates and drain -> reboot -> wait-boot -> uncordon -> the next window, for nodes in service,
after the bootstrap layers."""

import copy
from collections.abc import Callable
from itertools import pairwise
from typing import Any

import pytest

from cluster.registry import collect_contributions
from config.errors import ConfigError
from config.load import parse_spec
from nodes.rollout.plan import conflicts, rollout_plan
from offline.evaluate import Evaluation
from offline.graph import build_graph
from tests.conftest import Edit
from tests.rollout_support import Graph, plan_of

ADMIN = "bettley"  # roles.kubernetes.controlPlane[0]: drains and uncordons run there


@pytest.fixture(scope="module")
def graph(real_evaluation: Evaluation) -> Graph:
    return Graph(real_evaluation)


def test_every_node_is_in_exactly_one_window_of_at_most_max_parallel(real_evaluation: Evaluation) -> None:
    spec = real_evaluation.spec
    plan = plan_of(real_evaluation)
    placed = [n for w in plan.windows for n in w]
    assert sorted(placed) == sorted(n.name for n in spec.nodes)
    assert spec.rollout.max_parallel is None and spec.rollout.batch_size(13) == 4
    assert all(len(w) <= 4 for w in plan.windows)
    # 16 Pis, 4 at once, three-member quorums: four windows are the fewest possible; velaryon (no reboot, the
    # least constrained) rolls its runtime last
    pi_windows = [w for w in plan.windows if any(spec.node(n).is_pi for n in w)]
    assert len(pi_windows) == 4 and plan.windows[-1] == ("velaryon",)


def test_quorum_members_and_the_load_balancer_with_a_control_plane_node_never_share_a_window(
    real_evaluation: Evaluation,
) -> None:
    spec = real_evaluation.spec
    checks = collect_contributions(spec).quorum_checks
    assert {c.name for c in checks} >= {"etcd", "consul", "vault", "nomad", "seaweedfs-master", "slurm-controllers"}
    for window in plan_of(real_evaluation).windows:
        for check in checks:
            assert len(set(window) & set(check.members)) <= 1, (check.name, window)
        if spec.roles.haproxy in window:
            assert not set(window) & set(spec.roles.kubernetes.control_plane), window


def test_the_windows_do_not_depend_on_the_order_of_any_list(real_plain: dict[str, Any]) -> None:
    spec = parse_spec(real_plain)
    shuffled = copy.deepcopy(real_plain)
    shuffled["nodes"] = list(reversed(shuffled["nodes"]))
    for role in ("kubernetes", "consul", "nomad", "seaweedfs", "slurm"):
        for key, value in shuffled["roles"][role].items():
            if isinstance(value, list) and all(isinstance(v, str) for v in value):
                shuffled["roles"][role][key] = list(reversed(value))
    other = parse_spec(shuffled)
    pis = [n.name for n in spec.nodes if n.is_pi]
    # The first control-plane node (etcd's run_on) moves with the list; the windows do not.
    assert (rollout_plan(spec, collect_contributions(spec).quorum_checks, pis)
            == rollout_plan(other, collect_contributions(other).quorum_checks, pis))


def test_each_kubernetes_pi_is_drained_before_its_reboot_and_uncordoned_after_its_wait(graph: Graph) -> None:
    spec = graph.ev.spec
    kubernetes = {*spec.roles.kubernetes.control_plane, *spec.roles.kubernetes.workers}
    for node in (n.name for n in spec.nodes if n.is_pi):
        assert graph.after(f"{node}-reboot", f"{node}-reboot-check")
        if node not in kubernetes:
            assert f"{ADMIN}-reboot-drain-{node}" not in graph.by_name
            continue
        drain, uncordon = f"{ADMIN}-reboot-drain-{node}", f"{ADMIN}-reboot-uncordon-{node}"
        assert graph.after(drain, f"{node}-reboot-check")
        assert graph.after(f"{node}-reboot", drain)
        assert graph.after(uncordon, f"{node}-wait-boot")
        # both act only for a node that really reboots: they read its reboot-check line, and re-run with it
        for step in (drain, uncordon):
            assert graph.step(step).raw_inputs.get("stdin") is not None
            assert graph.step(f"{node}-reboot-check").urn in graph.step(step).dependencies
            assert set(graph.step(f"{node}-reboot").raw_inputs["triggers"][1:]) <= set(
                graph.step(step).raw_inputs["triggers"])


def test_drains_use_the_reference_grace_period(graph: Graph) -> None:
    create = graph.step(f"{ADMIN}-reboot-drain-cargyll").raw_inputs["create"]
    assert "export GT_GRACE_SECONDS=900" in create
    assert "--grace-period=\"$GT_GRACE_SECONDS\"" in create


def test_a_window_starts_only_after_the_previous_one_is_back_and_uncordoned(graph: Graph) -> None:
    spec = graph.ev.spec
    kubernetes = {*spec.roles.kubernetes.control_plane, *spec.roles.kubernetes.workers}
    windows = [w for w in ([n for n in w if spec.node(n).is_pi] for w in plan_of(graph.ev).windows) if w]
    for earlier, later in pairwise(windows):
        for node in later:
            for previous in earlier:
                assert graph.after(f"{node}-reboot", f"{previous}-wait-boot"), (node, previous)
                if previous in kubernetes:
                    assert graph.after(f"{node}-reboot", f"{ADMIN}-reboot-uncordon-{previous}"), (node, previous)
    # within a window, every reboot waits for every drain of the window (a drain through the load balancer
    # never races the load balancer's own reboot)
    for window in windows:
        for node in window:
            for other in window:
                if other in kubernetes:
                    assert graph.after(f"{node}-reboot", f"{ADMIN}-reboot-drain-{other}"), (node, other)
    # and no window waits for a later one
    for earlier, later in pairwise(windows):
        for node in earlier:
            for next_node in later:
                assert not graph.after(f"{node}-reboot", f"{next_node}-wait-boot")


def test_a_quorum_member_reboots_only_after_its_health_gate_which_follows_the_previous_member(graph: Graph) -> None:
    spec = graph.ev.spec
    plan = plan_of(graph.ev)
    for check in collect_contributions(spec).quorum_checks:
        windows = {m: w for m in check.members if (w := plan.window_of(m)) is not None}
        members = sorted(windows, key=windows.__getitem__)
        for index, member in enumerate(members):
            gate = f"{check.run_on}-{check.name}-healthy-before-{member}"
            assert graph.after(f"{member}-reboot", gate), gate
            assert graph.after(gate, f"{member}-reboot-check")
            create = graph.step(gate).raw_inputs["create"]
            assert check.command.split(" ")[0] in create  # the contributed command itself
            if index > 0:
                assert graph.after(gate, f"{members[index - 1]}-wait-boot"), (gate, members[index - 1])
    # the etcd gate runs on the first control-plane node against every member's client URL
    etcd = graph.step(f"{ADMIN}-etcd-healthy-before-cargyll").raw_inputs["create"]
    for ip in ("10.4.0.11", "10.4.0.12", "10.4.0.13"):
        assert f"https://{ip}:2379/health" in etcd


def test_the_load_balancer_never_reboots_in_a_control_plane_window(graph: Graph) -> None:
    spec = graph.ev.spec
    lb_window = plan_of(graph.ev).window_of(spec.roles.haproxy)
    for cp in spec.roles.kubernetes.control_plane:
        assert plan_of(graph.ev).window_of(cp) != lb_window
        # ordered one way or the other: one of the two waits for the other's return
        assert (graph.after(f"{cp}-reboot", f"{spec.roles.haproxy}-wait-boot")
                or graph.after(f"{spec.roles.haproxy}-reboot", f"{cp}-wait-boot"))


def test_the_batch_size_is_a_setting(evaluate_edited: Callable[[Edit], Evaluation]) -> None:
    def two(plain: dict[str, Any]) -> None:
        plain["rollout"] = {"maxParallel": 2, "healthTimeoutSeconds": 30}

    ev = evaluate_edited(two)
    windows = plan_of(ev).windows
    assert all(len(w) <= 2 for w in windows) and sum(len(w) == 2 for w in windows) == 8
    graph = Graph(ev)
    pis = [w for w in windows if all(ev.spec.node(n).is_pi for n in w)]
    for earlier, later in pairwise(pis):
        assert all(graph.after(f"{n}-reboot", f"{p}-wait-boot") for n in later for p in earlier)
    gate = graph.step(f"{ADMIN}-etcd-healthy-before-dalt").raw_inputs["create"]
    assert "export GT_TIMEOUT=30" in gate


def test_one_at_a_time_reboots_every_pi_alone(evaluate_edited: Callable[[Edit], Evaluation]) -> None:
    ev = evaluate_edited(lambda plain: plain.update(rollout={"maxParallel": 1}))
    assert [len(w) for w in plan_of(ev).windows] == [1] * 17


@pytest.mark.parametrize(("value", "message"), [
    (0, "rollout.maxParallel: must be at least 1"),
    (13, "rollout.maxParallel: 13 would reboot all 13 Kubernetes workers (roles.kubernetes.workers) in one window"),
])
def test_an_unsafe_batch_size_is_rejected_with_its_path(real_plain: dict[str, Any], value: int, message: str) -> None:
    plain = copy.deepcopy(real_plain)
    plain["rollout"] = {"maxParallel": value}
    with pytest.raises(ConfigError) as raised:
        parse_spec(plain)
    assert message in str(raised.value)


def test_a_container_runtime_change_rolls_window_by_window(graph: Graph) -> None:
    """On nodes in service a containerd change is applied by `containerd-rolling`, one window at a time, never on
    all 16 nodes at once (the bootstrap `containerd` step leaves it to that step there: containerd.sh)."""
    spec = graph.ev.spec
    kubernetes = {*spec.roles.kubernetes.control_plane, *spec.roles.kubernetes.workers}
    windows = [[n for n in w if n in kubernetes] for w in plan_of(graph.ev).windows]
    windows = [w for w in windows if w]
    for earlier, later in pairwise(windows):
        for node in later:
            for previous in earlier:
                assert graph.after(f"{node}-containerd-rolling", f"{previous}-containerd-rolling"), (node, previous)
    for window in windows:
        for node in window:
            assert graph.after(f"{node}-containerd-rolling", f"{node}-containerd")
            assert not any(graph.after(f"{node}-containerd-rolling", f"{other}-containerd-rolling")
                           for other in window)
            if spec.node(node).is_pi:  # after its own rolling reboot: it runs the boot it keeps
                assert graph.after(f"{node}-containerd-rolling", f"{node}-wait-boot")


def test_the_bootstrap_of_a_node_waits_for_no_other_node(graph: Graph) -> None:
    """A fresh node's runtime and packages install side by side with every other node's: the only cross-node
    order in a bootstrap is the cluster's own (kubeadm init before the joins), never a rollout window."""
    spec = graph.ev.spec
    for node in (*spec.roles.kubernetes.control_plane, *spec.roles.kubernetes.workers):
        for step in (f"{node}-containerd", f"{node}-kubernetes-packages"):
            others = {a for a in graph.ancestors(step) if not a.startswith(f"{node}-")}
            assert others == set(), (step, sorted(others))


def test_the_default_batch_leaves_a_worker_up_on_a_small_cluster() -> None:
    from config.rollout import RolloutSpec

    assert [RolloutSpec().batch_size(w) for w in (0, 1, 2, 3, 5, 13)] == [1, 1, 1, 2, 4, 4]
    assert RolloutSpec(max_parallel=6).batch_size(13) == 6


def test_conflicts_are_symmetric(real_evaluation: Evaluation) -> None:
    spec = real_evaluation.spec
    apart = conflicts(spec, collect_contributions(spec).quorum_checks)
    assert all(a in apart[b] for a, others in apart.items() for b in others)
    assert apart["allyrion"] == {"bettley", "cargyll", "dalt"}


@pytest.fixture(scope="module")
def full_graph(real_evaluation: Evaluation) -> tuple[dict[str, str], dict[str, set[str]]]:
    """label -> urn, and urn -> every urn it waits for, with a dependency on a component meaning one on every box
    inside it (offline/graph.py), as the engine orders them."""
    g = build_graph(real_evaluation)
    parents: dict[str, set[str]] = {}
    for a, b in g.edges:
        parents.setdefault(b, set()).add(a)
    closure: dict[str, set[str]] = {}

    def upstream(urn: str) -> set[str]:
        if urn not in closure:
            closure[urn] = set()
            found: set[str] = set()
            for p in parents.get(urn, ()):
                found |= {p, *upstream(p)}
            closure[urn] = found
        return closure[urn]

    return {n.label: n.urn for n in g.nodes}, {n.urn: upstream(n.urn) for n in g.nodes}


def test_rolling_reboots_start_after_the_bootstrap_layers_and_the_later_layers_wait_for_them(
    full_graph: tuple[dict[str, str], dict[str, set[str]]],
) -> None:
    """The cluster's bootstrap (edge, kubeadm) waits for no rollout window, so a rolling reboot never overlaps a
    bootstrap step; a later layer's restart on a node waits for that node's rolling reboot."""
    urn, upstream = full_graph

    def after(later: str, earlier: str) -> bool:
        return urn[earlier] in upstream[urn[later]]

    for node in ("allyrion", "bettley", "cargyll", "erenford"):
        assert after(f"{node}-reboot", "bettley-read-kubeconfig")
        assert after(f"{node}-reboot", "allyrion-haproxy-drop-in")
        assert not after("bettley-read-kubeconfig", f"{node}-reboot")
        assert not after("bettley-kubeadm-init", f"{node}-wait-boot")
    for node in ("erenford", "fenn", "gardener"):
        assert after(f"{node}-consul-restart", f"{node}-wait-boot")
    # a fresh node's own reboot comes first: its bootstrap waits for it
    assert after("cargyll-kubeadm-join", "cargyll-wait-fresh-boot")
    assert after("allyrion-haproxy-install", "allyrion-wait-fresh-boot")


def test_a_layer_built_before_the_rollout_cannot_wait_for_the_final_boot_by_mistake(
    real_evaluation: Evaluation,
) -> None:
    """`Node.os_ready` is only complete once the rollout has registered the node's rolling reboot; reading it
    earlier fails with what to use instead, rather than ordering nothing."""
    from nodes.node import Node

    node = Node.__new__(Node)
    node.spec = real_evaluation.spec.node("fenn")
    node._ready = None
    with pytest.raises(RuntimeError, match=r"before the rollout completed the node.*`booted`"):
        _ = node.os_ready

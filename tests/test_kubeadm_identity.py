"""The kubeadm bootstrap's identity and order: the init node is a setting or a rule, never a list position; the
cluster name and kubeconfig context come from config with the live cluster's defaults; the CA the init node holds
is looked at first; a joined node's address is checked before its join re-runs; and the critical path from bare
nodes to a converged cluster is at most 12 sequential remote steps (issue 12 item 8)."""

import json
from collections.abc import Callable
from typing import Any

from k8s.kubeadm.init import ca_pin
from offline.critical_path import REMOTE_STEP, cluster_critical_path, critical_path
from offline.evaluate import Evaluation
from offline.graph import Graph, GraphNode, build_graph
from offline.plan import plan_document

Edit = Callable[[dict[str, Any]], None]
# Issue 12 item 8: at most 12. The path is clock, reboot-check (a fresh node reboots there, with no window),
# wait-fresh-boot, HAProxy's install, core and services files and drop-in, init, credentials, two control-plane
# joins (one etcd member at a time), the kubeconfig read. The rolling reboots of nodes in service (rollout/, issue
# 11 item 4) run after the bootstrap layers, so they are not on it.
CRITICAL_PATH_BUDGET = 12


def _resources(ev: Evaluation) -> dict[str, str]:
    return {e["urn"]: json.dumps(e, sort_keys=True) for e in plan_document(ev)["resources"]}


def test_reordering_the_control_plane_and_the_workers_changes_nothing(
    evaluate_edited: Callable[[Edit], Evaluation], real_evaluation: Evaluation
) -> None:
    def reverse(plain: dict[str, Any]) -> None:
        k8s = plain["roles"]["kubernetes"]
        k8s["controlPlane"] = list(reversed(k8s["controlPlane"]))
        k8s["workers"] = list(reversed(k8s["workers"]))

    reordered = evaluate_edited(reverse)
    assert _resources(reordered) == _resources(real_evaluation)


def test_the_init_node_is_the_first_control_plane_by_name_or_the_explicit_setting(
    evaluate_edited: Callable[[Edit], Evaluation], real_evaluation: Evaluation
) -> None:
    assert real_evaluation.command("bettley-kubeadm-init").protect
    explicit = evaluate_edited(lambda p: p.setdefault("kubernetes", {}).update(initNode="bettley"))
    assert _resources(explicit) == _resources(real_evaluation)

    moved = evaluate_edited(lambda p: p.setdefault("kubernetes", {}).update(initNode="dalt"))
    assert moved.command("dalt-kubeadm-init").protect
    assert not [r.name for r in moved.resources if r.name == "bettley-kubeadm-init"]
    # The other control planes join in name order after it; every credentials step runs on the init node.
    assert moved.waits_for(moved.command("bettley-kubeadm-join"), moved.command("dalt-kubeadm-init"))
    assert moved.waits_for(moved.command("cargyll-kubeadm-join"), moved.command("bettley-kubeadm-join"))
    credentials = [r.name for r in moved.resources if "-join-credentials-for-" in r.name]
    assert credentials and all(n.startswith("dalt-join-credentials-for-") for n in credentials)


def test_cluster_name_and_context_default_to_the_live_clusters_and_follow_config(
    evaluate_edited: Callable[[Edit], Evaluation], real_evaluation: Evaluation
) -> None:
    init_config = real_evaluation.file("bettley", "/etc/kubernetes/goldentooth/kubeadm-init.yaml")
    assert "clusterName: kubernetes\n" in init_config
    provider = real_evaluation.named("goldentooth-kubernetes", "pulumi:providers:kubernetes")
    assert provider.inputs["context"] == "kubernetes-admin@kubernetes"

    named = evaluate_edited(lambda p: p.setdefault("kubernetes", {}).update(clusterName="goldentooth"))
    assert "clusterName: goldentooth\n" in named.file("bettley", "/etc/kubernetes/goldentooth/kubeadm-init.yaml")
    assert named.named("goldentooth-kubernetes", "pulumi:providers:kubernetes").inputs["context"] == (
        "kubernetes-admin@goldentooth")
    explicit = evaluate_edited(lambda p: p.setdefault("kubernetes", {}).update(kubeconfigContext="admin@lab"))
    assert explicit.named("goldentooth-kubernetes", "pulumi:providers:kubernetes").inputs["context"] == "admin@lab"


def test_a_pinned_ca_fingerprint_reaches_the_look_normalised_and_nothing_else(
    evaluate_edited: Callable[[Edit], Evaluation], real_evaluation: Evaluation
) -> None:
    assert "export GT_CA_FINGERPRINT=''\n" in real_evaluation.file("bettley", "_steps/kubeadm-adopt.sh")
    colons = ":".join(["AB"] * 32)
    pinned = evaluate_edited(lambda p: p.setdefault("kubernetes", {}).update(caFingerprint=colons))
    assert f"export GT_CA_FINGERPRINT={'ab' * 32}\n" in pinned.file("bettley", "_steps/kubeadm-adopt.sh")
    before, after = _resources(real_evaluation), _resources(pinned)
    changed = sorted(u.rsplit("::", 1)[1] for u in before if before[u] != after.get(u))
    assert changed == ["bettley-kubeadm-adopt"]


def test_an_address_change_re_runs_the_nodes_join_pair_whose_credentials_step_rejects_it(
    evaluate_edited: Callable[[Edit], Evaluation], real_evaluation: Evaluation
) -> None:
    """Changing a joined node's address is not done in place: the credentials step compares the Node's
    registered InternalIP with config before anything of the join runs, and says how to do it."""
    def move(plain: dict[str, Any]) -> None:
        next(n for n in plain["nodes"] if n["name"] == "fenn")["ip"] = "10.4.0.99"

    moved = evaluate_edited(move)
    before, after = _resources(real_evaluation), _resources(moved)
    changed = {u.rsplit("::", 1)[1] for u in before if before[u] != after.get(u)}
    assert {"bettley-join-credentials-for-fenn", "fenn-kubeadm-join", "fenn-kubeadm-join-config"} <= changed
    script = moved.file("bettley", "_steps/join-credentials-for-fenn.sh")
    assert "export GT_FOR_IP=10.4.0.99\n" in script
    assert script.index("InternalIP") < script.index("upload-certs") < script.index("kind: Secret")
    assert "Changing a node's address" in script


def test_the_init_step_prints_the_pin_last_and_a_placeholder_passes_through() -> None:
    pin = "sha256:" + "0f" * 32
    assert ca_pin(f"control plane already initialised\n{pin}\n") == pin
    assert ca_pin("[placeholder stdout of bettley-kubeadm-init]") == "[placeholder stdout of bettley-kubeadm-init]"


def test_the_critical_path_to_a_converged_cluster_stays_within_its_budget(real_evaluation: Evaluation) -> None:
    path = cluster_critical_path(real_evaluation)
    assert path.length <= CRITICAL_PATH_BUDGET, path.describe()
    assert path.chain[-1].label == "bettley-read-kubeconfig"
    assert all(n.type == REMOTE_STEP for n in path.chain)
    graph = build_graph(real_evaluation)
    deps: dict[str, set[str]] = {b: set() for _, b in graph.edges}
    for a, b in graph.edges:
        deps[b].add(a)

    def reaches(later: str, earlier: str) -> bool:
        seen: set[str] = set()
        todo = [later]
        while todo:
            at = todo.pop()
            if at == earlier:
                return True
            if at not in seen:
                seen.add(at)
                todo += deps.get(at, ())
        return False

    for earlier, later in zip(path.chain, path.chain[1:], strict=False):
        assert reaches(later.urn, earlier.urn), f"{later.label} does not wait for {earlier.label}"


def test_the_critical_path_counts_remote_steps_only_and_takes_the_longest_chain() -> None:
    def box(name: str, type_: str = REMOTE_STEP) -> GraphNode:
        return GraphNode(name, name, type_, "k8s", None)

    nodes = (box("a"), box("b"), box("c"), box("p", "pulumi:providers:kubernetes"), box("d"), box("e"))
    # a → b → c → e is three steps before e; a → p → d → e only two (the provider costs nothing).
    edges = (("a", "b"), ("b", "c"), ("c", "e"), ("a", "p"), ("p", "d"), ("d", "e"))
    path = critical_path(Graph(nodes, edges))
    assert [n.label for n in path.chain] == ["a", "b", "c", "e"] and path.length == 4
    assert critical_path(Graph(nodes, edges), ending_at="d").length == 2

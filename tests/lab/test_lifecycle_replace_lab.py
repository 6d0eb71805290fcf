"""Lab: a control-plane member is replaced (README, "Replace hardware").

The config rules and the transition rules decide the shape: etcd's control plane stays odd (config/rules.py), so
neither half can be its own `up` (dalt leaving alone leaves 2 members, a new member alone makes 4; both refused,
with their messages), and at most one member leaves per `up` (lifecycle/transitions.py). The safe change is one
`up` that swaps dalt for a new node, quellon, and a second `up` that finds nothing to do. The engine creates before
it deletes: in the first `up` quellon's join pair runs (the init node renews the token and uploads the control-plane
certificates, then quellon joins as a control plane), then dalt's leave steps run from their stored deletes, in
the order the state's edges impose (drain and etcd member removal on bettley, `kubeadm reset` on dalt, its Node
object deleted on bettley), each once. Real SSH to the lab hosts bettley, dalt and quellon; kubectl, kubeadm and
etcdctl are the stand-ins of tests/lab/lifecycle, which log every call with a timestamp."""

import copy
import datetime
import os
import re
from pathlib import Path
from typing import Any

import pytest

from config.errors import ConfigError
from config.load import load, read_stack_file
from k8s.kubeadm.config import JOIN_CONFIG_PATH
from lifecycle.memberships import memberships
from lifecycle.transitions import transition_violations
from offline.evaluate import Evaluation, evaluate
from tests.conftest import STACK_FILE, fake_secret_values
from tests.lab.apply import apply
from tests.lab.lifecycle_lab import (
    api_endpoint,
    calls,
    engine_text,
    install_standins,
    run,
    run_step,
    seed_control_plane,
    seed_joined,
    sh,
)
from tests.lab.node_lab import node_lab, prerequisites
from tests.lab.test_lifecycle_leave import engine_delete_order
from tests.lifecycle_support import delta, node_of
from tests.nodes_support import Step

pytestmark = pytest.mark.lab
INIT, LEAVING, NEW = "bettley", "dalt", "quellon"
QUELLON = {"name": NEW, "model": "pi4b-4gb", "os": "raspios-bookworm", "mac": "dc:a6:32:00:00:01",
           "ip": "10.4.0.26", "hostIndex": 16, "emoji": "🐙", "prompt": {"primary": 51, "secondary": 250, "tertiary": 32},
           "disks": [{"device": "/dev/mmcblk0", "sizeGb": 128, "kind": "sd", "purpose": "root"}]}


def _remove(p: dict[str, Any]) -> None:
    p["roles"]["kubernetes"]["controlPlane"].remove(LEAVING)


def _add(p: dict[str, Any]) -> None:
    p["nodes"].append(copy.deepcopy(QUELLON))
    p["roles"]["kubernetes"]["controlPlane"].append(NEW)


def _edited(plain: dict[str, Any], *edits: Any) -> dict[str, Any]:
    edited = copy.deepcopy(plain)
    for edit in edits:
        edit(edited)
    return edited


def _problems(plain: dict[str, Any], previous: Any) -> list[str]:
    try:
        spec, _ = load(plain, fake_secret_values(), require_secrets=False)
    except ConfigError as exc:
        return [str(v) for v in exc.violations]
    return [str(v) for v in transition_violations(previous, spec)]


def _evaluate(plain: dict[str, Any]) -> Evaluation:
    return evaluate(plain, fake_secret_values(), provider_config={"aws:region": "us-east-1"})


def test_each_half_of_a_control_plane_replacement_is_refused_and_the_swap_in_one_up_is_safe() -> None:
    plain, _ = read_stack_file(STACK_FILE)
    spec, _ = load(plain, fake_secret_values(), require_secrets=False)
    previous = memberships(spec)
    assert _problems(_edited(plain, _remove), previous) == [
        "roles.kubernetes.controlPlane: the etcd quorum has 2 members: it survives no more failures than 1 members "
        "would, and a split vote can stall it; use an odd number"]
    assert _problems(_edited(plain, _add), previous) == [
        "roles.kubernetes.controlPlane: the etcd quorum has 4 members: it survives no more failures than 3 members "
        "would, and a split vote can stall it; use an odd number"]
    # Two members out in one swap is refused by the transition rule, with the two `up`s that are safe.
    two = _edited(plain, _add, lambda p: p["nodes"].append({**copy.deepcopy(QUELLON), "name": "rykker",
                                                          "mac": "dc:a6:32:00:00:02", "ip": "10.4.0.27",
                                                          "hostIndex": 17}),
                  lambda p: p["roles"]["kubernetes"]["controlPlane"].append("rykker"), _remove,
                  lambda p: p["roles"]["kubernetes"]["controlPlane"].remove("cargyll"))
    assert _problems(two, previous) == [
        "roles.kubernetes.controlPlane: removes cargyll, dalt from the etcd quorum in one "
        "`up`; a quorum loses one member per `up`, after the last leave finished and the quorum is healthy. Two steps:"
        " 1) set roles.kubernetes.controlPlane to [bettley, dalt, quellon] and `pulumi up`; 2) set it to [bettley, "
        "quellon, rykker] and `pulumi up`"]
    assert _problems(_edited(plain, _add, _remove), previous) == []


def _seed(lab: Any, ev: Evaluation) -> None:
    for host in (INIT, LEAVING, NEW):
        install_standins(lab, host)
    control_plane = ["bettley", "cargyll", LEAVING]
    seed_control_plane(lab, INIT, {n: str(ev.spec.node(n).ip) for n in control_plane}, control_plane)
    seed_joined(lab, LEAVING, control_plane=True)


def test_a_control_plane_member_is_swapped_in_one_up_new_member_joining_before_the_old_one_leaves(
        tmp_path: Path) -> None:
    reason = prerequisites()
    if reason is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    plain, _ = read_stack_file(STACK_FILE)
    before, after = _evaluate(plain), _evaluate(_edited(plain, _add, _remove))
    d = delta(before, after)
    # On the nodes that stay, only what lists every node or every control plane re-runs: hosts files, the
    # load balancer's backends, Prometheus' targets and quorum rules, the etcd gates, the init config's list.
    changed = {before.by_urn()[u].name for u in d.updated}
    listing = {f"{n.name}-{s}" for n in before.spec.nodes for s in ("identity", "hosts-upload")} | {
        "allyrion-haproxy-core-cfg", "allyrion-haproxy-services-cfg", "allyrion-haproxy-services-early",
        "allyrion-prometheus-config", "allyrion-prometheus-rules-quorums", "bettley-etcd-healthy-before-bettley",
        "bettley-etcd-healthy-before-cargyll", "bettley-kubeadm-init-config"}
    assert changed == listing
    deleted = engine_delete_order(d)
    assert [r.name for r in deleted] == [f"{LEAVING}-leave-kubernetes-{s}"
                                         for s in ("drain", "etcd-remove", "reset", "delete-node")]
    created = after.by_urn()
    joins = [created[u] for u in sorted(d.created) if created[u].name in (
        f"{INIT}-join-credentials-for-{NEW}", f"{NEW}-kubeadm-join-config", f"{NEW}-kubeadm-join")]
    assert len(joins) == 3
    assert {node_of(created[u]) for u in d.created if created[u].type == "command:remote:Command"} == {INIT, NEW}

    with node_lab(after, [INIT, LEAVING, NEW], tmp_path / "lab") as lab:
        _seed(lab, after)
        # `up` #1, creates first: the new member's join pair, in dependency order.
        with api_endpoint(lab, after.spec.node(after.spec.roles.haproxy).ip, after.spec.kubernetes.api_port):
            result = apply([Step(node_of(r), r.name, r) for r in joins], lambda s: run_step(lab, s), workers=2)
        assert result.failed is None, result.report()
        # Then the deletes, each as stored in the state (`before`), dependents first.
        outcomes = [run(lab, r, "delete") for r in deleted]
        for resource, outcome in zip(deleted, outcomes, strict=True):
            assert outcome.returncode == 0, f"{resource.name}\n{outcome.stdout}\n{outcome.stderr}"
        token_id = engine_text(after, str(joins[0].raw_inputs["stdin"])).split(".", 1)[0]
        dalt_etcd = sh(lab, INIT, "cat /var/lib/lab-k8s/etcd-members")  # after: without dalt
        mutating = [(host, call) for _, host, call in calls(lab, [INIT, LEAVING, NEW])
                    if not call.startswith(("kubectl get", "etcdctl member list", "etcdctl endpoint health"))]
        removed_id = next(c for _, c in mutating if c.startswith("etcdctl member remove")).split()[-1]
        assert mutating == [
            (INIT, "kubeadm init phase upload-certs --upload-certs --config " + mutating[0][1].split()[-1]),
            (INIT, "kubectl apply --server-side --field-manager=goldentooth -f -"),
            (NEW, f"kubeadm join --config {JOIN_CONFIG_PATH}"),
            (INIT, f"kubectl cordon {LEAVING}"),
            (INIT, f"kubectl drain {LEAVING} --ignore-daemonsets --delete-emptydir-data --grace-period=900 "
                   "--timeout=20m"),
            (INIT, f"etcdctl member remove {removed_id}"),
            (LEAVING, "kubeadm reset --force --skip-phases=remove-etcd-member"),
            (INIT, f"kubectl delete node {LEAVING} --wait=true"),
        ], mutating
        assert [line.split(", ")[2] for line in dalt_etcd.splitlines()] == ["bettley", "cargyll"]
        # The new member joined as a control plane with the token the init node had just made valid.
        joined = sh(lab, NEW, "cat /var/lib/lab-k8s/joins").split()
        assert joined[1:] == [token_id, "control-plane"]
        secret = sh(lab, INIT, f"cat /var/lib/lab-k8s/secrets/bootstrap-token-{token_id}")
        expiry = re.search(r'expiration: "([^"]+)"', secret)
        assert expiry is not None
        expires = datetime.datetime.strptime(expiry.group(1), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.UTC)
        assert expires.timestamp() > int(joined[0]) / 1e9 + 3600, "valid two hours from the credentials step"
        assert sh(lab, NEW, "ls /etc/kubernetes/manifests").split() == ["etcd.yaml", "kube-apiserver.yaml"]
        assert sh(lab, LEAVING, "ls -A /etc/kubernetes/manifests; systemctl is-enabled kubelet.service || true"
                  ).split() == ["disabled"]
        assert sh(lab, INIT, "ls /var/lib/lab-k8s/nodes").split() == ["bettley", "cargyll"]
        # `up` #2: the same config again; nothing is created, updated or deleted, so nothing runs anywhere.
        again = delta(after, _evaluate(_edited(plain, _add, _remove)))
        assert (again.created, again.updated, again.deleted) == (frozenset(), frozenset(), frozenset())
        # And were a delete retried (the engine retries a failed one), it changes nothing.
        retried = [run(lab, r, "delete") for r in deleted]
        assert [(o.returncode, o.changes) for o in retried] == [(0, [])] * 4, [o.stderr for o in retried]
        assert len(sh(lab, NEW, "cat /var/lib/lab-k8s/joins").splitlines()) == 1

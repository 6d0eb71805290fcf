"""Storage's leave steps under the mock engine (storage/seaweedfs/leave.py, storage/zfs/leave.py): what a `pulumi up`
from the real stack to one with a node taken out of a SeaweedFS or ZFS role deletes, in which order its leaves
run and where, and that nothing else runs anything (tests/lifecycle_support.py models the engine)."""

import re
import shlex
from collections.abc import Callable
from itertools import pairwise
from typing import Any

from config.errors import Violation
from lifecycle.memberships import memberships
from lifecycle.transitions import transition_violations
from offline.evaluate import Evaluation
from offline.recorder import RecordedResource
from tests.conftest import Edit
from tests.lifecycle_support import Delta, delta, names, node_of

Evaluate = Callable[[Edit], Evaluation]


def _QUOTED(value: str) -> str:  # noqa: N802
    """How a quoted header value reads inside the stored delete (`bash -c '<script>'`, quoted again)."""
    return shlex.quote(value).replace("'", "'\"'\"'")


def _leaves(d: Delta, node: str) -> dict[str, RecordedResource]:
    return {r.name.removeprefix(f"{node}-leave-"): r for r in d.deleted_commands() if node_of(r) == node}


def _host(resource: RecordedResource) -> str:
    return str(resource.raw_inputs["connection"]["host"])


def _ip(ev: Evaluation, node: str) -> str:
    return str(ev.spec.node(node).ip)


def _in_order(d: Delta, steps: list[RecordedResource]) -> None:
    for first, then in pairwise(steps):
        assert d.runs_before(first, then) and not d.runs_before(then, first), (first.name, then.name)


def _spare(p: dict[str, Any], node: str, purpose: str) -> None:
    """A node out of a storage role keeps its data disk, marked `spare` (config/meaning.py asks for that)."""
    for disk in next(n for n in p["nodes"] if n["name"] == node)["disks"]:
        if disk.get("purpose") == purpose:
            disk["purpose"] = "spare"


def _leave_role(path: str, node: str, purpose: str | None = None) -> Edit:
    def edit(p: dict[str, Any]) -> None:
        section: Any = p["roles"]
        for key in path.split("."):
            section = section[key]
        section.remove(node)
        if purpose is not None:
            _spare(p, node, purpose)
    return edit


def _only(d: Delta, node: str) -> None:
    """The only deletes that run anything are `node`'s leave steps."""
    assert [r.name for r in d.deleted_commands() if node_of(r) != node] == []
    assert all("-leave-" in r.name for r in d.deleted_commands())


def test_a_volume_server_leaving_is_evacuated_on_a_master_then_stopped_and_its_disk_kept(
        real_evaluation: Evaluation, evaluate_edited: Evaluate) -> None:
    d = delta(real_evaluation, evaluate_edited(_leave_role("seaweedfs.volumes", "payne", "seaweedfs")))
    leaves = _leaves(d, "payne")
    assert sorted(leaves) == ["seaweedfs-volume-leave-volume", "seaweedfs-volume-stop"]
    _in_order(d, [leaves["seaweedfs-volume-leave-volume"], leaves["seaweedfs-volume-stop"]])
    _only(d, "payne")
    assert _host(leaves["seaweedfs-volume-leave-volume"]) == _ip(real_evaluation, "manderly")
    assert _host(leaves["seaweedfs-volume-stop"]) == _ip(real_evaluation, "payne")
    evacuate = leaves["seaweedfs-volume-leave-volume"].inputs["delete"]
    assert "export GT_VOLUME=10.4.0.25:8080" in evacuate and "volumeServer.evacuate -node $GT_VOLUME -force" in evacuate
    assert "export GT_MASTERS=10.4.0.22:9333,10.4.0.23:9333,10.4.0.24:9333" in evacuate
    assert "export GT_KIND=volume" in leaves["seaweedfs-volume-stop"].inputs["delete"]
    # payne leaves SeaweedFS altogether: its servers step goes (it runs nothing on delete), its disk step is
    # protected and retained (the `up` stops there until an operator unprotects it: README).
    disk = real_evaluation.command("payne-seaweedfs-disk")
    assert disk.urn in d.deleted and disk.protect and disk.retain_on_delete and not disk.inputs.get("delete")
    # Its servers step goes too and runs nothing: the leave's stop step takes its units down.
    servers = real_evaluation.command("payne-seaweedfs-servers")
    assert servers.urn in d.deleted and not servers.inputs.get("delete")
    # Elsewhere only what lists the volume servers changes: Prometheus' targets, Consul services, firewall docs.
    assert not [u for u in d.updated if "seaweedfs-servers" in u or "-leave-" in u]


def test_a_master_leaving_is_removed_from_the_raft_on_a_remaining_master_before_its_unit_stops(
        real_evaluation: Evaluation, evaluate_edited: Evaluate) -> None:
    """oakheart's master is replaced by payne's (one member per `up`, never below three: lifecycle/transitions.py)."""
    def edit(p: dict[str, Any]) -> None:
        p["roles"]["seaweedfs"]["masters"] = ["manderly", "norcross", "payne"]

    after = evaluate_edited(edit)
    assert transition_violations(memberships(real_evaluation.spec), after.spec) == []
    d = delta(real_evaluation, after)
    leaves = _leaves(d, "oakheart")
    assert sorted(leaves) == ["seaweedfs-master-leave-master", "seaweedfs-master-stop"]
    _in_order(d, [leaves["seaweedfs-master-leave-master"], leaves["seaweedfs-master-stop"]])
    _only(d, "oakheart")
    remove = leaves["seaweedfs-master-leave-master"].inputs["delete"]
    assert _host(leaves["seaweedfs-master-leave-master"]) == _ip(real_evaluation, "manderly")
    assert "export GT_MASTER_ID=10.4.0.24:9333" in remove and "cluster.raft.remove -id $listed" in remove
    assert "export GT_MASTERS=10.4.0.22:9333,10.4.0.23:9333" in remove
    assert _host(leaves["seaweedfs-master-stop"]) == _ip(real_evaluation, "oakheart")
    # The other nodes' leave steps are not deleted; those whose masters list changed only store the new list.
    moved = [r for r in (d.before.by_urn()[u] for u in d.updated) if "-leave-" in r.name]
    assert moved and all("seaweedfs" in r.name for r in moved), names(moved)
    for leave in moved:
        changed = {k for k, v in leave.raw_inputs.items() if v != d.after.by_urn()[leave.urn].raw_inputs.get(k)}
        assert changed == {"delete"}, (leave.name, changed)


def test_removing_two_seaweedfs_masters_or_shrinking_below_three_is_refused(
        real_evaluation: Evaluation, evaluate_edited: Evaluate) -> None:
    """The masters are a quorum (config/roles.py): the lifecycle's rules hold them to one member per `up`."""
    previous = memberships(real_evaluation.spec)

    def masters(*names: str) -> list[Violation]:
        def edit(p: dict[str, Any]) -> None:
            p["roles"]["seaweedfs"]["masters"] = list(names)
        return transition_violations(previous, evaluate_edited(edit).spec)

    shrink = masters("manderly")
    assert [v.path for v in shrink] == ["roles.seaweedfs.masters"] * 2, shrink
    assert "removes norcross, oakheart from the SeaweedFS master raft quorum in one `up`" in shrink[0].message
    assert "below 3" in shrink[1].message
    assert masters("manderly", "norcross", "payne") == []  # a replacement: payne joins before oakheart leaves


def test_a_zfs_replica_leaving_stops_the_primarys_syncoid_to_it_then_drops_its_key_and_keeps_its_pool(
        real_evaluation: Evaluation, evaluate_edited: Evaluate) -> None:
    d = delta(real_evaluation, evaluate_edited(_leave_role("zfs", "gardener", "zfs")))
    leaves = _leaves(d, "gardener")
    assert sorted(leaves) == ["zfs-leave-authorization", "zfs-leave-peer"]
    _in_order(d, [leaves["zfs-leave-peer"], leaves["zfs-leave-authorization"]])
    _only(d, "gardener")
    assert _host(leaves["zfs-leave-peer"]) == _ip(real_evaluation, "allyrion")
    assert _host(leaves["zfs-leave-authorization"]) == _ip(real_evaluation, "gardener")
    stop = leaves["zfs-leave-peer"].inputs["delete"]
    assert "export GT_PEERS=gardener\n" in stop and f"export GT_KEY_PATH={_QUOTED('')}\n" in stop
    assert "zfs-replication-gardener-rpool_data.prom" in stop
    for leave in leaves.values():  # the leave never runs zpool or zfs: pools and datasets stay as they are
        code = [line for line in leave.inputs["delete"].splitlines() if not line.lstrip().startswith("#")]
        assert not [line for line in code if re.search(r"(^|[\s;|&(])(zpool|zfs)\s", line)], leave.name
    pool = real_evaluation.command("gardener-zfs-pool")
    assert pool.urn in d.deleted and pool.protect and pool.retain_on_delete and not pool.inputs.get("delete")
    # Of ZFS, only the primary's replication step (its units), the primary's own leave (its peers) and the alert
    # rule naming every replica (on the Prometheus node, allyrion too) change.
    updated = names(d.before.by_urn()[u] for u in d.updated if "zfs" in u)
    assert updated == ["allyrion-leave-zfs-leave-peer", "allyrion-prometheus-rules-zfs-replication",
                       "allyrion-zfs-replication"], updated


def test_the_zfs_primary_leaving_stops_sending_to_every_replica_and_drops_its_key(
        real_evaluation: Evaluation, evaluate_edited: Evaluate) -> None:
    d = delta(real_evaluation, evaluate_edited(_leave_role("zfs", "allyrion", "zfs")))
    leaves = _leaves(d, "allyrion")
    assert list(leaves) == ["zfs-leave-peer"]
    stop = leaves["zfs-leave-peer"].inputs["delete"]
    assert _host(leaves["zfs-leave-peer"]) == _ip(real_evaluation, "allyrion")
    assert f"export GT_PEERS={_QUOTED('erenford gardener')}\n" in stop
    assert "export GT_KEY_PATH=/root/.ssh/goldentooth-zfs-replication" in stop
    assert real_evaluation.command("allyrion-zfs-pool").urn in d.deleted  # retained: runs nothing


def test_unrelated_edits_change_no_storage_leave_step(real_evaluation: Evaluation, evaluate_edited: Evaluate) -> None:
    def edit(p: dict[str, Any]) -> None:
        p["roles"]["kubernetes"]["workers"].remove("karstark")

    d = delta(real_evaluation, evaluate_edited(edit))
    assert not [u for u in d.updated | d.deleted | d.created if "-leave-seaweedfs" in u or "-leave-zfs" in u]


def _rebuilt(node: str) -> Edit:
    return lambda p: p.update(lifecycle={"generations": {node: 1}})


def test_a_rebuilt_zfs_replicas_old_host_key_is_forgotten_on_the_primary_before_its_zfs_steps_run(
        real_evaluation: Evaluation, evaluate_edited: Evaluate) -> None:
    """The primary's syncoid accepts a new host key only where it holds none (accept-new): a rebuilt replica's
    new key would be refused as changed until the old one is gone."""
    after = evaluate_edited(_rebuilt("gardener"))
    forget = after.command("gardener-forget-zfs-forget-host-key")
    assert _host(forget) == _ip(after, "allyrion")  # the primary, where syncoid's known-hosts file is
    create = forget.inputs["create"]
    assert "generated from storage/zfs/forget_host_key.sh;" in create
    assert f"export GT_ADDRESS={_ip(after, 'gardener')}" in create
    assert "export GT_KNOWN_HOSTS=/var/lib/goldentooth/zfs/known_hosts" in create
    assert "rebuild:gardener:1" in forget.inputs["triggers"]
    zfs_steps = [r for r in after.of_type("command:remote:Command")
                 if r.name.startswith("gardener-zfs-") and node_of(r) == "gardener"]
    assert zfs_steps, "gardener has ZFS steps"
    for step in zfs_steps:
        assert after.waits_for(step, forget), f"{step.name} must wait for the primary to forget the old key"


def test_the_host_key_forget_is_no_leave_and_the_primary_has_none(
        real_evaluation: Evaluation, evaluate_edited: Evaluate) -> None:
    assert not [r for r in real_evaluation.resources if "forget-zfs" in r.name]  # nothing rebuilt: nothing runs
    d = delta(real_evaluation, evaluate_edited(_leave_role("zfs", "gardener", "zfs")))
    assert sorted(_leaves(d, "gardener")) == ["zfs-leave-authorization", "zfs-leave-peer"]  # the leave forgets it
    primary = evaluate_edited(_rebuilt("allyrion"))
    assert not [r.name for r in primary.resources if "forget-zfs" in r.name]  # no replica holds its host key

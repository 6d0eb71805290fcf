"""Lab: SeaweedFS's leave steps (storage/seaweedfs/leave.py) with the real `weed`, over real SSH.

The four Pi 5s are lab hosts; each runs its rendered seaweedfs-master/-volume units (the filer on manderly only,
to spare the machine's two cores) as real processes (the `systemctl` stand-in hands them to `lab-run-unit`). The
leaves are the deletes a real `pulumi up` would run (tests/lifecycle_support.py), each its stored `delete` over its
stored connection, in the engine's order:

1. payne leaves roles.seaweedfs.volumes: on manderly its volumes move to the other three (`volumeServer.evacuate`)
   and it leaves the topology, then its unit stops on payne. Every file written before reads back, and every
   volume still has its two copies (replication 001), none on payne. A retry changes nothing.
2. oakheart leaves roles.seaweedfs.masters (replaced by payne in the real change; payne's new master is not
   started here): with norcross's master down, the leave refuses (the two left would have no quorum) and removes
   nothing; with norcross back, oakheart is removed from the raft and its unit stops. manderly and norcross elect
   a leader between them and serve a new write. A retry changes nothing.

weed is the module proxy's (tools/go-tools.txt), copied to the units' /usr/local/bin/weed; the data directories
are plain directories (no NVMe). A missing weed or root is a failure under CI=true.
"""

import json
import os
import shlex
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from offline.evaluate import Evaluation, evaluate
from offline.recorder import RecordedResource
from storage.seaweedfs.plan import KINDS, WEED, roles_of, seaweedfs_nodes, seaweedfs_ports, state_root
from tests.conftest import fake_secret_values
from tests.lab.node_lab import NodeLab, node_lab, prerequisites
from tests.lab.ssh import Outcome
from tests.lab.test_lifecycle_leave import _run_delete, engine_delete_order
from tests.lifecycle_support import delta
from tests.tools import go_tool

pytestmark = pytest.mark.lab
FILES = 24  # enough writes that the masters grow volumes on every server
FILER_NODE = "manderly"


def _require() -> Path:
    reason = prerequisites()
    if reason is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run the SeaweedFS leave lab, but {reason}")
        pytest.skip(reason)
    return go_tool("weed")


def _sh(lab: NodeLab, node: str, command: str) -> str:
    outcome = lab.sh(node, command)
    assert outcome.returncode == 0, f"{node}: {command}\n{outcome.stdout}\n{outcome.stderr}"
    return outcome.stdout


def _wait(check: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(1)
    raise AssertionError(f"timed out after {seconds:.0f}s waiting for {what}")


def _address(server: str) -> str:
    """A master's name as SeaweedFS reports it (`ip:port`, or `ip:port.grpcPort`) as `ip:port`."""
    host, port = server.rsplit(":", 1)
    return f"{host}:{port.split('.', 1)[0]}"


def _spare(p: dict[str, Any], node: str) -> None:
    for disk in next(n for n in p["nodes"] if n["name"] == node)["disks"]:
        if disk.get("purpose") == "seaweedfs":
            disk["purpose"] = "spare"


@dataclass
class Cluster:
    ev: Evaluation
    lab: NodeLab
    facts: dict[str, Any] = field(default_factory=dict)

    def port(self, kind: str) -> int:
        return seaweedfs_ports(self.ev.spec.storage.seaweedfs)[kind].http

    def url(self, node: str, kind: str) -> str:
        return f"http://{self.ev.spec.node(node).ip}:{self.port(kind)}"

    def get(self, node: str, url: str) -> str | None:
        outcome = self.lab.sh(node, f"curl -fsS --max-time 10 {shlex.quote(url)}")
        return outcome.stdout if outcome.returncode == 0 else None

    def status(self, master: str) -> dict[str, Any] | None:
        text = self.get(master, f"{self.url(master, 'master')}/cluster/status")
        return json.loads(text) if text else None

    def leader(self, masters: list[str]) -> str | None:
        """The leader every master in `masters` names, when they agree."""
        named = set()
        for master in masters:
            status = self.status(master)
            if status is None or not status.get("Leader"):
                return None
            named.add(_address(str(status["Leader"])))
        return named.pop() if len(named) == 1 else None

    def topology(self, master: str) -> dict[str, int]:
        """Volume server url -> the volumes it holds, as the masters see it."""
        text = self.get(master, f"{self.url(master, 'master')}/dir/status") or "{}"
        topology = json.loads(text).get("Topology") or {}
        return {n["Url"]: int(n.get("Volumes") or 0) for dc in topology.get("DataCenters") or []
                for rack in dc.get("Racks") or [] for n in rack.get("DataNodes") or []}

    def locations(self, master: str, volume: int) -> list[str]:
        text = self.get(master, f"{self.url(master, 'master')}/dir/lookup?volumeId={volume}") or "{}"
        return sorted(loc["url"] for loc in json.loads(text).get("locations") or [])

    def write(self, name: str, text: str) -> bool:
        command = (f"printf %s {shlex.quote(text)} >/tmp/upload && curl -fsS --max-time 30 -F file=@/tmp/upload "
                   f"{self.url(FILER_NODE, 'filer')}/lab/{name}")
        return self.lab.sh(FILER_NODE, command).returncode == 0

    def read(self, name: str) -> str | None:
        return self.get(FILER_NODE, f"{self.url(FILER_NODE, 'filer')}/lab/{name}")

    def run(self, resource: RecordedResource) -> Outcome:
        return _run_delete(self.lab, resource)


def _install(cluster: Cluster, weed: Path) -> None:
    """Each node as its install, disk and servers steps leave it: weed, the seaweedfs user, the state directories,
    security.toml and the rendered units, started."""
    ev, lab = cluster.ev, cluster.lab
    for name in seaweedfs_nodes(ev.spec):
        host = lab.hosts[name]
        (host.root / "opt/lab").mkdir(parents=True, exist_ok=True)
        shutil.copy2(weed, host.root / "opt/lab/weed")
        kinds = [k for k in roles_of(ev.spec, name) if k != "filer" or name == FILER_NODE]
        for path in ("/etc/seaweedfs/security.toml", *(f"/etc/systemd/system/seaweedfs-{k}.service" for k in kinds)):
            target = host.root / path.lstrip("/")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(ev.file(name, path), encoding="utf-8")
        (host.root / "etc/lab-host").mkdir(parents=True, exist_ok=True)
        (host.root / "etc/lab-host/real-units").write_text("seaweedfs-*.service\n", encoding="utf-8")
        root = state_root(ev.spec, ev.spec.node(name))
        _sh(lab, name, f"install -m 0755 /opt/lab/weed {WEED} && useradd --system -M -s /usr/sbin/nologin seaweedfs "
                       f"&& install -d -o seaweedfs -g seaweedfs {root}/master {root}/data {root}/index {root}/filer "
                       "/var/log/seaweedfs")
    for kind in KINDS:  # masters first, as the one-node-at-a-time servers steps bring them up
        for name in seaweedfs_nodes(ev.spec):
            if kind in roles_of(ev.spec, name) and (kind != "filer" or name == FILER_NODE):
                _sh(lab, name, f"systemctl enable --now seaweedfs-{kind}.service")


def _leaves(before: Evaluation, plain: dict[str, Any], edit: Callable[[dict[str, Any]], None],
            node: str) -> list[RecordedResource]:
    changed = json.loads(json.dumps(plain))
    edit(changed)
    order = engine_delete_order(delta(before, evaluate(changed, fake_secret_values(),
                                                       provider_config={"aws:region": "us-east-1"})))
    assert {r.name.split("-", 1)[0] for r in order} == {node}, [r.name for r in order]
    return order


@pytest.fixture(scope="module")
def leave_lab(real_evaluation: Evaluation, real_plain: dict[str, Any],
              tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    weed = _require()
    ev = real_evaluation
    roles = ev.spec.roles.seaweedfs
    assert roles is not None
    masters = list(roles.masters)

    def drop_volume(p: dict[str, Any]) -> None:
        p["roles"]["seaweedfs"]["volumes"].remove("payne")
        _spare(p, "payne")

    def replace_master(p: dict[str, Any]) -> None:
        p["roles"]["seaweedfs"]["masters"] = ["manderly", "norcross", "payne"]

    volume_leave = _leaves(ev, real_plain, drop_volume, "payne")
    master_leave = _leaves(ev, real_plain, replace_master, "oakheart")
    with node_lab(ev, list(seaweedfs_nodes(ev.spec)), tmp_path_factory.mktemp("seaweedfs-leave")) as lab:
        cluster = Cluster(ev, lab)
        facts = cluster.facts
        facts["volume_order"] = [r.name for r in volume_leave]
        facts["master_order"] = [r.name for r in master_leave]
        _install(cluster, weed)
        _wait(lambda: cluster.leader(masters) is not None, 120, "a raft leader the three masters agree on")
        _wait(lambda: len(cluster.topology("manderly")) == len(roles.volumes), 90, "every volume server to join")
        _wait(lambda: cluster.write("probe.txt", "probe"), 120, "a first write through the filer")
        written = {f"file-{i}.txt": f"written before payne left, number {i}" for i in range(FILES)}
        for name, text in written.items():
            assert cluster.write(name, text), name
        facts["before"] = cluster.topology("manderly")
        # 1. payne's volume server leaves.
        facts["volume_first"] = [cluster.run(r) for r in volume_leave]
        facts["after_volume"] = cluster.topology("manderly")
        facts["read_back"] = {name: cluster.read(name) for name in written}
        facts["written"] = written
        top = (cluster.status("manderly") or {}).get("MaxVolumeId") or 0
        facts["locations"] = {v: cluster.locations("manderly", v) for v in range(1, int(top) + 1)}
        facts["payne_volume_active"] = lab.sh("payne", "systemctl is-active seaweedfs-volume.service").stdout.strip()
        facts["payne_unit"] = lab.sh("payne", "ls /etc/systemd/system").stdout.split()
        facts["volume_again"] = [cluster.run(r) for r in volume_leave]
        # 2. oakheart's master leaves: first refused while norcross's master is down, then done.
        _sh(lab, "norcross", "systemctl stop seaweedfs-master.service")
        _wait(lambda: cluster.leader(["manderly", "oakheart"]) is not None, 120, "a leader of manderly and oakheart")
        facts["refused"] = cluster.run(master_leave[0])
        facts["peers_after_refusal"] = (cluster.status("manderly") or {}).get("Peers")
        _sh(lab, "norcross", "systemctl start seaweedfs-master.service")
        _wait(lambda: cluster.leader(masters) is not None, 120, "the three masters to agree on a leader again")
        facts["master_first"] = [cluster.run(r) for r in master_leave]
        survivors = ["manderly", "norcross"]
        _wait(lambda: cluster.leader(survivors) is not None, 120, "a leader of the two masters left")
        facts["leader"] = cluster.leader(survivors)
        facts["peers"] = {m: sorted((cluster.status(m) or {}).get("Peers") or []) for m in survivors}
        facts["oakheart_master_active"] = lab.sh("oakheart", "systemctl is-active seaweedfs-master.service").stdout.strip()
        _wait(lambda: cluster.write("after.txt", "written by two masters"), 120, "a write after the master left")
        facts["after_write"] = cluster.read("after.txt")
        facts["still"] = {name: cluster.read(name) for name in written}
        facts["master_again"] = [cluster.run(r) for r in master_leave]
        yield cluster


def _changes(outcomes: list[Outcome]) -> list[list[str]]:
    return [o.changes for o in outcomes]


def _ok(outcomes: list[Outcome]) -> None:
    for outcome in outcomes:
        assert outcome.returncode == 0, outcome.stdout + outcome.stderr


def test_the_volume_leave_evacuates_on_a_master_then_stops_the_server_and_the_data_stays_readable(
        leave_lab: Cluster) -> None:
    facts, spec = leave_lab.facts, leave_lab.ev.spec
    payne = f"{spec.node('payne').ip}:{leave_lab.port('volume')}"
    assert facts["volume_order"] == ["payne-leave-seaweedfs-volume-leave-volume", "payne-leave-seaweedfs-volume-stop"]
    assert facts["before"].get(payne, 0) > 0, f"payne must hold volumes for the test to mean anything: {facts['before']}"
    _ok(facts["volume_first"])
    moved, stopped = _changes(facts["volume_first"])
    assert moved == [f"changed: moved {facts['before'][payne]} volumes or EC shards off {payne} (payne); it left the "
                     "SeaweedFS topology"], moved
    assert stopped == ["changed: stopped and removed seaweedfs-volume.service"]
    assert payne not in facts["after_volume"] and len(facts["after_volume"]) == 3, facts["after_volume"]
    assert sum(facts["after_volume"].values()) == sum(facts["before"].values()), (facts["before"], facts["after_volume"])
    assert facts["read_back"] == facts["written"]
    # Replication 001 still holds: every volume has its two copies, none of them on payne.
    known = {v: locs for v, locs in facts["locations"].items() if locs}
    assert known and all(len(locs) == 2 and payne not in locs for locs in known.values()), known
    assert facts["payne_volume_active"] != "active"
    assert "seaweedfs-volume.service" not in facts["payne_unit"], facts["payne_unit"]


def test_a_retried_volume_leave_succeeds_and_changes_nothing(leave_lab: Cluster) -> None:
    _ok(leave_lab.facts["volume_again"])
    assert _changes(leave_lab.facts["volume_again"]) == [[], []]


def test_the_master_leave_refuses_without_a_quorum_then_removes_it_and_two_masters_keep_serving(
        leave_lab: Cluster) -> None:
    facts, spec = leave_lab.facts, leave_lab.ev.spec
    port = leave_lab.port("master")
    ids = {n: f"{spec.node(n).ip}:{port}" for n in ("manderly", "norcross", "oakheart")}
    assert facts["master_order"] == ["oakheart-leave-seaweedfs-master-leave-master",
                                     "oakheart-leave-seaweedfs-master-stop"]
    refused = facts["refused"]
    assert refused.returncode != 0 and refused.changes == []
    assert "removing it would leave the master raft without a quorum" in refused.stderr, refused.stderr
    assert sorted(_address(p) for p in facts["peers_after_refusal"]) == sorted(ids.values())
    _ok(facts["master_first"])
    assert _changes(facts["master_first"]) == [
        [f"changed: removed {ids['oakheart']} (oakheart) from the SeaweedFS master raft; 2 masters remain"],
        ["changed: stopped and removed seaweedfs-master.service"]]
    assert facts["leader"] in (ids["manderly"], ids["norcross"])
    for master, peers in facts["peers"].items():
        assert sorted(_address(p) for p in peers) == sorted((ids["manderly"], ids["norcross"])), (master, peers)
    assert facts["oakheart_master_active"] != "active"
    assert facts["after_write"] == "written by two masters"
    assert facts["still"] == facts["written"]


def test_a_retried_master_leave_succeeds_and_changes_nothing(leave_lab: Cluster) -> None:
    _ok(leave_lab.facts["master_again"])
    assert _changes(leave_lab.facts["master_again"]) == [[], []]

"""Lab: a ZFS replica leaves roles.zfs (storage/zfs/leave.py) on real ZFS (zfs-fuse), sanoid/syncoid and real SSH.

allyrion (the primary), erenford and gardener converge as in tests/lab/test_zfs.py (node layer, then the ZFS steps
as registered under the zfs-fuse overlay, with the test's own replication key) and syncoid replicates to both
replicas. Then gardener is taken out of roles.zfs, as a real `pulumi up` would do it (tests/lifecycle_support.py):
the primary's replication step is updated first (the engine updates before it deletes), then gardener's leave
steps run, each its stored `delete` over its stored connection, in the engine's order. Afterwards:

- the primary sends to gardener no more: its syncoid units, metric and known-hosts entry are gone, and the old
  unit's syncoid command is refused by gardener (its authorized_keys line is gone);
- gardener's pool, dataset, snapshots and files are exactly as before;
- erenford still takes the replication key and its timer stays enabled;
- a retry of every leave succeeds and changes nothing.
"""

import json
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest

from offline.placeholders import placeholder
from storage.zfs.component import KEY_MARKER
from storage.zfs.units import KEY_PATH, KNOWN_HOSTS
from tests.lab.apply import apply
from tests.lab.node_lab import node_lab
from tests.lab.ssh import Outcome
from tests.lab.storage_support import component_steps, evaluate_with_overlay
from tests.lab.test_lifecycle_leave import _run_delete, engine_delete_order
from tests.lab.test_zfs import KEY_RESOURCE, ZFS_COMPONENT, _require, _sh, _unit_lines, converge_with_zfs
from tests.lifecycle_support import delta

pytestmark = pytest.mark.lab
LEAVING = "gardener"


def _without_gardener(plain: dict[str, Any]) -> dict[str, Any]:
    changed: dict[str, Any] = json.loads(json.dumps(plain))
    changed["roles"]["zfs"].remove(LEAVING)
    for disk in next(n for n in changed["nodes"] if n["name"] == LEAVING)["disks"]:
        if disk.get("purpose") == "zfs":
            disk["purpose"] = "spare"
    return changed


def _zfs_state(lab: Any, node: str, pool: str) -> str:
    """Everything a leave must not change: the pool, its datasets and snapshots with their guids, and the files."""
    return _sh(lab, node, f"zpool list -H -o name,health {pool} && zfs list -H -t all -o name,guid -r {pool} && "
                          f"cat \"$(zfs get -H -o value mountpoint {pool}/data)/hello\"")


@pytest.fixture(scope="module")
def zfs_leave(real_plain: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    _require()
    ev = evaluate_with_overlay(real_plain, "zfs-fuse")
    after = evaluate_with_overlay(_without_gardener(real_plain), "zfs-fuse")
    spec, zfs = ev.spec, ev.spec.storage.zfs
    names = list(spec.roles.zfs)
    primary, replicas = names[0], names[1:]
    assert LEAVING in replicas
    d = delta(ev, after)
    order = engine_delete_order(d)
    work = tmp_path_factory.mktemp("zfs-leave")
    key = work / "replication"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "lab", "-f", str(key)], check=True)
    replacements = {
        placeholder("private key (OpenSSH)", KEY_RESOURCE): key.read_text(),
        placeholder("public key", KEY_RESOURCE).replace(" ", "_"): (work / "replication.pub").read_text().split()[1],
    }
    facts: dict[str, Any] = {"order": [r.name for r in order], "updated": sorted(
        d.before.by_urn()[u].name for u in d.updated if "-zfs-" in u and "-leave-" not in u
        and "prometheus" not in u)}
    with node_lab(ev, names, work / "hosts") as lab:
        run_step = converge_with_zfs(lab, ev, names, replacements)
        first = apply(component_steps(ev, ZFS_COMPONENT, names), run_step, workers=len(names))
        assert first.failed is None, first.report()
        _sh(lab, primary, "echo replicated-by-syncoid >/data/hello")
        _sh(lab, primary, "TZ=UTC /usr/sbin/sanoid --take-snapshots")
        for replica in replicas:
            unit = f"syncoid-{replica}.service"
            for command in (*_unit_lines(ev, primary, unit, "ExecStart"), *_unit_lines(ev, primary, unit, "ExecStartPost")):
                _sh(lab, primary, command)
        facts["before"] = _zfs_state(lab, LEAVING, zfs.pool)
        facts["units_before"] = _sh(lab, primary, "ls /etc/systemd/system").split()
        # The `up` without gardener: the primary's updated replication step, then gardener's leaves.
        update = next(s for s in component_steps(after, ZFS_COMPONENT, [primary]) if s.name == "zfs-replication")
        facts["update"] = run_step(update)
        facts["first"] = [_run_delete(lab, r) for r in order]
        facts["after"] = _zfs_state(lab, LEAVING, zfs.pool)
        facts["units_after"] = _sh(lab, primary, "ls /etc/systemd/system").split()
        facts["metrics"] = _sh(lab, primary, f"ls {zfs.textfile_dir}").split()
        facts["known_hosts"] = _sh(lab, primary, "cat /var/lib/goldentooth/zfs/known_hosts")
        facts["keys"] = {r: _sh(lab, r, "cat /root/.ssh/authorized_keys") for r in replicas}
        facts["again"] = [_run_delete(lab, r) for r in order]  # the engine's retry of a failed delete
        old = _unit_lines(ev, primary, f"syncoid-{LEAVING}.service", "ExecStart")[0]
        facts["refused"] = lab.sh(primary, old)
        # The remaining replica still takes the replication key (an incremental syncoid against zfs-fuse hits
        # syncoid's fallback for a `zfs get` without `-t`, so the lab checks the key the way syncoid first uses it).
        ssh = (f"ssh -i {KEY_PATH} -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=accept-new "
               f"-o UserKnownHostsFile={KNOWN_HOSTS}")
        for replica in replicas:
            facts[f"ssh:{replica}"] = lab.sh(primary, f"{ssh} root@{spec.node(replica).ip} zfs list -H -o name {zfs.pool}/data")
        facts["timers"] = lab.sh(primary, f"systemctl is-enabled syncoid-{replicas[0]}.timer syncoid-{LEAVING}.timer").stdout.split()
        facts["untouched"] = _zfs_state(lab, LEAVING, zfs.pool)
        yield facts


def _ok(outcomes: list[Outcome]) -> None:
    for outcome in outcomes:
        assert outcome.returncode == 0, outcome.stdout + outcome.stderr


def test_the_leave_runs_on_the_primary_then_on_the_replica_and_only_the_replication_step_is_updated(
        zfs_leave: dict[str, Any]) -> None:
    assert zfs_leave["order"] == [f"{LEAVING}-leave-zfs-leave-peer", f"{LEAVING}-leave-zfs-leave-authorization"]
    assert zfs_leave["updated"] == ["allyrion-zfs-replication"]
    assert zfs_leave["update"].returncode == 0, zfs_leave["update"].stderr


def test_the_primary_stops_sending_to_the_replica_and_the_replica_refuses_the_key(zfs_leave: dict[str, Any]) -> None:
    _ok(zfs_leave["first"])
    peer, authorization = (o.changes for o in zfs_leave["first"])
    assert "changed: stopped replicating to gardener (syncoid-gardener.timer removed)" in peer, peer
    assert "changed: removed syncoid-gardener.service" in peer
    assert any(c.startswith("changed: removed the replication metric ") for c in peer), peer
    assert any(c.startswith("changed: forgot 10.4.0.16's host key") for c in peer), peer
    assert "changed: removed the ZFS replication key from /root/.ssh/authorized_keys" in authorization
    assert {"syncoid-gardener.service", "syncoid-gardener.timer"} <= set(zfs_leave["units_before"])
    assert not {"syncoid-gardener.service", "syncoid-gardener.timer"} & set(zfs_leave["units_after"])
    assert {"syncoid-erenford.service", "syncoid-erenford.timer"} <= set(zfs_leave["units_after"])
    assert [m for m in zfs_leave["metrics"] if "gardener" in m] == []
    assert [m for m in zfs_leave["metrics"] if "erenford" in m], zfs_leave["metrics"]
    assert "10.4.0.16" not in zfs_leave["known_hosts"] and "10.4.0.14" in zfs_leave["known_hosts"]
    assert KEY_MARKER not in zfs_leave["keys"][LEAVING] and KEY_MARKER in zfs_leave["keys"]["erenford"]
    refused = zfs_leave["refused"]  # the old unit's own command
    assert refused.returncode != 0 and "ssh connection echo test failed" in refused.stderr, refused.stderr


def test_the_replicas_pool_datasets_snapshots_and_files_are_kept(zfs_leave: dict[str, Any]) -> None:
    before = zfs_leave["before"]
    assert "rpool\tONLINE" in before and "rpool/data@autosnap_" in before and "replicated-by-syncoid" in before
    assert zfs_leave["after"] == before
    assert zfs_leave["untouched"] == before  # the refused replication changed nothing either


def test_the_remaining_replica_still_takes_the_key_and_its_timer_stays(zfs_leave: dict[str, Any]) -> None:
    kept = zfs_leave["ssh:erenford"]
    assert kept.returncode == 0 and kept.stdout.strip() == "rpool/data", kept.stderr
    refused = zfs_leave[f"ssh:{LEAVING}"]
    assert refused.returncode != 0 and "Permission denied" in refused.stderr, refused.stderr
    assert zfs_leave["timers"][0] == "enabled" and zfs_leave["timers"][1:] != ["enabled"], zfs_leave["timers"]


def test_a_retried_leave_succeeds_and_changes_nothing(zfs_leave: dict[str, Any]) -> None:
    _ok(zfs_leave["again"])
    assert [o.changes for o in zfs_leave["again"]] == [[], []]


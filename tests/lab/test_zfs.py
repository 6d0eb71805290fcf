"""Lab: the ZFS part of the storage layer on real ZFS (zfs-fuse), real sanoid/syncoid and the lab's real SSH.

The ZFS nodes (allyrion, erenford, gardener) are lab hosts at their inventory addresses. The node layer's steps
converge them first; then the storage layer's own ZFS steps run, exactly as the program registered them for the
real stack under the zfs-fuse overlay (tests/lab/fixtures/overlays/zfs-fuse.yaml: pool version 23, lzjb). Each
modelled disk is a file-backed vdev behind its /dev/disk/by-id name. The zfs-fuse daemon stands in for the
OpenZFS kernel module (README). The replication key is the one thing not taken from the plan: the offline plan
holds a placeholder, so the test puts a key pair of its own in its place.
"""

import os
import re
import shlex
import shutil
import subprocess
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from offline.evaluate import Evaluation
from offline.placeholders import placeholder
from storage.zfs.component import zfs_devices
from tests.lab.apply import Run, apply
from tests.lab.node_lab import NodeLab, lab_steps, node_lab, prerequisites
from tests.lab.storage_support import component_steps, evaluate_with_overlay, substituting_runner
from tests.nodes_support import Step

pytestmark = pytest.mark.lab
ZFS_COMPONENT = "goldentooth:storage:Zfs"
KEY_RESOURCE = "goldentooth-zfs-replication"
DISK_DIR = "/var/lib/lab-disks"
TOOLS = ("zfs-fuse", "zpool", "zfs", "sanoid", "syncoid", "wipefs", "blkid", "mkfs.ext4")


def _require() -> None:
    reason = prerequisites()
    if reason is None:
        missing = [t for t in TOOLS if shutil.which(t) is None and not Path("/usr/sbin", t).exists()]
        if missing:
            reason = f"the ZFS lab needs {', '.join(missing)} (Debian zfs-fuse, sanoid; .ci/debian-packages.txt)"
        elif not Path("/dev/fuse").exists():
            reason = "the ZFS lab needs /dev/fuse"
    if reason is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run the ZFS lab, but {reason}")
        pytest.skip(reason)


def _sh(lab: NodeLab, node: str, command: str) -> str:
    outcome = lab.sh(node, command)
    assert outcome.returncode == 0, f"{node}: {command}\n{outcome.stdout}\n{outcome.stderr}"
    return outcome.stdout


def _image(device: str) -> str:
    return f"{DISK_DIR}/{device.rsplit('/', 1)[-1]}.img"


def converge_with_zfs(lab: NodeLab, ev: Evaluation, names: list[str], replacements: Mapping[str, str]) -> Any:
    """The node layer converged on `names`, zfs-fuse started on each over its disks; the runner for the ZFS
    layer's steps (placeholders replaced by the lab's real key)."""
    converged = lab.apply(lab_steps(ev, names))
    assert converged.failed is None, converged.report()
    for name in names:
        _start_zfs(lab, name, zfs_devices(ev.spec.node(name)))
    return substituting_runner(lab, replacements)


def _start_zfs(lab: NodeLab, node: str, devices: tuple[str, ...]) -> None:
    """zfs-fuse as the host's ZFS (it needs /dev/fuse and its lock directory), and each modelled disk as a file."""
    disks = " ".join(f"truncate -s 256M {shlex.quote(_image(d))} && ln -sfn {shlex.quote(_image(d))} {shlex.quote(d)}"
                     for d in devices)
    _sh(lab, node, f"""set -e
[ -e /dev/fuse ] || mknod -m 0666 /dev/fuse c 10 229
mkdir -p /run/lock /etc/zfs /dev/disk/by-id {DISK_DIR}
[ -e /var/run ] || ln -s /run /var/run
[ -e /var/lock ] || ln -s /run/lock /var/lock
setsid zfs-fuse --no-kstat-mount -p /run/zfs-fuse.pid </dev/null >/dev/null 2>&1
for i in $(seq 50); do zpool list >/dev/null 2>&1 && break; sleep 0.2; done
{disks}""")


def _unit_lines(ev: Evaluation, node: str, unit: str, key: str) -> list[str]:
    text = next(f.content for f in ev.files if f.node == node and f.path == f"/etc/systemd/system/{unit}")
    return [line.split("=", 1)[1] for line in text.splitlines() if line.startswith(f"{key}=")]


@dataclass
class ZfsLab:
    ev: Evaluation
    lab: NodeLab
    steps: list[Step]
    refused: Run
    refused_signature: str
    first: Run
    second: Run
    facts: dict[str, Any] = field(default_factory=dict)


@pytest.fixture(scope="module")
def zfs_lab(real_plain: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Iterator[ZfsLab]:
    _require()
    ev = evaluate_with_overlay(real_plain, "zfs-fuse")
    spec = ev.spec
    names = list(spec.roles.zfs)
    primary, replicas = names[0], names[1:]
    steps = component_steps(ev, ZFS_COMPONENT, names)
    work = tmp_path_factory.mktemp("zfs-lab")
    key = work / "replication"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "lab", "-f", str(key)], check=True)
    public_base64 = (work / "replication.pub").read_text().split()[1]
    replacements = {
        placeholder("private key (OpenSSH)", KEY_RESOURCE): key.read_text(),
        placeholder("public key", KEY_RESOURCE).replace(" ", "_"): public_base64,
    }
    with node_lab(ev, names, work / "hosts") as lab:
        run_step = converge_with_zfs(lab, ev, names, replacements)
        workers = len(names)
        # 1. A disk that already carries a filesystem is refused, and left as it was.
        victim = replicas[-1]
        victim_disk = _image(zfs_devices(spec.node(victim))[0])
        _sh(lab, victim, f"mkfs.ext4 -q -F {victim_disk}")
        refused = apply(steps, run_step, workers=workers)
        signature = _sh(lab, victim, f"blkid -p -o value -s TYPE {victim_disk}").strip()
        # 2. With storage.wipe naming exactly that disk, the same step wipes it and creates the pool there.
        device = zfs_devices(spec.node(victim))[0]
        wiping = evaluate_with_overlay(real_plain, "zfs-fuse", {"storage": {"wipe": [{"node": victim, "device": device}]}})
        wipe_step = next(s for s in component_steps(wiping, ZFS_COMPONENT, [victim]) if s.name == "zfs-pool")
        wiped = run_step(wipe_step)
        # 3. The real stack's steps (which name no disk for wiping) adopt that pool and converge the rest.
        first = apply(steps, run_step, workers=workers)
        assert first.failed is None, first.report()
        result = ZfsLab(ev, lab, steps, refused, signature, first, first)
        result.facts["wiped"] = wiped
        facts = result.facts
        zfs = spec.storage.zfs
        for name in names:
            facts[f"{name}:pool"] = _sh(lab, name, f"zpool get version,ashift {zfs.pool} | awk 'NR > 1 {{print $3}}'").split()
            facts[f"{name}:props"] = _sh(lab, name, f"zfs get -H -o value compression,atime {zfs.pool}").split()
        facts["datasets"] = _sh(lab, primary, "zfs list -H -o name,mountpoint,mounted -r " + zfs.pool)
        _sh(lab, primary, "echo replicated-by-syncoid >/data/hello")
        # 2. sanoid as its Debian unit runs it, on every ZFS node, with the rendered /etc/sanoid/sanoid.conf.
        for name in names:
            facts[f"{name}:sanoid"] = _sh(lab, name, "TZ=UTC /usr/sbin/sanoid --take-snapshots --verbose")
            facts[f"{name}:sanoid-prune"] = _sh(lab, name, "TZ=UTC /usr/sbin/sanoid --prune-snapshots --verbose")
        facts["primary:snapshots"] = _sh(lab, primary, "zfs list -H -t snapshot -o name")
        # 3. syncoid exactly as each rendered syncoid-<replica>.service runs it, over the lab's SSH.
        for replica in replicas:
            unit = f"syncoid-{replica}.service"
            for command in (*_unit_lines(ev, primary, unit, "ExecStart"), *_unit_lines(ev, primary, unit, "ExecStartPost")):
                facts[f"{replica}:syncoid"] = _sh(lab, primary, command)
            facts[f"{replica}:snapshots"] = _sh(lab, replica, "zfs list -H -t snapshot -o name")
            facts[f"{replica}:file"] = _sh(lab, replica, f"cat \"$(zfs get -H -o value mountpoint {zfs.pool}/data)/hello\"")
        facts["metrics"] = _sh(lab, primary, f"cat {zfs.textfile_dir}/zfs-replication-*.prom")
        # 4. A second converge, after all of that, changes nothing.
        result.second = apply(steps, run_step, workers=workers)
        yield result


def test_the_pool_step_refuses_a_disk_that_carries_a_filesystem_and_leaves_it_alone(zfs_lab: ZfsLab) -> None:
    failed = zfs_lab.refused.failed
    assert failed is not None and failed.name == "zfs-pool", zfs_lab.refused.report()
    stderr = zfs_lab.refused.outcomes[failed.urn].stderr
    assert "carries ext4: refusing to create pool rpool" in stderr and "storage.wipe" in stderr, stderr
    assert zfs_lab.refused_signature == "ext4"


def test_the_pool_step_wipes_exactly_the_disk_storage_wipe_names_and_the_real_steps_adopt_the_pool(
    zfs_lab: ZfsLab,
) -> None:
    wiped = zfs_lab.facts["wiped"]
    assert wiped.returncode == 0, wiped.stderr
    victim = zfs_lab.ev.spec.roles.zfs[-1]
    device = zfs_devices(zfs_lab.ev.spec.node(victim))[0]
    assert f"changed: wiped {device} (ext4), as storage.wipe allows" in wiped.changes
    assert f"changed: created pool rpool on {device}" in wiped.changes
    first = zfs_lab.first.changes()
    assert not [line for line in first.get(f"{victim}-zfs-pool", []) if "created" in line or "wiped" in line], first


def test_every_zfs_node_gets_its_pool_with_the_configured_properties(zfs_lab: ZfsLab) -> None:
    zfs = zfs_lab.ev.spec.storage.zfs
    for name in zfs_lab.ev.spec.roles.zfs:
        assert zfs_lab.facts[f"{name}:pool"] == [str(zfs.pool_version), str(zfs.ashift)], name
        assert zfs_lab.facts[f"{name}:props"] == [zfs.compression, "off"], name
    assert re.search(r"^rpool/data\t/data\tyes$", zfs_lab.facts["datasets"], re.M), zfs_lab.facts["datasets"]


def test_sanoid_snapshots_the_primary_per_the_policy_and_only_prunes_on_replicas(zfs_lab: ZfsLab) -> None:
    spec = zfs_lab.ev.spec
    policy = spec.storage.zfs.snapshots
    taken = {m.group(1) for m in re.finditer(r"^rpool/data@autosnap_\S+_(\w+)$", zfs_lab.facts["primary:snapshots"], re.M)}
    wanted = {p for p in ("frequently", "hourly", "daily", "weekly", "monthly", "yearly") if getattr(policy, p) > 0}
    assert taken == wanted, taken
    for replica in spec.roles.zfs[1:]:
        # A replica's sanoid only prunes: it takes no snapshot of its own (those would block the next receive).
        assert "@autosnap_" not in zfs_lab.facts[f"{replica}:sanoid"], zfs_lab.facts[f"{replica}:sanoid"]
    assert "@autosnap_" in zfs_lab.facts[f"{spec.roles.zfs[0]}:sanoid"]


def test_syncoid_replicates_the_primarys_dataset_to_every_replica_over_ssh(zfs_lab: ZfsLab) -> None:
    spec = zfs_lab.ev.spec
    primary_snaps = {s for s in zfs_lab.facts["primary:snapshots"].split() if "@autosnap_" in s}
    assert primary_snaps
    for replica in spec.roles.zfs[1:]:
        assert primary_snaps <= set(zfs_lab.facts[f"{replica}:snapshots"].split()), replica
        assert zfs_lab.facts[f"{replica}:file"].strip() == "replicated-by-syncoid"
        assert re.search(rf'^goldentooth_zfs_replication_last_success_timestamp_seconds\{{dataset="rpool/data",'
                         rf'peer="{replica}"\}} \d+$', zfs_lab.facts["metrics"], re.M), zfs_lab.facts["metrics"]


def test_a_second_converge_changes_nothing(zfs_lab: ZfsLab) -> None:
    assert zfs_lab.second.failed is None, zfs_lab.second.report()
    assert zfs_lab.second.changes() == {}
    assert len(zfs_lab.second.order) == len(zfs_lab.steps)

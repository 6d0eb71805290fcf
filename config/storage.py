"""`goldentooth:storage`: ZFS, SeaweedFS, Ceph and the StorageClasses, on the data disks the nodes model.

The disks themselves are inventory (`nodes[].disks`, each with its `purpose`); this section says what the storage
layer builds on them. `storage_violations` holds the rules that look across nodes, roles and this section.
"""

import re
from collections.abc import Iterator, Sequence
from typing import Literal

from pydantic import Field, field_validator

from config.base import ConfigModel
from config.errors import Violation
from config.nodes import DATA_PURPOSES, NodeSpec
from config.roles import RolesSpec

_DATASET = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]*(/[A-Za-z0-9][A-Za-z0-9_.:-]*)*$")
STABLE_DISK_PREFIX = "/dev/disk/by-id/"
# Pool version 5000 means feature flags (OpenZFS); 23 and 28 are the last numbered versions (zfs-fuse is 23).
# Compression algorithms a pool of that version can hold: lz4 and zstd are feature flags.
_COMPRESSION_BY_VERSION: dict[int, frozenset[str]] = {
    23: frozenset({"on", "off", "lzjb", "gzip", "zle", *(f"gzip-{i}" for i in range(1, 10))}),
    28: frozenset({"on", "off", "lzjb", "gzip", "zle", *(f"gzip-{i}" for i in range(1, 10))}),
    5000: frozenset({"on", "off", "lzjb", "gzip", "zle", "lz4", "zstd", *(f"gzip-{i}" for i in range(1, 10))}),
}


class ZfsDataset(ConfigModel):
    """A dataset inside the pool, created on the primary and replicated to the replicas."""

    name: str  # relative to the pool: `data` is rpool/data
    mountpoint: str = Field(pattern=r"^/[^\s]*$")

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not _DATASET.match(value):
            raise ValueError(f"{value!r} is not a dataset name relative to the pool (e.g. data or data/home)")
        return value


class SanoidPolicy(ConfigModel):
    """A sanoid template: how many snapshots of each period to keep (0: none taken)."""

    template: str = Field(default="production", pattern=r"^[a-z][a-z0-9_]*$")
    frequently: int = Field(default=0, ge=0)
    hourly: int = Field(default=36, ge=0)
    daily: int = Field(default=30, ge=0)
    weekly: int = Field(default=0, ge=0)
    monthly: int = Field(default=3, ge=0)
    yearly: int = Field(default=0, ge=0)


class ZfsSpec(ConfigModel):
    """One pool per node of `roles.zfs`, on that node's disks whose purpose is `zfs`. The first node is the
    primary: it holds the datasets, takes the snapshots and pushes them to the others."""

    pool: str = Field(default="rpool", pattern=r"^[a-z][a-z0-9_-]*$")
    # Pool version the nodes' ZFS implementation writes: 5000 (feature flags, OpenZFS) or 23 (zfs-fuse).
    pool_version: Literal[23, 28, 5000] = 5000
    ashift: int = Field(default=12, ge=9, le=16)  # 4 KiB sectors; creation-time only, never changed later
    compression: str = "lz4"
    atime: bool = False
    datasets: tuple[ZfsDataset, ...] = (ZfsDataset(name="data", mountpoint="/data"),)
    arc_max_bytes: int = Field(default=134_217_728, ge=67_108_864)  # 128 MiB: the Pis' RAM is for workloads
    snapshots: SanoidPolicy = Field(default_factory=SanoidPolicy)
    replication_interval_minutes: int = Field(default=15, ge=1, le=60)
    # Where the node exporter's textfile collector reads `*.prom` (Debian's prometheus-node-exporter default).
    textfile_dir: str = Field(default="/var/lib/prometheus/node-exporter", pattern=r"^/[^\s]*$")


class SeaweedfsSpec(ConfigModel):
    """SeaweedFS on `roles.seaweedfs`: masters (raft), volume servers on the nodes' `seaweedfs` disks, filers."""

    version: str = Field(default="3.66", pattern=r"^[0-9][0-9.]*$")  # what `weed version` reports
    # sha256 of the release tarball per architecture; without one, a node without the right weed stops the step
    # (an existing install of `version` is adopted as it is).
    sha256: dict[str, str] = Field(default_factory=dict)
    mount_path: str = Field(default="/mnt/seaweedfs-nvme", pattern=r"^/[^\s]*$")
    filesystem: Literal["ext4", "xfs"] = "ext4"
    uid: int = Field(default=985, ge=100, le=65000)
    master_port: int = Field(default=9333, ge=1024, le=55535)  # gRPC is port + 10000
    volume_port: int = Field(default=8080, ge=1024, le=55535)
    filer_port: int = Field(default=8888, ge=1024, le=55535)
    default_replication: str = Field(default="001", pattern=r"^[0-9]{3}$")
    volume_size_limit_mb: int = Field(default=2048, ge=1)
    max_volumes: int = Field(default=128, ge=1)
    # TLS between SeaweedFS components from the PKI layer, or plain HTTP; never certificates nothing uses.
    tls: bool = False
    csi_namespace: str = Field(default="seaweedfs", pattern=r"^[a-z][a-z0-9-]*$")
    csi_image: str = "chrislusf/seaweedfs-csi-driver:v1.2.0"

    @field_validator("sha256")
    @classmethod
    def _digests(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(value) - {"arm64", "amd64"})
        if unknown:
            raise ValueError(f"sha256 is keyed by architecture (arm64, amd64), not {', '.join(unknown)}")
        bad = sorted(arch for arch, digest in value.items() if not re.fullmatch(r"[0-9a-f]{64}", digest))
        if bad:
            raise ValueError(f"sha256 for {', '.join(bad)} is not 64 lower-case hex digits")
        return value


class CephPool(ConfigModel):
    name: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    pg_num: int = Field(ge=1)

    @field_validator("pg_num")
    @classmethod
    def _power_of_two(cls, value: int) -> int:
        if value & (value - 1):
            raise ValueError(f"{value} placement groups: use a power of two")
        return value


class CephSpec(ConfigModel):
    """Ceph from Debian's Pacific packages: mons and mgrs on `mons`/`mgrs`, one OSD per `ceph` disk of `osds`."""

    enabled: bool = False
    cluster_id: str = Field(default="goldentooth-ceph", pattern=r"^[a-z][a-z0-9-]*$")  # ceph-csi's clusterID
    mons: tuple[str, ...] = ("fenn", "karstark", "lipps")
    mgrs: tuple[str, ...] = ("fenn", "karstark")
    osds: tuple[str, ...] = ("fenn", "karstark", "lipps")
    pools: tuple[CephPool, ...] = (CephPool(name="kubernetes", pg_num=32), CephPool(name="goldentooth-storage", pg_num=16))
    csi_version: str = Field(default="3.11.0", pattern=r"^[0-9]+\.[0-9]+\.[0-9]+$")
    csi_namespace: str = Field(default="ceph-csi", pattern=r"^[a-z][a-z0-9-]*$")


class StorageClassSpec(ConfigModel):
    """A Kubernetes StorageClass. `backend` names the driver; `pool` is the Ceph pool of an RBD class."""

    name: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    backend: Literal["seaweedfs", "ceph-rbd"]
    reclaim_policy: Literal["Delete", "Retain"] = "Delete"
    binding_mode: Literal["Immediate", "WaitForFirstConsumer"] = "WaitForFirstConsumer"
    pool: str | None = None


class WipeSpec(ConfigModel):
    """Permission to erase the signatures on one exact data disk before the storage layer uses it."""

    node: str
    device: str


class StorageSpec(ConfigModel):
    """`goldentooth:storage`."""

    zfs: ZfsSpec = Field(default_factory=ZfsSpec)
    seaweedfs: SeaweedfsSpec = Field(default_factory=SeaweedfsSpec)
    ceph: CephSpec = Field(default_factory=CephSpec)
    storage_classes: tuple[StorageClassSpec, ...] = ()
    default_storage_class: str | None = None
    wipe: tuple[WipeSpec, ...] = ()


def storage_violations(
    storage: StorageSpec | None, roles: RolesSpec | None, nodes: Sequence[tuple[str, NodeSpec]]
) -> Iterator[Violation]:
    """Disks by stable id and claimed once, each layer on disks meant for it, pool properties its version can hold,
    StorageClasses for enabled backends. `nodes` is (config path, node) of every node that parsed."""
    yield from _disk_claims(nodes)
    if storage is None or roles is None:
        return  # a section that did not parse is reported where it is; its consequences would only repeat it
    by_name = {node.name: (path, node) for path, node in nodes}
    yield from _wipes(storage, by_name)
    zfs = storage.zfs
    if zfs.compression not in _COMPRESSION_BY_VERSION[zfs.pool_version]:
        yield Violation("storage.zfs.compression", f"{zfs.compression!r} cannot be written by pool version "
                        f"{zfs.pool_version} (known: {', '.join(sorted(_COMPRESSION_BY_VERSION[zfs.pool_version]))})")
    mountpoints = [d.mountpoint for d in zfs.datasets]
    for name in sorted({d.name for d in zfs.datasets if [x.name for x in zfs.datasets].count(d.name) > 1}):
        yield Violation("storage.zfs.datasets", f"dataset {name} is listed more than once")
    for mp in sorted({m for m in mountpoints if mountpoints.count(m) > 1}):
        yield Violation("storage.zfs.datasets", f"mountpoint {mp} is used by more than one dataset")
    if roles is not None:
        yield from _layer_disks("zfs", "roles.zfs", roles.zfs, by_name)
        if roles.seaweedfs is not None:
            yield from _layer_disks("seaweedfs", "roles.seaweedfs.volumes", roles.seaweedfs.volumes, by_name)
    ceph = storage.ceph
    if ceph.enabled:
        yield from _ceph(ceph, by_name)
    yield from _storage_classes(storage, roles)


def _disk_claims(nodes: Sequence[tuple[str, NodeSpec]]) -> Iterator[Violation]:
    """A data disk is named by its stable id, and one disk (one id) is claimed by one purpose on one node."""
    first: dict[str, tuple[str, str | None]] = {}
    for path, node in nodes:
        for i, disk in enumerate(node.disks):
            where = f"{path}.disks[{i}]"
            if disk.purpose in DATA_PURPOSES and not disk.device.startswith(STABLE_DISK_PREFIX):
                yield Violation(f"{where}.device", f"{disk.device} is a kernel name that can move between boots; a "
                                f"{disk.purpose} disk is named by its stable id ({STABLE_DISK_PREFIX}...)")
            if disk.device in first:
                other, purpose = first[disk.device]
                what = "claimed twice" if purpose == disk.purpose else f"used by {purpose} and {disk.purpose}"
                # The root SD card is /dev/mmcblk0 on every Pi: a kernel name is per node, a stable id is global.
                if disk.device.startswith(STABLE_DISK_PREFIX) or other.split(".disks")[0] == path:
                    yield Violation(f"{where}.device", f"{disk.device} is {what} (also {other})")
                continue
            first[disk.device] = (where, disk.purpose)


def _wipes(storage: StorageSpec, by_name: dict[str, tuple[str, NodeSpec]]) -> Iterator[Violation]:
    seen: set[tuple[str, str]] = set()
    for i, wipe in enumerate(storage.wipe):
        path = f"storage.wipe[{i}]"
        if (wipe.node, wipe.device) in seen:
            yield Violation(path, f"{wipe.node}:{wipe.device} is listed twice")
        seen.add((wipe.node, wipe.device))
        if wipe.node not in by_name:
            yield Violation(f"{path}.node", f"{wipe.node!r} is not a node in the inventory")
            continue
        disk = next((d for d in by_name[wipe.node][1].disks if d.device == wipe.device), None)
        if disk is None:
            yield Violation(f"{path}.device", f"{wipe.device} is not one of {wipe.node}'s disks")
        elif disk.purpose not in DATA_PURPOSES:
            yield Violation(f"{path}.device", f"{wipe.device} is {wipe.node}'s {disk.purpose or 'unassigned'} disk, "
                            "not a data disk the storage layer may erase")


def _layer_disks(purpose: str, role_path: str, members: tuple[str, ...],
                 by_name: dict[str, tuple[str, NodeSpec]]) -> Iterator[Violation]:
    """Every member has a disk meant for the layer; a disk meant for the layer sits on a member."""
    for name in members:
        if name in by_name and not any(d.purpose == purpose for d in by_name[name][1].disks):
            yield Violation(role_path, f"{name} has no disk with purpose {purpose} (nodes.{name}.disks)")
    for name, (path, node) in sorted(by_name.items()):
        if name in members:
            continue
        for i, disk in enumerate(node.disks):
            if disk.purpose == purpose:
                yield Violation(f"{path}.disks[{i}].purpose",
                                f"{disk.device} is meant for {purpose}, but {name} is not in {role_path}")


def _ceph(ceph: CephSpec, by_name: dict[str, tuple[str, NodeSpec]]) -> Iterator[Violation]:
    for field_name, members in (("mons", ceph.mons), ("mgrs", ceph.mgrs), ("osds", ceph.osds)):
        for name in members:
            if name not in by_name:
                yield Violation(f"storage.ceph.{field_name}", f"{name!r} is not a node in the inventory")
        if len(set(members)) != len(members):
            yield Violation(f"storage.ceph.{field_name}", "lists a node more than once")
    if len(set(ceph.mons)) % 2 == 0:
        yield Violation("storage.ceph.mons", f"the Ceph monitor quorum has {len(set(ceph.mons))} members; "
                        "use an odd number")
    if not ceph.mgrs:
        yield Violation("storage.ceph.mgrs", "a Ceph cluster needs at least one manager")
    for field_name, members in (("mgrs", ceph.mgrs), ("osds", ceph.osds)):
        for name in sorted(set(members) - set(ceph.mons)):
            yield Violation(f"storage.ceph.{field_name}", f"{name} is not a monitor: managers and OSDs run on monitor "
                            "nodes, which hold the admin keyring their setup uses")
    yield from _layer_disks("ceph", "storage.ceph.osds", ceph.osds, by_name)
    names = [p.name for p in ceph.pools]
    for name in sorted({n for n in names if names.count(n) > 1}):
        yield Violation("storage.ceph.pools", f"pool {name} is listed more than once")


def _storage_classes(storage: StorageSpec, roles: RolesSpec | None) -> Iterator[Violation]:
    names = [c.name for c in storage.storage_classes]
    for name in sorted({n for n in names if names.count(n) > 1}):
        yield Violation("storage.storageClasses", f"StorageClass {name} is listed more than once")
    pools = {p.name for p in storage.ceph.pools}
    for i, cls in enumerate(storage.storage_classes):
        path = f"storage.storageClasses[{i}]"
        if cls.backend == "seaweedfs" and (roles is None or roles.seaweedfs is None):
            yield Violation(f"{path}.backend", "SeaweedFS has no nodes (roles.seaweedfs)")
        if cls.backend == "ceph-rbd":
            if not storage.ceph.enabled:
                yield Violation(f"{path}.backend", "Ceph is off (storage.ceph.enabled)")
            if cls.pool is None or cls.pool not in pools:
                yield Violation(f"{path}.pool", f"{cls.pool!r} is not one of storage.ceph.pools")
        elif cls.pool is not None:
            yield Violation(f"{path}.pool", f"a {cls.backend} StorageClass has no pool")
    enabled = [c.name for c in storage.storage_classes
               if not (c.backend == "ceph-rbd" and not storage.ceph.enabled)]
    default = storage.default_storage_class
    if default is not None and default not in names:
        yield Violation("storage.defaultStorageClass", f"{default!r} is not one of storage.storageClasses")
    elif default is not None and default not in enabled:
        yield Violation("storage.defaultStorageClass", f"{default!r} belongs to a backend that is off")

"""`Zfs`: on every node of `roles.zfs` the packages and ARC cap, the pool on the node's `zfs` disks and sanoid; on
the primary (the first) the datasets and one syncoid push per replica over SSH with a dedicated key.

Pools and datasets are protected and retained: no `pulumi destroy`, replacement or removal from config can run a
command that destroys them (their steps have no delete command, and the engine refuses to delete them at all).
The replication key comes from pulumi-tls until the PKI layer issues SSH certificates.
"""

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_tls as tls
from pulumi_command import remote

from components import artifacts
from components.remote_file import FileSpec, secret_placeholder, write_file
from components.remote_step import StepOptions, StepRunner
from components.script import Script
from components.systemd_unit import record_units, unit_params
from config.nodes import NodeSpec
from config.spec import ClusterSpec
from config.storage import ZfsSpec
from nodes.node import Node
from storage.scripts import disk_script
from storage.zfs.sanoid import sanoid_conf
from storage.zfs.units import KEY_PATH, METRIC_PATH, replication_units

PACKAGES = ("sanoid", "zfs-dkms", "zfs-zed", "zfsutils-linux")
KEY_MARKER = "goldentooth-zfs-replication"
_PACKAGES = Script.beside(__file__, "packages.sh")
_POOL = disk_script(__file__, "pool.sh")
_DATASETS = Script.beside(__file__, "datasets.sh")
_SANOID = Script.beside(__file__, "sanoid.sh")
_AUTHORIZE = Script.beside(__file__, "authorize.sh")
_REPLICATION = Script.beside(__file__, "replication.sh")
_METRIC_SCRIPT = Script.beside(__file__, "replication_metric.bash")
STATEFUL = StepOptions(protect=True, retain_on_delete=True)


@dataclass(frozen=True)
class ZfsArgs:
    spec: ClusterSpec
    nodes: Mapping[str, Node]


def zfs_devices(node: NodeSpec) -> tuple[str, ...]:
    return tuple(d.device for d in node.disks if d.purpose == "zfs")


def pool_properties(zfs: ZfsSpec) -> str:
    """Dataset properties set on the pool's root (inherited by every dataset), as `key=value` lines."""
    return f"atime={'on' if zfs.atime else 'off'}\ncompression={zfs.compression}"


def pool_params(spec: ClusterSpec, node: NodeSpec) -> dict[str, str]:
    zfs = spec.storage.zfs
    wipe = sorted(w.device for w in spec.storage.wipe if w.node == node.name)
    return {
        "GT_NODE": node.name,
        "GT_POOL": zfs.pool,
        "GT_DEVICES": "\n".join(zfs_devices(node)),
        "GT_WIPE": "\n".join(wipe),
        "GT_ASHIFT": str(zfs.ashift),
        "GT_PROPERTIES": pool_properties(zfs),
    }


class Zfs(pulumi.ComponentResource):
    pools: dict[str, remote.Command]
    datasets: remote.Command | None
    replication: remote.Command | None
    replication_key: tls.PrivateKey | None

    def __init__(self, name: str, args: ZfsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("goldentooth:storage:Zfs", name, None, opts)
        spec, zfs = args.spec, args.spec.storage.zfs
        members = spec.roles.zfs
        self.pools, self.datasets, self.replication, self.replication_key = {}, None, None, None
        sanoid_after: dict[str, list[pulumi.Resource]] = {}
        runners: dict[str, StepRunner] = {}
        for member in members:
            node = args.nodes[member]
            runner = runners[member] = node.runner_under(self)
            packages = runner.run("zfs-packages", _PACKAGES,
                                  {"GT_PACKAGES": " ".join(PACKAGES), "GT_ARC_MAX": str(zfs.arc_max_bytes)},
                                  options=StepOptions(depends_on=node.os_ready, timeout="30m"))
            self.pools[member] = runner.run("zfs-pool", _POOL, pool_params(spec, node.spec),
                                            options=StepOptions(depends_on=[packages], protect=True,
                                                                retain_on_delete=True))
            sanoid_after[member] = [self.pools[member]]
        if members:
            primary, replicas = members[0], members[1:]
            self.datasets = runners[primary].run(
                "zfs-datasets", _DATASETS,
                {"GT_POOL": zfs.pool,
                 "GT_DATASETS": "\n".join(f"{d.name} {d.mountpoint}" for d in sorted(zfs.datasets, key=lambda d: d.name))},
                options=StepOptions(depends_on=[self.pools[primary]], protect=True, retain_on_delete=True),
            )
            sanoid_after[primary] = [self.datasets]
            if replicas:
                self.replication = self._replication(spec, args.nodes, runners, primary, replicas)
        for member in members:
            conf = sanoid_conf(zfs, primary=member == members[0])
            artifacts.record(member, "/etc/sanoid/sanoid.conf", conf)
            runners[member].run("zfs-sanoid", _SANOID, {"GT_SANOID_CONF": conf},
                                options=StepOptions(depends_on=sanoid_after[member]))
        self.register_outputs({"pools": sorted(self.pools)})

    def _replication(self, spec: ClusterSpec, nodes: Mapping[str, Node], runners: Mapping[str, StepRunner],
                     primary: str, replicas: tuple[str, ...]) -> remote.Command:
        zfs = spec.storage.zfs
        key = self.replication_key = tls.PrivateKey(f"{spec.cluster.name}-zfs-replication", algorithm="ED25519",
                                                    opts=pulumi.ResourceOptions(parent=self))
        line = key.public_key_openssh.apply(
            lambda public: f'from="{spec.node(primary).ip}",restrict {public.strip()} {KEY_MARKER}'
        )
        authorized = [
            runners[r].run("zfs-replication-authorize", _AUTHORIZE, {"GT_MARKER": KEY_MARKER}, stdin=line,
                           options=StepOptions(depends_on=[self.pools[r]]))
            for r in replicas
        ]
        key_file = write_file(
            runners[primary], "zfs-replication-key",
            FileSpec(KEY_PATH, secret_placeholder("key"), mode="0600"),
            secrets={"key": key.private_key_openssh},
            options=StepOptions(depends_on=nodes[primary].os_ready),
        )
        units = [u for r in replicas for u in replication_units(zfs, r, str(spec.node(r).ip))]
        record_units(primary, units)
        params = {
            **unit_params(units),
            "GT_TEXTFILE_DIR": zfs.textfile_dir,
            "GT_METRIC_PATH": METRIC_PATH,
            "GT_METRIC_SCRIPT": _METRIC_SCRIPT.body,
        }
        assert self.datasets is not None
        return runners[primary].run(
            "zfs-replication", _REPLICATION, params,
            options=StepOptions(depends_on=[self.datasets, key_file, *authorized, *(self.pools[r] for r in replicas)]),
        )

"""`Seaweedfs`: per SeaweedFS node the user, weed and directories, the data disk (volume servers), then its
servers' units; nodes change one at a time (each node's servers wait for the previous node's to answer), like
the predecessor's `serial: 1`, and a master waits for a raft leader before the next node goes."""

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
from pulumi_command import remote

from components import artifacts
from components.remote_step import StepOptions
from components.systemd_unit import Unit, record_units, unit_params
from config.nodes import NodeSpec
from config.spec import ClusterSpec
from nodes.node import Node
from storage.scripts import disk_script
from storage.seaweedfs.plan import (
    KINDS,
    WEED,
    data_device,
    master_list,
    roles_of,
    seaweedfs_nodes,
    seaweedfs_ports,
    security_toml,
    server_unit,
    state_root,
)

_INSTALL = disk_script(__file__, "install.sh")
_DISK = disk_script(__file__, "disk.sh")
_APPLY = disk_script(__file__, "apply.sh")
RELEASE = "https://github.com/seaweedfs/seaweedfs/releases/download/{version}/linux_{arch}.tar.gz"


@dataclass(frozen=True)
class SeaweedfsArgs:
    spec: ClusterSpec
    nodes: Mapping[str, Node]
    # Per node, the PKI steps that put its SeaweedFS certificate in place (only when storage.seaweedfs.tls).
    certificates_ready: Mapping[str, Sequence[pulumi.Resource]] = field(default_factory=dict)


def node_units(spec: ClusterSpec, node: NodeSpec) -> list[Unit]:
    """The node's server units; each names the security.toml digest, so a TLS change restarts what reads it."""
    marker = hashlib.sha256(security_toml(spec).encode()).hexdigest()[:16]
    units = []
    for kind in roles_of(spec, node.name):
        unit = server_unit(spec, node, kind)
        text = unit.text.replace("[Service]\n", f"[Service]\nX-Goldentooth-Security={marker}\n", 1)
        units.append(Unit(unit.name, text, enable=unit.enable, start=unit.start))
    return units


def subdirs(spec: ClusterSpec, name: str) -> str:
    wanted = {"master": ("master",), "volume": ("data", "index"), "filer": ("filer",)}
    return " ".join(sorted(d for kind in roles_of(spec, name) for d in wanted[kind]))


class Seaweedfs(pulumi.ComponentResource):
    servers: dict[str, remote.Command]
    disks: dict[str, remote.Command]

    def __init__(self, name: str, args: SeaweedfsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("goldentooth:storage:Seaweedfs", name, None, opts)
        spec, sw = args.spec, args.spec.storage.seaweedfs
        ports = seaweedfs_ports(sw)
        self.servers, self.disks = {}, {}
        previous: list[pulumi.Resource] = []
        for member in seaweedfs_nodes(spec):
            node = args.nodes[member]
            runner = node.runner_under(self)
            arch = node.spec.architecture
            root = state_root(spec, node.spec)
            install = runner.run("seaweedfs-install", _INSTALL, {
                "GT_NODE": member, "GT_UID": str(sw.uid), "GT_WEED": WEED, "GT_VERSION": sw.version,
                "GT_ARCH": arch, "GT_SHA256": sw.sha256.get(arch, ""),
                "GT_URL": RELEASE.format(version=sw.version, arch=arch), "GT_STATE_ROOT": root,
            }, options=StepOptions(depends_on=node.os_ready, timeout="20m"))
            after: list[pulumi.Resource] = [install, *args.certificates_ready.get(member, ())]
            device = data_device(node.spec)
            if device is not None:
                self.disks[member] = runner.run("seaweedfs-disk", _DISK, {
                    "GT_NODE": member, "GT_DEVICE": device, "GT_MOUNT": root, "GT_FSTYPE": sw.filesystem,
                    "GT_WIPE": "\n".join(sorted(w.device for w in spec.storage.wipe if w.node == member)),
                    "GT_SUBDIRS": subdirs(spec, member),
                }, options=StepOptions(depends_on=[install], protect=True, retain_on_delete=True))
                after.append(self.disks[member])
            units = node_units(spec, node.spec)
            record_units(member, units)
            artifacts.record(member, "/etc/seaweedfs/security.toml", security_toml(spec))
            self.servers[member] = runner.run("seaweedfs-servers", _APPLY, {
                **unit_params(units),
                "GT_NODE": member, "GT_IP": str(node.spec.ip), "GT_SECURITY": security_toml(spec),
                "GT_KINDS": " ".join(roles_of(spec, member)),
                "GT_RETIRED": " ".join(k for k in KINDS if k not in roles_of(spec, member)), "GT_SCHEME": "https" if sw.tls else "http",
                "GT_MASTER_PORT": str(ports["master"].http), "GT_VOLUME_PORT": str(ports["volume"].http),
                "GT_FILER_PORT": str(ports["filer"].http), "GT_PEERS": master_list(spec).replace(",", " "),
                "GT_WAIT_SECONDS": "120",
            }, options=StepOptions(depends_on=[*after, *previous]))
            previous = [self.servers[member]]  # one SeaweedFS node at a time
        self.register_outputs({"nodes": sorted(self.servers)})

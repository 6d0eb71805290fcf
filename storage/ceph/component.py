"""`Ceph` (only when `storage.ceph.enabled`): packages and ceph.conf on every Ceph node, monitors one at a time
from a monmap of all of them, a wait for the full quorum, managers, one OSD per modelled `ceph` disk, the RBD
pools and ceph-csi's client; in Kubernetes, ceph-csi's RBD chart. Monitor stores and OSDs are protected and
retained; every key is a Pulumi secret and reaches nodes on stdin only."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s
from pulumi_command import remote

from components import artifacts
from components.remote_step import StepOptions
from components.script import Script
from config.spec import ClusterSpec
from nodes.node import Node
from storage.ceph.keys import cephx_key
from storage.ceph.plan import (
    ADMIN_CAPS,
    CLIENT,
    MON_CAPS,
    ceph_conf,
    client_caps,
    fsid,
    keyring_section,
    mon_addrs,
    monitors,
)
from storage.scripts import disk_script

_PACKAGES = Script.beside(__file__, "packages.sh")
_MON = disk_script(__file__, "mon.sh")
_QUORUM = Script.beside(__file__, "quorum.sh")
_MGR = Script.beside(__file__, "mgr.sh")
_OSD = disk_script(__file__, "osd.sh")
_POOLS = Script.beside(__file__, "pools.sh")
CSI_CHART = "ceph-csi-rbd"
CSI_REPOSITORY = "https://ceph.github.io/csi-charts"


@dataclass(frozen=True)
class CephArgs:
    spec: ClusterSpec
    nodes: Mapping[str, Node]


def packages_of(spec: ClusterSpec, name: str) -> str:
    ceph = spec.storage.ceph
    wanted = {"ceph-common"}
    if name in ceph.mons:
        wanted.add("ceph-mon")
    if name in ceph.mgrs:
        wanted.add("ceph-mgr")
    if name in ceph.osds:
        wanted.update({"ceph-osd", "ceph-volume", "lvm2"})
    return " ".join(sorted(wanted))


class Ceph(pulumi.ComponentResource):
    mons: dict[str, remote.Command]
    quorum: remote.Command
    pools: remote.Command
    client_key: pulumi.Output[str]

    def __init__(self, name: str, args: CephArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("goldentooth:storage:Ceph", name, None, opts)
        spec, ceph = args.spec, args.spec.storage.ceph
        self._spec = spec
        members = [n.name for n in spec.nodes if n.name in {*ceph.mons, *ceph.mgrs, *ceph.osds}]
        runners = {m: args.nodes[m].runner_under(self) for m in members}
        for m in members:
            artifacts.record(m, "/etc/ceph/ceph.conf", ceph_conf(spec))
        packages = {
            m: runners[m].run("ceph-packages", _PACKAGES,
                              {"GT_PACKAGES": packages_of(spec, m), "GT_CEPH_CONF": ceph_conf(spec)},
                              options=StepOptions(depends_on=args.nodes[m].os_ready, timeout="30m"))
            for m in members
        }
        cluster = spec.cluster.name
        mon_key, admin_key = cephx_key(f"{cluster}-ceph-mon-key", self), cephx_key(f"{cluster}-ceph-admin-key", self)
        self.client_key = cephx_key(f"{cluster}-ceph-{CLIENT}-key", self)
        mon_keyring = pulumi.Output.all(mon_key, admin_key).apply(
            lambda keys: keyring_section("mon.", keys[0], MON_CAPS) + keyring_section("client.admin", keys[1], ADMIN_CAPS)
        )
        mons_param = "\n".join(f"{m} {mon_addrs(spec, m)}" for m in ceph.mons)
        self.mons = {}
        previous: list[pulumi.Resource] = []
        for mon in ceph.mons:  # one at a time, like every quorum member
            self.mons[mon] = runners[mon].run(
                "ceph-mon", _MON, {"GT_NODE": mon, "GT_ID": mon, "GT_FSID": fsid(spec), "GT_MONS": mons_param},
                stdin=mon_keyring, secret=True,
                options=StepOptions(depends_on=[packages[mon], *previous], protect=True, retain_on_delete=True),
            )
            previous = [self.mons[mon]]
        first = ceph.mons[0]
        self.quorum = runners[first].run("ceph-quorum", _QUORUM,
                                         {"GT_MONS": str(len(ceph.mons)), "GT_WAIT_SECONDS": "600"},
                                         options=StepOptions(depends_on=list(self.mons.values())))
        # Managers and OSDs run the ceph CLI with the admin keyring the monitor step installed: config/storage.py
        # keeps them on monitor nodes.
        for mgr in ceph.mgrs:
            runners[mgr].run("ceph-mgr", _MGR, {"GT_ID": mgr},
                             options=StepOptions(depends_on=[self.quorum, packages[mgr]]))
        osds = []
        for osd in ceph.osds:
            devices = [d.device for d in spec.node(osd).disks if d.purpose == "ceph"]
            wipe = sorted(w.device for w in spec.storage.wipe if w.node == osd)
            osds.append(runners[osd].run(
                "ceph-osd", _OSD, {"GT_NODE": osd, "GT_DEVICES": "\n".join(devices), "GT_WIPE": "\n".join(wipe)},
                options=StepOptions(depends_on=[self.quorum, packages[osd]], protect=True, retain_on_delete=True,
                                    timeout="30m"),
            ))
        client_keyring = self.client_key.apply(lambda key: keyring_section(f"client.{CLIENT}", key, client_caps(spec)))
        self.pools = runners[first].run(
            "ceph-pools", _POOLS,
            {"GT_POOLS": "\n".join(f"{p.name} {p.pg_num}" for p in ceph.pools), "GT_CLIENT": CLIENT},
            stdin=client_keyring, secret=True, options=StepOptions(depends_on=[self.quorum, *osds]),
        )
        self.register_outputs({"mons": sorted(self.mons), "fsid": fsid(spec)})

    def kubernetes(self, provider: k8s.Provider, ready: Sequence[pulumi.Resource]) -> list[pulumi.Resource]:
        """ceph-csi's RBD driver (the reference's v3.11.0) for the StorageClasses; its secret holds the client key."""
        ceph = self._spec.storage.ceph
        release = k8s.helm.v3.Release(
            "ceph-csi-rbd",
            chart=CSI_CHART,
            version=ceph.csi_version,
            namespace=ceph.csi_namespace,
            create_namespace=True,
            repository_opts=k8s.helm.v3.RepositoryOptsArgs(repo=CSI_REPOSITORY),
            values={
                "csiConfig": [{"clusterID": ceph.cluster_id, "monitors": monitors(self._spec)}],
                "provisioner": {"replicaCount": 2},
                "storageClass": {"create": False},
                "secret": {"create": True, "name": "csi-rbd-secret", "userID": CLIENT, "userKey": self.client_key},
            },
            opts=pulumi.ResourceOptions(parent=self, provider=provider, depends_on=[*ready, self.pools]),
        )
        return [release]

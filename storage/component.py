"""`Storage`: the storage layer's component. ZFS on `roles.zfs`, SeaweedFS on `roles.seaweedfs`, Ceph when
`storage.ceph.enabled`, then the CSI drivers and StorageClasses in Kubernetes.

What it needs from other layers arrives in `StorageArgs` from `cluster/`: the node handles, the Kubernetes
provider and what must exist before anything is applied to Kubernetes (the pod network), and the PKI's
certificate steps for SeaweedFS when its TLS is on."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_kubernetes as k8s

from config.spec import ClusterSpec
from nodes.node import Node
from storage import kube
from storage.ceph.component import Ceph, CephArgs
from storage.classes import storage_classes
from storage.seaweedfs import csi
from storage.seaweedfs.component import Seaweedfs, SeaweedfsArgs
from storage.zfs.component import Zfs, ZfsArgs


@dataclass(frozen=True)
class StorageArgs:
    spec: ClusterSpec
    nodes: Mapping[str, Node]
    kubernetes_provider: k8s.Provider | None = None  # None: nothing is applied to Kubernetes
    kubernetes_ready: Sequence[pulumi.Resource] = field(default_factory=tuple)
    seaweedfs_certificates: Mapping[str, Sequence[pulumi.Resource]] = field(default_factory=dict)


class Storage(pulumi.ComponentResource):
    zfs: Zfs | None
    seaweedfs: Seaweedfs | None
    ceph: Ceph | None

    def __init__(self, name: str, args: StorageArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("goldentooth:storage:Storage", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        spec = args.spec
        self.zfs = Zfs(f"{name}-zfs", ZfsArgs(spec, args.nodes), child) if spec.roles.zfs else None
        self.seaweedfs = None
        if spec.roles.seaweedfs is not None:
            self.seaweedfs = Seaweedfs(
                f"{name}-seaweedfs", SeaweedfsArgs(spec, args.nodes, args.seaweedfs_certificates), child
            )
        self.ceph = Ceph(f"{name}-ceph", CephArgs(spec, args.nodes), child) if spec.storage.ceph.enabled else None
        provider = args.kubernetes_provider
        if provider is not None:
            self._kubernetes(spec, provider, args.kubernetes_ready)
        self.register_outputs({
            "zfsPools": sorted(self.zfs.pools) if self.zfs else [],
            "seaweedfsNodes": sorted(self.seaweedfs.servers) if self.seaweedfs else [],
        })

    def _kubernetes(self, spec: ClusterSpec, provider: k8s.Provider, ready: Sequence[pulumi.Resource]) -> None:
        drivers: list[pulumi.Resource] = []
        if self.seaweedfs is not None and spec.roles.seaweedfs is not None and spec.roles.seaweedfs.filers:
            created: dict[str, pulumi.Resource] = {}
            for name, document in csi.manifests(spec).items():
                after = [*ready, *self.seaweedfs.servers.values()]
                if name != "seaweedfs-csi-namespace" and "seaweedfs-csi-namespace" in created:
                    after.append(created["seaweedfs-csi-namespace"])
                created[name] = kube.apply(name, document, provider=provider, parent=self, depends_on=after)
            drivers += created.values()
        if self.ceph is not None:
            drivers += self.ceph.kubernetes(provider, ready)
        for name, document in storage_classes(spec).items():
            kube.apply(f"storageclass-{name}", document, provider=provider, parent=self, depends_on=drivers)

"""`Storage`: the storage layer's component. ZFS on `roles.zfs`; SeaweedFS and Ceph join here as their parts land.

What it needs from other layers arrives in `StorageArgs` from `cluster/`: the node handles and, for the
Kubernetes objects, the Kubernetes provider (None: nothing is applied to Kubernetes)."""

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi

from config.spec import ClusterSpec
from nodes.node import Node
from storage.zfs.component import Zfs, ZfsArgs


@dataclass(frozen=True)
class StorageArgs:
    spec: ClusterSpec
    nodes: Mapping[str, Node]


class Storage(pulumi.ComponentResource):
    zfs: Zfs | None

    def __init__(self, name: str, args: StorageArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("goldentooth:storage:Storage", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        spec = args.spec
        self.zfs = Zfs(f"{name}-zfs", ZfsArgs(spec, args.nodes), child) if spec.roles.zfs else None
        self.register_outputs({"zfsPools": sorted(self.zfs.pools) if self.zfs else []})

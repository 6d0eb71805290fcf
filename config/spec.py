"""`ClusterSpec`: the whole validated stack config. Each field is one `goldentooth:<camelCase>` key."""

from collections.abc import Mapping
from types import MappingProxyType

from pydantic import Field

from config.adoption import AdoptionSpec
from config.aws import AwsSpec
from config.base import ConfigModel
from config.batch import BatchSpec
from config.cloudflare import CloudflareSpec
from config.cluster import ClusterSettings, SshSpec
from config.domains import DomainsSpec
from config.hashicorp import HashicorpSpec
from config.kubernetes import KubernetesSpec
from config.lifecycle import LifecycleSpec
from config.network import NetworkSpec
from config.nodes import NodeSpec
from config.observability import ObservabilitySpec
from config.pki import PkiSpec
from config.roles import RolesSpec
from config.rollout import RolloutSpec
from config.storage import StorageSpec
from config.versions import VersionsSpec

_NODE_INDEX = "nodes_by_name_index"  # not a field: pydantic compares, dumps and validates fields only


class ClusterSpec(ConfigModel):
    cluster: ClusterSettings
    domains: DomainsSpec
    network: NetworkSpec
    versions: VersionsSpec
    ssh: SshSpec = Field(default_factory=SshSpec)
    nodes: tuple[NodeSpec, ...]
    roles: RolesSpec
    aws: AwsSpec
    cloudflare: CloudflareSpec = Field(default_factory=CloudflareSpec)
    kubernetes: KubernetesSpec = Field(default_factory=KubernetesSpec)
    observability: ObservabilitySpec = Field(default_factory=ObservabilitySpec)
    pki: PkiSpec = Field(default_factory=PkiSpec)
    storage: StorageSpec = Field(default_factory=StorageSpec)
    hashicorp: HashicorpSpec = Field(default_factory=HashicorpSpec)
    batch: BatchSpec | None = None  # off when absent (config/batch.py)
    adoption: AdoptionSpec = Field(default_factory=AdoptionSpec)  # read by `goldentooth import-file` only
    lifecycle: LifecycleSpec = Field(default_factory=LifecycleSpec)
    rollout: RolloutSpec = Field(default_factory=RolloutSpec)

    def kubeadm_init_node(self) -> str:
        """The control-plane node that runs `kubeadm init`: `kubernetes.initNode`, else the first by name (never list
        position, so reordering `roles.kubernetes.controlPlane` changes nothing)."""
        return self.kubernetes.init_node or min(self.roles.kubernetes.control_plane)

    def node(self, name: str) -> NodeSpec:
        found = self.nodes_by_name().get(name)
        if found is None:
            raise KeyError(f"no node named {name!r}")
        return found

    def nodes_by_name(self) -> Mapping[str, NodeSpec]:
        """Each node by its name. Layers look nodes up by name for every node, and a scan each would make the
        evaluation quadratic in the inventory, so the index is built once and kept beside the fields, tagged
        with the `nodes` it was built from: `model_copy` carries it over, and a copy with other nodes rebuilds."""
        kept = self.__dict__.get(_NODE_INDEX)
        if kept is None or kept[0] is not self.nodes:
            kept = (self.nodes, {node.name: node for node in self.nodes})
            self.__dict__[_NODE_INDEX] = kept
        return MappingProxyType(kept[1])

    def nodes_named(self, names: tuple[str, ...]) -> tuple[NodeSpec, ...]:
        return tuple(self.node(n) for n in names)

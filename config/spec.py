"""`ClusterSpec`: the whole validated stack config. Each field is one `goldentooth:<camelCase>` key."""

from pydantic import Field

from config.aws import AwsSpec
from config.base import ConfigModel
from config.batch import BatchSpec
from config.cloudflare import CloudflareSpec
from config.cluster import ClusterSettings, SshSpec
from config.domains import DomainsSpec
from config.kubernetes import KubernetesSpec
from config.network import NetworkSpec
from config.roles import RolesSpec
from config.versions import VersionsSpec
from nodes.model import NodeSpec


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
    batch: BatchSpec | None = None  # off when absent (config/batch.py)

    def node(self, name: str) -> NodeSpec:
        for node in self.nodes:
            if node.name == name:
                return node
        raise KeyError(f"no node named {name!r}")

    def nodes_named(self, names: tuple[str, ...]) -> tuple[NodeSpec, ...]:
        return tuple(self.node(n) for n in names)

"""`Cluster`: the tree of every layer, built from a validated spec in two phases.

1. Collect: every layer's `contributions(spec)` (pure data: DNS records, routes, scrape targets, ...), merged.
2. Build: each layer in registry order (cluster/registry.py), through its build function (cluster/wiring.py),
   which hands it the merged contributions (for the concerns it owns) and the outputs of the layers before it.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pulumi

from aws.cloud import AwsCloud
from batch.component import Batch
from cluster.context import LayerContext
from cluster.registry import LAYERS, collect_contributions
from components.contributions import Contributions
from config.secrets import SecretValues
from config.spec import ClusterSpec
from hashicorp.layer import Hashicorp
from k8s.cluster import Kubernetes
from nodes.node import Node
from observability.component import Observability
from pki.component import Pki
from storage.component import Storage

if TYPE_CHECKING:
    from cloudflare.tunnel import CloudflareTunnel


@dataclass(frozen=True)
class ClusterArgs:
    spec: ClusterSpec
    secrets: SecretValues


class Cluster(pulumi.ComponentResource):
    contributions: Contributions
    layers: dict[str, object]  # layer name -> what its build function returned

    def __init__(self, name: str, args: ClusterArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("goldentooth:index:Cluster", name, None, opts)
        self.contributions = collect_contributions(args.spec)
        ctx = LayerContext(args.spec, args.secrets, self.contributions, self)
        for layer in LAYERS:
            ctx.built[layer.name] = layer.build(ctx)
        self._ctx = ctx
        self.layers = ctx.built
        self.register_outputs({"nodes": sorted(self.nodes), "layers": [layer.name for layer in LAYERS]})

    # Typed handles on the layers that program.py exports from.
    @property
    def nodes(self) -> dict[str, Node]:
        return self._ctx.nodes

    @property
    def kubernetes(self) -> Kubernetes:
        return self._ctx.layer("k8s", Kubernetes)

    @property
    def aws(self) -> AwsCloud:
        return self._ctx.layer("aws", AwsCloud)

    @property
    def pki(self) -> Pki | None:
        return self._ctx.optional("pki", Pki)

    @property
    def hashicorp(self) -> Hashicorp | None:
        return self._ctx.optional("hashicorp", Hashicorp)

    @property
    def observability(self) -> Observability | None:
        return self._ctx.optional("observability", Observability)

    @property
    def batch(self) -> Batch | None:
        return self._ctx.optional("batch", Batch)

    @property
    def storage(self) -> Storage:
        return self._ctx.layer("storage", Storage)

    @property
    def cloudflare(self) -> "CloudflareTunnel | None":
        if self.layers.get("cloudflare") is None:
            return None  # off: the Cloudflare SDK (over a second to import) is never loaded
        from cloudflare.tunnel import CloudflareTunnel

        return self._ctx.layer("cloudflare", CloudflareTunnel)

"""The registry of layers: one `LayerDef` line per layer, in build order.

Everything that has to know the list of layers reads it from here: `Cluster` (which builds them in this order,
after collecting every layer's contributions), the graph page (band order and colours), and the test guards
(which folders hold sources and scripts). Packaging finds every folder with an `__init__.py` by itself
(pyproject.toml), and `tests/test_registry.py` checks that each layer folder is one.

Adding a layer is one folder and one line here (docs/adding-a-layer.md). Its `build` function lives in
`cluster/wiring.py`, the one place allowed to hand one layer's outputs to another.
"""

from collections.abc import Callable
from dataclasses import dataclass

from batch.contributions import contributions as batch_contributions
from cluster import wiring
from cluster.context import LayerContext
from components.contributions import Contributions
from config.spec import ClusterSpec
from edge.contributions import contributions as edge_contributions
from hashicorp.contributions import contributions as hashicorp_contributions
from k8s.contributions import contributions as k8s_contributions
from lifecycle.contributions import contributions as lifecycle_contributions
from nodes.contributions import contributions as nodes_contributions
from observability.contributions import contributions as observability_contributions
from pki.contributions import contributions as pki_contributions
from storage.contributions import contributions as storage_contributions

ContributionsFn = Callable[[ClusterSpec], Contributions]


def no_contributions(spec: ClusterSpec) -> Contributions:
    """For a layer that asks nothing of the others (yet)."""
    return Contributions()


@dataclass(frozen=True)
class LayerDef:
    """`name` is the layer's folder and the middle of its component types (`goldentooth:<name>:...`)."""

    name: str
    title: str  # the layer's name for people (docs, reports); the graph labels its band with `name`
    colour: str  # the graph page's colour for the layer, fixed so it does not move as layers are added
    build: Callable[[LayerContext], object]  # registers the layer's component(s); None when the layer is off
    contributions: ContributionsFn = no_contributions  # pure: from the validated spec alone


LAYERS: tuple[LayerDef, ...] = (
    LayerDef("nodes", "Nodes", "#4e79a7", wiring.nodes, nodes_contributions),
    LayerDef("pki", "PKI", "#b07aa1", wiring.pki, pki_contributions),
    LayerDef("edge", "Edge (HAProxy)", "#86bcb6", wiring.edge, edge_contributions),
    LayerDef("aws", "AWS", "#edc948", wiring.aws),
    LayerDef("k8s", "Kubernetes", "#f28e2b", wiring.kubernetes, k8s_contributions),
    # After the bootstrap layers (wiring.BOOTSTRAP_LAYERS), before the layers that wait for the final boot.
    LayerDef("rollout", "Rollout (rolling reboots)", "#d37295", wiring.rollout),
    LayerDef("hashicorp", "HashiCorp", "#59a14f", wiring.hashicorp, hashicorp_contributions),
    LayerDef("storage", "Storage", "#9c755f", wiring.storage, storage_contributions),
    LayerDef("batch", "Batch (Slurm, Ray, Ollama)", "#76b7b2", wiring.batch, batch_contributions),
    LayerDef("observability", "Observability", "#e15759", wiring.observability, observability_contributions),
    LayerDef("cloudflare", "Cloudflare", "#ff9da7", wiring.cloudflare),
    # Last: a node's leave steps wait for (and so are deleted before) what every other layer put on it.
    LayerDef("lifecycle", "Node lifecycle", "#bab0ac", wiring.lifecycle, lifecycle_contributions),
)

# The program's folders that are not layers, in the order data flows through them.
PROGRAM_DIRS: tuple[str, ...] = ("config", "components", "cluster", "offline")
# Folders outside the program itself: the policy pack (imports no layer), tests, benchmarks, tools.
POLICY_DIR = "policies"


def layer_names() -> tuple[str, ...]:
    return tuple(layer.name for layer in LAYERS)


def layer(name: str) -> LayerDef:
    for candidate in LAYERS:
        if candidate.name == name:
            return candidate
    raise KeyError(f"no layer named {name!r} in cluster/registry.py")


def collect_contributions(spec: ClusterSpec) -> Contributions:
    """Phase one: every layer's contributions, merged in registry order, before anything is registered."""
    return Contributions.merge(layer.contributions(spec) for layer in LAYERS)

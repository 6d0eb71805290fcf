"""The dependency graph, grouped by layer and node, as Graphviz dot, Mermaid or a self-contained HTML page."""

import heapq
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from cluster.registry import layer_names
from offline.evaluate import Evaluation
from offline.layers import layer_of, node_of

CLUSTER_WIDE = "cluster"  # the lane of resources that act on no single host
# Bands in the order the cluster is built (cluster/registry.py), under the composition root; anything else (a
# resource outside every layer component) follows, by first step.
LAYER_ORDER = ("goldentooth", *layer_names())


@dataclass(frozen=True)
class GraphNode:
    urn: str
    label: str
    type: str
    layer: str
    node: str | None

    @property
    def host(self) -> str:
        return self.node or CLUSTER_WIDE


@dataclass(frozen=True)
class Graph:
    nodes: tuple[GraphNode, ...]
    edges: tuple[tuple[str, str], ...]  # (dependency, dependent): arrows point the way work flows

    @cached_property
    def depth(self) -> dict[str, int]:
        """Longest chain of dependencies before each resource: the step at which it can run."""
        deps: dict[str, list[str]] = defaultdict(list)
        for a, b in self.edges:
            deps[b].append(a)
        depth: dict[str, int] = {}
        for urn in _topological(self):
            depth[urn] = 1 + max((depth[d] for d in deps[urn]), default=-1)
        return depth

    @cached_property
    def reduced_edges(self) -> tuple[tuple[str, str], ...]:
        """The edges no longer path implies (transitive reduction): what a picture should draw."""
        order = _topological(self)
        index = {urn: i for i, urn in enumerate(order)}
        succ: dict[str, list[str]] = defaultdict(list)
        for a, b in self.edges:
            succ[a].append(b)
        reach: dict[str, int] = {}  # bitset of everything reachable from a node, itself excluded
        for urn in reversed(order):
            bits = 0
            for s in succ[urn]:
                bits |= reach[s] | (1 << index[s])
            reach[urn] = bits
        kept = []
        for a, b in self.edges:
            implied = any(s != b and (reach[s] >> index[b]) & 1 for s in succ[a])
            if not implied:
                kept.append((a, b))
        return tuple(kept)


def _topological(graph: Graph) -> list[str]:
    """Resources in dependency order (Kahn), ties broken by URN so the order is stable."""
    indegree = {n.urn: 0 for n in graph.nodes}
    succ: dict[str, list[str]] = defaultdict(list)
    for a, b in graph.edges:
        succ[a].append(b)
        indegree[b] += 1
    ready = [u for u, d in indegree.items() if d == 0]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        urn = heapq.heappop(ready)
        order.append(urn)
        for s in succ[urn]:
            indegree[s] -= 1
            if indegree[s] == 0:
                heapq.heappush(ready, s)
    if len(order) != len(indegree):
        stuck = sorted(u for u, d in indegree.items() if d > 0)
        raise ValueError(f"the dependency graph has a cycle through {stuck[:5]}")
    return order


def build_graph(ev: Evaluation) -> Graph:
    """Custom resources and leaf components (a component with nothing inside yet, such as a bare Node),
    and the edges between them. Components with children are groupings, not boxes."""
    by_urn = ev.by_urn()
    ips = {str(n.ip): n.name for n in ev.spec.nodes}
    children: dict[str, list[str]] = defaultdict(list)
    for r in ev.resources:
        if r.parent:
            children[r.parent].append(r.urn)
    boxes = [r for r in ev.resources if r.custom or not children.get(r.urn)]
    keep = {r.urn for r in boxes}
    nodes = tuple(GraphNode(r.urn, r.name, r.type, layer_of(r, by_urn), node_of(r, by_urn, ips)) for r in boxes)

    def leaves(urn: str) -> list[str]:
        """A dependency on a component means a dependency on every box inside it."""
        if urn in keep:
            return [urn]
        return [leaf for child in children.get(urn, []) for leaf in leaves(child)]

    edges = sorted({(dep, r.urn) for r in boxes for d in r.dependencies for dep in leaves(d) if dep != r.urn})
    return Graph(nodes, tuple(edges))


def groups(graph: Graph, host_order: Iterable[str]) -> list[tuple[str, list[tuple[str, list[GraphNode]]]]]:
    """[(layer, [(host, boxes)])]: layers in bring-up order, hosts in inventory order (cluster-wide work
    first), boxes by step and name."""
    order = {host: i for i, host in enumerate([CLUSTER_WIDE, *host_order])}
    by_layer: dict[str, dict[str, list[GraphNode]]] = defaultdict(lambda: defaultdict(list))
    for n in graph.nodes:
        by_layer[n.layer][n.host].append(n)
    depth = graph.depth

    def layer_key(layer: str) -> tuple[int, int, str]:
        known = LAYER_ORDER.index(layer) if layer in LAYER_ORDER else len(LAYER_ORDER)
        return known, min(depth[n.urn] for hosts in by_layer[layer].values() for n in hosts), layer

    return [
        (
            layer,
            [
                (host, sorted(by_layer[layer][host], key=lambda n: (depth[n.urn], n.label, n.urn)))
                for host in sorted(by_layer[layer], key=lambda h: (order.get(h, len(order)), h))
            ],
        )
        for layer in sorted(by_layer, key=layer_key)
    ]


def _dot_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def to_dot(graph: Graph, host_order: Iterable[str] = ()) -> str:
    """Graphviz: one cluster per layer, one nested cluster per host; `dot -Tsvg` lays it out left to right."""
    ids = {n.urn: f"r{i}" for i, n in enumerate(graph.nodes)}
    lines = [
        f"// {len(graph.nodes)} resources, {len(graph.edges)} dependencies; the {len(graph.reduced_edges)} drawn "
        "leave out those a longer path already implies",
        "digraph goldentooth {",
        # Not newrank: its ranker fails ("trouble in init_rank", Graphviz 2.43-12) once steps in one host's cluster
        # order other hosts' steps within a layer, as the node layer's rollout does; the default ranker lays it out.
        "  rankdir=LR; compound=true;",
        '  node [shape=box, style="rounded,filled", fillcolor="#ffffff", fontsize=10, fontname="Helvetica"];',
        '  edge [color="#888888", arrowsize=0.6];',
    ]
    for i, (layer, hosts) in enumerate(groups(graph, host_order)):
        lines.append(f"  subgraph cluster_l{i} {{ label={_dot_quote(layer)}; style=rounded; color=\"#999999\";")
        for j, (host, members) in enumerate(hosts):
            lines.append(f"    subgraph cluster_l{i}_h{j} {{ label={_dot_quote(host)}; style=dashed;")
            for m in members:
                label = f"{m.label}\n{m.type}"
                lines.append(f"      {ids[m.urn]} [label={_dot_quote(label)}];")
            lines.append("    }")
        lines.append("  }")
    lines += [f"  {ids[a]} -> {ids[b]};" for a, b in graph.reduced_edges]
    lines.append("}")
    return "\n".join(lines) + "\n"


def _mermaid_text(text: str) -> str:
    """Mermaid labels are quoted strings; quotes and angle brackets go in as entity codes."""
    return text.replace("#", "#35;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")


def to_mermaid(graph: Graph, host_order: Iterable[str] = ()) -> str:
    ids = {n.urn: f"r{i}" for i, n in enumerate(graph.nodes)}
    lines = ["flowchart LR"]
    for i, (layer, hosts) in enumerate(groups(graph, host_order)):
        lines.append(f'  subgraph l{i}["{_mermaid_text(layer)}"]')
        for j, (host, members) in enumerate(hosts):
            lines.append(f'    subgraph l{i}h{j}["{_mermaid_text(host)}"]')
            lines += [f'      {ids[m.urn]}["{_mermaid_text(m.label)}"]' for m in members]
            lines.append("    end")
        lines.append("  end")
    lines += [f"  {ids[a]} --> {ids[b]}" for a, b in graph.reduced_edges]
    return "\n".join(lines) + "\n"

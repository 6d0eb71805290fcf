"""The dependency graph, grouped by layer and node, as Graphviz dot, Mermaid or a self-contained HTML page."""

from collections import defaultdict
from dataclasses import dataclass

from offline.evaluate import Evaluation
from offline.layers import layer_of, node_of


@dataclass(frozen=True)
class GraphNode:
    urn: str
    label: str
    type: str
    layer: str
    node: str | None


@dataclass(frozen=True)
class Graph:
    nodes: tuple[GraphNode, ...]
    edges: tuple[tuple[str, str], ...]  # (dependency, dependent): arrows point the way work flows


def build_graph(ev: Evaluation) -> Graph:
    """Custom resources and the edges between them; components are groupings, not boxes."""
    by_urn = ev.by_urn()
    ips = {str(n.ip): n.name for n in ev.spec.nodes}
    custom = [r for r in ev.resources if r.custom]
    keep = {r.urn for r in custom}
    nodes = tuple(GraphNode(r.urn, r.name, r.type, layer_of(r, by_urn), node_of(r, by_urn, ips)) for r in custom)
    children: dict[str, list[str]] = defaultdict(list)
    for r in ev.resources:
        if r.parent:
            children[r.parent].append(r.urn)

    def leaves(urn: str) -> list[str]:
        """A dependency on a component means a dependency on every custom resource inside it."""
        if urn in keep:
            return [urn]
        return [leaf for child in children.get(urn, []) for leaf in leaves(child)]

    edges = sorted({(dep, r.urn) for r in custom for d in r.dependencies for dep in leaves(d) if dep != r.urn})
    return Graph(nodes, tuple(edges))


def _ids(graph: Graph) -> dict[str, str]:
    return {n.urn: f"r{i}" for i, n in enumerate(graph.nodes)}


def to_dot(graph: Graph) -> str:
    ids = _ids(graph)
    groups: dict[tuple[str, str], list[GraphNode]] = defaultdict(list)
    for n in graph.nodes:
        groups[(n.layer, n.node or "cluster")].append(n)
    lines = ["digraph goldentooth {", "  rankdir=LR;", '  node [shape=box, fontsize=10, fontname="Helvetica"];']
    for i, ((layer, host), members) in enumerate(sorted(groups.items())):
        lines.append(f'  subgraph cluster_{i} {{ label="{layer} / {host}"; style=rounded;')
        lines += [f'    {ids[m.urn]} [label="{m.label}\\n{m.type}"];' for m in members]
        lines.append("  }")
    lines += [f"  {ids[a]} -> {ids[b]};" for a, b in graph.edges]
    lines.append("}")
    return "\n".join(lines) + "\n"


def to_mermaid(graph: Graph) -> str:
    ids = _ids(graph)
    groups: dict[tuple[str, str], list[GraphNode]] = defaultdict(list)
    for n in graph.nodes:
        groups[(n.layer, n.node or "cluster")].append(n)
    lines = ["flowchart LR"]
    for i, ((layer, host), members) in enumerate(sorted(groups.items())):
        lines.append(f'  subgraph g{i}["{layer} / {host}"]')
        lines += [f'    {ids[m.urn]}["{m.label}"]' for m in members]
        lines.append("  end")
    lines += [f"  {ids[a]} --> {ids[b]}" for a, b in graph.edges]
    return "\n".join(lines) + "\n"


def render_graph(ev: Evaluation, fmt: str) -> str:
    graph = build_graph(ev)
    if fmt == "dot":
        return to_dot(graph)
    if fmt == "mermaid":
        return to_mermaid(graph)
    from offline.graph_html import to_html

    return to_html(graph, ev)

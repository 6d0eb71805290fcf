"""A self-contained HTML page of the dependency graph (no network needed to view it)."""

import html
from collections import defaultdict

from offline.evaluate import Evaluation
from offline.graph import Graph


def to_html(graph: Graph, ev: Evaluation) -> str:
    groups: dict[str, list[str]] = defaultdict(list)
    names = {n.urn: n.label for n in graph.nodes}
    deps: dict[str, list[str]] = defaultdict(list)
    for a, b in graph.edges:
        deps[b].append(names[a])
    for n in graph.nodes:
        after = ", ".join(sorted(deps[n.urn])) or "-"
        groups[f"{n.layer} / {n.node or 'cluster'}"].append(
            f"<tr><td>{html.escape(n.label)}</td><td>{html.escape(n.type)}</td><td>{html.escape(after)}</td></tr>"
        )
    sections = [
        f"<h2>{html.escape(g)}</h2><table><tr><th>resource</th><th>type</th><th>after</th></tr>{''.join(rows)}</table>"
        for g, rows in sorted(groups.items())
    ]
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>goldentooth graph</title></head><body>"
        f"<h1>goldentooth: {len(graph.nodes)} resources, {len(graph.edges)} edges</h1>{''.join(sections)}</body></html>\n"
    )

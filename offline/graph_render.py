"""`goldentooth graph`: the dependency graph in one of its formats. The HTML page lives in its own modules
(graph_layout, graph_html), which build on `offline.graph`; this module sits above all three, so none of them
imports another in a circle."""

from offline.evaluate import Evaluation
from offline.graph import build_graph, to_dot, to_mermaid
from offline.graph_html import to_html


def render_graph(ev: Evaluation, fmt: str) -> str:
    graph = build_graph(ev)
    hosts = [n.name for n in ev.spec.nodes]
    if fmt == "dot":
        return to_dot(graph, hosts)
    if fmt == "mermaid":
        return to_mermaid(graph, hosts)
    return to_html(graph, ev)

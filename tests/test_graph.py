"""`goldentooth graph`: the graph keeps every dependency, the drawings stay valid (dot through the real
Graphviz), and the HTML page holds every resource, draws the right edges and fetches nothing."""

import html.parser
import json
import re
import subprocess
from collections import defaultdict
from collections.abc import Mapping
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from offline.evaluate import Evaluation
from offline.graph import Graph, GraphNode, build_graph, to_dot, to_mermaid
from offline.graph_html import to_html
from offline.graph_layout import BOX_H, BOX_W, layout
from offline.recorder import RecordedResource
from tests.tools import system_tool


@pytest.fixture(scope="module")
def real_graph(real_evaluation: Evaluation) -> Graph:
    return build_graph(real_evaluation)


def _closure(nodes: list[str], edges: tuple[tuple[str, str], ...]) -> set[tuple[str, str]]:
    succ: dict[str, set[str]] = defaultdict(set)
    for a, b in edges:
        succ[a].add(b)
    reach = set()
    for start in nodes:
        stack, seen = [start], set()
        while stack:
            for nxt in succ[stack.pop()]:
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        reach |= {(start, s) for s in seen}
    return reach


def _synthetic(names: list[str], edges: list[tuple[int, int]], hosts: list[str]) -> Graph:
    layers = ("nodes", "k8s", "hashicorp", "aws")
    nodes = tuple(
        GraphNode(f"urn:pulumi:s::p::t::{name}", name, "command:remote:Command", layers[i % len(layers)],
                  hosts[i % len(hosts)] if i % 3 else None)
        for i, name in enumerate(names)
    )
    urns = [n.urn for n in nodes]
    return Graph(nodes, tuple(sorted({(urns[a], urns[b]) for a, b in edges if a < b})))


@st.composite
def dags(draw: st.DrawFn) -> Graph:
    n = draw(st.integers(1, 40))
    edges = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=120))
    return _synthetic([f"res-{i}" for i in range(n)], edges, ["bettley", "cargyll", "dalt"])


def test_the_graph_keeps_every_custom_resource_and_every_dependency_between_them(
    real_evaluation: Evaluation, real_graph: Graph
) -> None:
    boxes = {n.urn for n in real_graph.nodes}
    custom = {r.urn for r in real_evaluation.resources if r.custom}
    assert custom <= boxes
    parents = {r.parent for r in real_evaluation.resources}
    assert boxes - custom == {r.urn for r in real_evaluation.resources if not r.custom and r.urn not in parents}
    edges = set(real_graph.edges)
    for r in real_evaluation.resources:
        if r.urn in boxes:
            for dep in r.dependencies:
                if dep in boxes:
                    assert (dep, r.urn) in edges, f"{r.name} lost its dependency on {dep}"
    assert all(a in boxes and b in boxes and a != b for a, b in edges)


def test_a_dependency_on_a_component_becomes_edges_to_everything_inside_it(
    real_evaluation: Evaluation, real_graph: Graph
) -> None:
    by_urn = real_evaluation.by_urn()
    boxes = {n.urn for n in real_graph.nodes}
    edges = set(real_graph.edges)
    for r in real_evaluation.resources:
        if r.urn not in boxes:
            continue
        for dep in r.dependencies:
            if dep in boxes or dep not in by_urn:
                continue
            inside = [b for b in boxes if _ancestors(by_urn, b) & {dep}]
            assert all((b, r.urn) in edges for b in inside), f"{r.name} -> component {dep}"


def _ancestors(by_urn: Mapping[str, RecordedResource], urn: str) -> set[str]:
    seen: set[str] = set()
    current = by_urn[urn].parent
    while current in by_urn:
        seen.add(current)
        current = by_urn[current].parent
    return seen


@settings(max_examples=60, deadline=None)
@given(dags())
def test_the_drawn_edges_keep_reachability_and_drop_only_implied_edges(graph: Graph) -> None:
    names = [n.urn for n in graph.nodes]
    reduced = graph.reduced_edges
    assert set(reduced) <= set(graph.edges)
    assert _closure(names, reduced) == _closure(names, graph.edges)
    for edge in reduced:  # minimal: every kept edge is needed
        rest = tuple(e for e in reduced if e != edge)
        assert edge not in _closure(names, rest)
    for a, b in graph.edges:
        assert graph.depth[b] > graph.depth[a]


def test_the_real_graph_has_no_cycle_and_steps_follow_dependencies(real_graph: Graph) -> None:
    depth = real_graph.depth
    assert set(depth) == {n.urn for n in real_graph.nodes}
    assert all(depth[b] > depth[a] for a, b in real_graph.edges)


def test_dot_output_is_accepted_by_graphviz_and_draws_every_box(real_evaluation: Evaluation, real_graph: Graph) -> None:
    dot = system_tool("dot", "graphviz")
    text = to_dot(real_graph, [n.name for n in real_evaluation.spec.nodes])
    svg = subprocess.run([dot, "-Tsvg"], input=text, capture_output=True, text=True, timeout=300, check=True).stdout
    assert svg.count('class="node"') == len(real_graph.nodes)
    assert svg.count('class="edge"') == len(real_graph.reduced_edges)
    for host in real_evaluation.spec.nodes:
        assert f">{host.name}</text>" in svg  # each host's cluster is labelled


def test_dot_output_survives_hostile_names() -> None:
    dot = system_tool("dot", "graphviz")
    graph = _synthetic(['say "hi"', "back\\slash", "line\nbreak", "<b>&amp;</b>", "{curly}; x -> y"],
                       [(0, 1), (1, 2), (2, 3), (3, 4)], ['host "q"'])
    result = subprocess.run([dot, "-Tsvg"], input=to_dot(graph), capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count('class="node"') == 5


def test_mermaid_output_declares_each_box_once_and_links_only_declared_boxes(real_graph: Graph) -> None:
    text = to_mermaid(real_graph)
    lines = text.splitlines()
    assert lines[0] == "flowchart LR"
    declared = re.findall(r"^\s+(r\d+)\[\"", text, flags=re.M)
    assert len(declared) == len(set(declared)) == len(real_graph.nodes)
    links = re.findall(r"^\s+(r\d+) --> (r\d+)$", text, flags=re.M)
    assert len(links) == len(real_graph.reduced_edges)
    assert {x for link in links for x in link} <= set(declared)
    opened = sum(1 for line in lines if line.strip().startswith("subgraph "))
    assert opened == sum(1 for line in lines if line.strip() == "end")
    for label in re.findall(r'\["(.*)"\]', text):
        assert '"' not in label


def test_mermaid_escapes_quotes_and_brackets() -> None:
    text = to_mermaid(_synthetic(['say "hi" <now>'], [], ["h"]))
    assert '["say #quot;hi#quot; #lt;now#gt;"]' in text


class _PageParser(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.resources: list[str] = []
        self.edges: list[tuple[str, str]] = []
        self.ids: dict[str, str] = {}
        self.fetching: list[str] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        for key in ("src", "href", "action", "srcset", "poster", "data"):
            if a.get(key) is not None and not str(a[key]).startswith("#"):
                self.fetching.append(f"<{tag} {key}={a[key]}>")
        if tag in ("link", "iframe", "img", "object", "embed", "image", "use"):
            self.fetching.append(f"<{tag}>")
        if tag == "g" and a.get("class") == "res":
            self.resources.append(str(a["data-urn"]))
            self.ids[str(a["id"])] = str(a["data-urn"])
        if tag == "path" and a.get("class") == "edge":
            self.edges.append((str(a["data-from"]), str(a["data-to"])))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts.append(data)


def _page(graph: Graph, ev: Evaluation) -> tuple[str, _PageParser]:
    text = to_html(graph, ev)
    parser = _PageParser()
    parser.feed(text)
    return text, parser


def _check_page(graph: Graph, ev: Evaluation) -> _PageParser:
    text, page = _page(graph, ev)
    assert sorted(page.resources) == sorted(n.urn for n in graph.nodes)
    drawn = sorted((page.ids[a], page.ids[b]) for a, b in page.edges)
    assert drawn == sorted(graph.reduced_edges)
    data = json.loads(page.scripts[0])
    assert len(data["resources"]) == len(graph.nodes)
    assert len(data["edges"]) == len(graph.edges)
    assert not page.fetching, page.fetching
    assert not re.search(r"@import|url\((?!#)|https?://(?!www\.w3\.org/2000/svg)", text), "the page must fetch nothing"
    return page


def test_the_html_page_of_the_real_stack_holds_every_resource_and_draws_the_reduced_edges(
    real_evaluation: Evaluation, real_graph: Graph
) -> None:
    page = _check_page(real_graph, real_evaluation)
    assert len(page.scripts) == 2  # the data, then the code


def test_the_html_page_of_a_large_graph_lays_boxes_out_without_overlap(real_evaluation: Evaluation) -> None:
    """Hundreds of resources: boxes never overlap, stay in their lane and every edge runs left to right."""
    hosts = [n.name for n in real_evaluation.spec.nodes]
    n = 600
    edges = [(i, j) for i in range(n) for j in (i + 17, i + 40, i * 2 + 1) if j < n]
    graph = _synthetic([f"{hosts[i % len(hosts)]}-step-{i}" for i in range(n)], edges, hosts)
    _check_page(graph, real_evaluation)
    lay = layout(graph, hosts)
    lanes = {lane.index: lane for lane in lay.lanes}
    for upper, lower in pairwise(sorted(lay.lanes, key=lambda lane: lane.top)):
        assert upper.top + upper.height <= lower.top
    placed = sorted((lanes[b.lane].top + b.y, b.x, b.id) for b in lay.boxes)
    for b in lay.boxes:
        assert b.y >= 0 and b.y + BOX_H <= lanes[b.lane].height
    cells: dict[int, list[int]] = defaultdict(list)
    for top, x, _ in placed:
        cells[x].append(top)
    for tops in cells.values():
        assert all(b - a >= BOX_H for a, b in pairwise(tops))
    at = {b.node.urn: b for b in lay.boxes}
    assert all(at[a].x + BOX_W < at[b].x for a, b in graph.edges)


def test_names_cannot_break_out_of_the_page(real_evaluation: Evaluation) -> None:
    graph = _synthetic(["</script><script>alert(1)</script>", '"><img src=x>', "ok"], [(0, 1), (1, 2)], ["bettley"])
    text, page = _page(graph, real_evaluation)
    assert "<script>alert(1)" not in text and "<img" not in text
    assert sorted(page.resources) == sorted(n.urn for n in graph.nodes)
    assert [r["name"] for r in json.loads(page.scripts[0])["resources"]].count("</script><script>alert(1)</script>") == 1


def test_the_page_script_is_valid_javascript(real_evaluation: Evaluation, real_graph: Graph) -> None:
    node = system_tool("node", "nodejs")
    _, page = _page(real_graph, real_evaluation)
    result = subprocess.run([node, "--check", "-"], input=page.scripts[1], capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 0, result.stderr

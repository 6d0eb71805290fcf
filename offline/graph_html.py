"""A self-contained HTML page of the dependency graph: the SVG is laid out here (offline/graph_layout.py),
so the page reads without JavaScript; the inline script (graph_page.js) adds filtering by layer and host,
search, and tracing a resource's upstream and downstream. Nothing is fetched: no CDN, no fonts, no images."""

import html
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from cluster.registry import LAYERS
from offline.evaluate import Evaluation
from offline.graph import CLUSTER_WIDE, Graph
from offline.graph_layout import BOX_H, BOX_W, COL_W, LABEL_W, LAYER_H, TOP, Box, Layout, column_x, layout

_HERE = Path(__file__).resolve().parent
# Fixed colours, so a layer keeps its colour as the stack grows: each layer's from its registry line, plus the
# composition root and resources outside every layer component.
LAYER_COLOURS = {
    **{layer.name: layer.colour for layer in LAYERS},
    "goldentooth": "#76b7b2",
    "command": "#bab0ac",
}
_SPARE = ("#17becf", "#bcbd22", "#8c564b", "#7f7f7f", "#1f77b4", "#d62728")
LABEL_CHARS = 30
TYPE_CHARS = 34


def layer_colour(layer: str, others: list[str]) -> str:
    if layer in LAYER_COLOURS:
        return LAYER_COLOURS[layer]
    return _SPARE[sorted(others).index(layer) % len(_SPARE)]


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _short_type(type_: str) -> str:
    """`command:remote:Command` -> `remote:Command`; the package is the layer's business."""
    parts = type_.split(":")
    return ":".join(parts[1:]) if len(parts) == 3 else type_


def _in_lane(label: str, host: str) -> str:
    """`bettley-kubeadm-init` shows as `kubeadm-init` in bettley's lane: the lane already says whose it is."""
    short = label.removeprefix(f"{host}-")
    return short if short and host != CLUSTER_WIDE else label


def edge_path(x1: float, y1: float, x2: float, y2: float) -> str:
    """A cubic curve from the right edge of one box to the left edge of the next (same formula in the JS)."""
    dx = max(40.0, (x2 - x1) / 2)
    return f"M{x1:.0f},{y1:.0f} C{x1 + dx:.0f},{y1:.0f} {x2 - dx:.0f},{y2:.0f} {x2:.0f},{y2:.0f}"


def _svg(graph: Graph, lay: Layout, colours: dict[str, str], hosts: dict[str, str]) -> str:
    e = html.escape
    lane_top = {lane.index: lane.top for lane in lay.lanes}
    where = {b.node.urn: b for b in lay.boxes}
    out = [
        f'<svg id="graph" width="{lay.width}" height="{lay.height}" '
        f'viewBox="0 0 {lay.width} {lay.height}" role="img" aria-label="dependency graph">',
        '<defs><marker id="arrow" viewBox="0 0 8 8" refX="8" refY="4" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M0,0 L8,4 L0,8 z" class="arrowhead"/></marker></defs>',
        '<g id="columns">',
    ]
    for col in range(lay.columns):
        x = column_x(col)
        out.append(f'<text class="col-head" x="{x + BOX_W / 2:.0f}" y="{TOP - 10}">step {col + 1}</text>')
        out.append(f'<line class="col-rule" x1="{x - (COL_W - BOX_W) / 2:.0f}" y1="{TOP}" '
                   f'x2="{x - (COL_W - BOX_W) / 2:.0f}" y2="{lay.height}"/>')
    out.append("</g>")
    out.append('<g id="backgrounds">')
    for layer, top in lay.layer_tops.items():
        out.append(f'<g class="layer-band" data-layer="{e(layer)}" transform="translate(0,{top})">'
                   f'<rect width="{lay.width}" height="{LAYER_H}" fill="{colours[layer]}" class="band"/></g>')
    for lane in lay.lanes:
        out.append(f'<g class="lane-bg" data-lane="{lane.index}" transform="translate(0,{lane.top})">'
                   f'<rect width="{lay.width}" height="{lane.height}" class="lane-rect {"odd" if lane.index % 2 else "even"}"/></g>')
    out.append("</g>")
    out.append('<g id="edges">')
    for i, (source, target) in enumerate(graph.reduced_edges):
        s, t = where[source], where[target]
        d = edge_path(s.x + BOX_W, lane_top[s.lane] + s.y + BOX_H / 2, t.x, lane_top[t.lane] + t.y + BOX_H / 2)
        out.append(f'<path class="edge" id="e{i}" data-from="{s.id}" data-to="{t.id}" d="{d}" marker-end="url(#arrow)"/>')
    out.append("</g>")
    out.append('<g id="boxes">')
    in_lane: dict[int, list[Box]] = defaultdict(list)
    for box in lay.boxes:
        in_lane[box.lane].append(box)
    for lane in lay.lanes:
        out.append(f'<g class="lane-boxes" data-lane="{lane.index}" transform="translate(0,{lane.top})">')
        for box in in_lane[lane.index]:
            n = box.node
            out.append(
                f'<g class="res" id="{box.id}" data-urn="{e(n.urn)}" transform="translate({box.x},{box.y})" tabindex="0">'
                f"<title>{e(n.label)}\n{e(n.type)}\n{e(n.urn)}</title>"
                f'<rect width="{BOX_W}" height="{BOX_H}" rx="5" class="box"/>'
                f'<rect width="5" height="{BOX_H}" rx="2" fill="{colours[n.layer]}"/>'
                f'<text x="11" y="15" class="name">{e(_clip(_in_lane(n.label, n.host), LABEL_CHARS))}</text>'
                f'<text x="11" y="29" class="type">{e(_clip(_short_type(n.type), TYPE_CHARS))}</text></g>'
            )
        out.append("</g>")
    out.append("</g>")
    out.append('<g id="labels">')
    for layer, top in lay.layer_tops.items():
        count = sum(len(in_lane[lane.index]) for lane in lay.lanes if lane.layer == layer)
        out.append(f'<g class="layer-label" data-layer="{e(layer)}" transform="translate(0,{top})">'
                   f'<rect width="{LABEL_W}" height="{LAYER_H}" fill="{colours[layer]}"/>'
                   f'<text x="10" y="18" class="layer-name">{e(layer)} · {count}</text></g>')
    for lane in lay.lanes:
        count = len(in_lane[lane.index])
        emoji = hosts.get(lane.host, "")
        out.append(f'<g class="lane-label" data-lane="{lane.index}" transform="translate(0,{lane.top})">'
                   f'<rect width="{LABEL_W}" height="{lane.height}" class="lane-label-bg"/>'
                   f'<rect width="5" height="{lane.height}" fill="{colours[lane.layer]}"/>'
                   f'<text x="14" y="{min(lane.height / 2 + 5, 28):.0f}" class="host">{e(emoji)} {e(lane.host)}'
                   f'<tspan class="count"> {count}</tspan></text></g>')
    out.append("</g></svg>")
    return "\n".join(out)


def _data(graph: Graph, lay: Layout, colours: dict[str, str]) -> dict[str, Any]:
    ids = {b.node.urn: b.id for b in lay.boxes}
    return {
        "box": {"w": BOX_W, "h": BOX_H, "layerH": LAYER_H, "top": TOP, "labelW": LABEL_W},
        "layers": [{"name": layer, "colour": colours[layer]} for layer in lay.layer_tops],
        "lanes": [{"index": lane.index, "layer": lane.layer, "host": lane.host, "height": lane.height}
                  for lane in lay.lanes],
        "resources": [
            {"id": b.id, "urn": b.node.urn, "name": b.node.label, "type": b.node.type, "layer": b.node.layer,
             "host": b.node.host, "lane": b.lane, "x": b.x, "y": b.y, "step": b.col + 1}
            for b in lay.boxes
        ],
        "edges": [[ids[a], ids[b]] for a, b in graph.edges],  # every dependency: tracing uses all of them
        "drawn": [[ids[a], ids[b]] for a, b in graph.reduced_edges],
    }


def _inline_json(value: object) -> str:
    """JSON safe inside a <script> element: no `<`, `>` or `&` that could end it or open a comment."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def to_html(graph: Graph, ev: Evaluation) -> str:
    hosts = {n.name: n.emoji for n in ev.spec.nodes}
    lay = layout(graph, hosts)
    layers = list(lay.layer_tops)
    colours = {layer: layer_colour(layer, [x for x in layers if x not in LAYER_COLOURS]) for layer in layers}
    implied = len(graph.edges) - len(graph.reduced_edges)
    e = html.escape
    host_boxes = [CLUSTER_WIDE, *hosts]
    layer_controls = "".join(
        f'<label class="chip"><input type="checkbox" data-filter="layer" value="{e(layer)}" checked>'
        f'<span class="swatch" style="background:{colours[layer]}"></span>{e(layer)}</label>'
        for layer in layers
    )
    present = {lane.host for lane in lay.lanes}
    host_controls = "".join(
        f'<label class="chip"><input type="checkbox" data-filter="host" value="{e(h)}" checked>'
        f"{e(hosts.get(h, ''))} {e(h)}</label>"
        for h in host_boxes if h in present
    )
    css = (_HERE / "graph_page.css").read_text(encoding="utf-8")
    js = (_HERE / "graph_page.js").read_text(encoding="utf-8")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>goldentooth: dependency graph</title>
<style>{css}</style></head>
<body>
<header>
  <div class="title-row"><h1>goldentooth <span class="sub">dependency graph</span></h1>
  <p class="stats"><b>{len(graph.nodes)}</b> resources on <b>{len(ev.spec.nodes)}</b> nodes ·
    <b>{len(graph.edges)}</b> dependencies, <b id="drawn-count">{len(graph.reduced_edges)}</b> drawn ({implied} implied by a
    longer path hidden) · <b>{lay.columns}</b> steps</p></div>
  <div class="controls">
    <input id="search" type="search" placeholder="search names, types, URNs…" autocomplete="off">
    <span id="search-count"></span>
    <span class="chips" id="layer-filters">{layer_controls}<button data-all="layer">all</button><button data-none="layer">none</button></span>
    <details class="dropdown"><summary>nodes</summary><div class="chips" id="host-filters">{host_controls}
      <button data-all="host">all</button><button data-none="host">none</button></div></details>
    <label class="chip"><input type="checkbox" id="show-implied"> implied edges</label>
    <span class="zoom"><button id="zoom-out" title="zoom out">−</button><button id="zoom-fit" title="fit the width">fit</button><button id="zoom-in" title="zoom in">+</button></span>
  </div>
  <p class="help">Columns are steps: a resource waits for what connects to it from the left. Click a box to trace what it
    waits for (<span class="key up">upstream</span>) and what waits for it (<span class="key down">downstream</span>); Esc clears;
    Enter in the search jumps to the next match.</p>
</header>
<main>
  <div id="canvas">{_svg(graph, lay, colours, hosts)}</div>
  <aside id="details"><p class="hint">Click a resource to see what it depends on and what depends on it.</p></aside>
</main>
<script type="application/json" id="graph-data">{_inline_json(_data(graph, lay, colours))}</script>
<script>{js}</script>
</body></html>
"""

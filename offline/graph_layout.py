"""Swimlane layout of the dependency graph for the HTML page.

Columns are steps (a resource's dependency depth: everything it waits for lies to its left). Rows are
lanes: one per (layer, host), lanes of a layer under one header, hosts in inventory order. Inside a cell,
boxes sit in the order of their dependencies' heights, which keeps most edges short and flat.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from offline.graph import Graph, GraphNode, groups

LABEL_W = 210  # the lane label column on the left
COL_W = 236
BOX_W = 200
BOX_H = 36
ROW_H = 44
LANE_PAD = 8
LAYER_H = 26  # the band naming a layer above its lanes
TOP = 30  # column headings


@dataclass(frozen=True)
class Box:
    id: str
    node: GraphNode
    lane: int
    col: int
    x: int
    y: int  # inside its lane


@dataclass(frozen=True)
class Lane:
    index: int
    layer: str
    host: str
    top: int  # with every lane shown
    height: int


@dataclass(frozen=True)
class Layout:
    boxes: tuple[Box, ...]
    lanes: tuple[Lane, ...]
    layer_tops: dict[str, int]  # where each layer's header band starts
    columns: int
    width: int
    height: int


def column_x(col: int) -> int:
    return LABEL_W + 16 + col * COL_W


def lane_height(rows: int) -> int:
    return 2 * LANE_PAD + rows * ROW_H - (ROW_H - BOX_H)


def layout(graph: Graph, host_order: Iterable[str]) -> Layout:
    depth = graph.depth
    ids = {n.urn: f"r{i}" for i, n in enumerate(graph.nodes)}
    lanes: list[Lane] = []
    layer_tops: dict[str, int] = {}
    cells: dict[tuple[int, int], list[GraphNode]] = defaultdict(list)
    y = TOP
    for layer, hosts in groups(graph, host_order):
        layer_tops[layer] = y
        y += LAYER_H
        for host, members in hosts:
            index = len(lanes)
            per_col: dict[int, int] = defaultdict(int)
            for m in members:
                per_col[depth[m.urn]] += 1
                cells[(index, depth[m.urn])].append(m)
            lanes.append(Lane(index, layer, host, y, lane_height(max(per_col.values()))))
            y += lanes[-1].height
    columns = 1 + max(depth.values(), default=0)

    preds: dict[str, list[str]] = defaultdict(list)
    for a, b in graph.edges:
        preds[b].append(a)
    centre: dict[str, float] = {}  # absolute y of each placed box, for ordering the next columns
    boxes: list[Box] = []
    for col in range(columns):
        for lane in lanes:
            members = cells.get((lane.index, col), [])

            def key(n: GraphNode) -> tuple[float, str, str]:
                ys = [centre[p] for p in preds[n.urn] if p in centre]
                return (sum(ys) / len(ys) if ys else 0.0, n.label, n.urn)

            for row, m in enumerate(sorted(members, key=key)):
                local_y = LANE_PAD + row * ROW_H
                centre[m.urn] = lane.top + local_y + BOX_H / 2
                boxes.append(Box(ids[m.urn], m, lane.index, col, column_x(col), local_y))
    width = column_x(columns) + 24
    return Layout(tuple(boxes), tuple(lanes), layer_tops, columns, width, y + 16)

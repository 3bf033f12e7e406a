"""A component's dependency graph as plain geometry: what it depends on (left), what depends on it (right).

A dependency graph is a diagram, not a chart, so it lives apart from `report.charts`, but works the
same way: pure functions (no I/O, no browser), names in, boxes and arrows out, drawn as inline SVG by
the macro in `templates/graph.html.j2` through the one autoescaped environment (names stay text).

The layout is layered: the component in the middle column; its direct dependencies in the column to
its left, their dependencies further left (up to `max_depth` columns); its dependents to the right the
same way. Each layer is in name order and holds at most `max_per_layer` boxes; what is cut is counted
in `omitted`. Every name is placed once (a breadth-first walk with one shared `seen` set), so a cycle
ends the walk instead of looping, and a component that is both upstream and downstream (a cycle
through the middle) is shown upstream. Arrows follow the data: from a dependency to its dependent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import quote

from mldebt.report.charts import cut

MAX_DEPTH = 2  # columns on each side of the component
MAX_PER_LAYER = 12  # boxes in one column
LABEL = 22  # characters of a name shown in a box (the full name is the box's tooltip)
NODE_W, NODE_H = 168, 28
COL_GAP, ROW_GAP, MARGIN = 56, 12, 8
LANE = 16  # room under the boxes for arrows that skip a column (they dip below, not through, the boxes between)


@dataclass(frozen=True)
class GraphNode:
    name: str
    label: str  # the name cut to LABEL characters
    layer: int  # < 0 upstream (dependencies), 0 the component, > 0 downstream (dependents)
    x: float
    y: float
    href: str | None  # None for the component itself and for names that are no stored component
    known: bool  # False: named in a `depends_on` but not in the inventory
    w: float = NODE_W
    h: float = NODE_H

    @property
    def text_x(self) -> float:
        return self.x + self.w / 2

    @property
    def text_y(self) -> float:
        return self.y + self.h / 2 + 4


@dataclass(frozen=True)
class GraphEdge:
    dependency: str  # where the arrow starts (data flows from it)
    dependent: str  # where it ends (the component whose `depends_on` names `dependency`)
    path: str  # SVG path data


@dataclass(frozen=True)
class GraphGeometry:
    center: str
    title: str
    width: int
    height: int
    nodes: tuple[GraphNode, ...]
    edges: tuple[GraphEdge, ...]
    omitted: int  # names reached but not drawn (a full layer, or beyond max_depth)

    @property
    def upstream(self) -> tuple[GraphNode, ...]:
        return tuple(n for n in self.nodes if n.layer < 0)

    @property
    def downstream(self) -> tuple[GraphNode, ...]:
        return tuple(n for n in self.nodes if n.layer > 0)


def inventory_href(name: str) -> str:
    """The component page of `name`, the name quoted as one path segment."""
    return "/inventory/" + quote(name, safe="")


def _dependents(depends_on: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    reverse: dict[str, set[str]] = {}
    for name, needs in depends_on.items():
        for need in needs:
            reverse.setdefault(need, set()).add(name)
    return {name: sorted(users) for name, users in reverse.items()}


def _layers(center: str, neighbours: Callable[[str], Iterable[str]], seen: set[str], max_depth: int,
            max_per_layer: int) -> tuple[list[list[str]], int]:
    """Breadth-first layers from `center` (not including it) and how many reached names were cut."""
    layers: list[list[str]] = []
    frontier = [center]
    omitted = 0
    for depth in range(max_depth + 1):
        found = sorted({n for node in frontier for n in neighbours(node) if n not in seen})
        if depth == max_depth or not found:
            omitted += len(found)
            break
        kept, cut_off = found[:max_per_layer], found[max_per_layer:]
        omitted += len(cut_off)
        seen.update(found)  # a cut name is not reached again through another path
        layers.append(kept)
        frontier = kept
    return layers, omitted


def layout(center: str, depends_on: Mapping[str, Sequence[str]], *, max_depth: int = MAX_DEPTH,
           max_per_layer: int = MAX_PER_LAYER, href: Callable[[str], str] = inventory_href) -> GraphGeometry:
    """The layered graph around `center`; `depends_on` maps each stored component to the names it depends on."""
    max_depth = max(1, max_depth)
    max_per_layer = max(1, max_per_layer)
    dependents = _dependents(depends_on)
    seen = {center}
    upstream, omitted_up = _layers(center, lambda n: depends_on.get(n, ()), seen, max_depth, max_per_layer)
    downstream, omitted_down = _layers(center, lambda n: dependents.get(n, ()), seen, max_depth, max_per_layer)
    columns: list[tuple[int, list[str]]] = [(-(i + 1), names) for i, names in enumerate(upstream)][::-1]
    columns += [(0, [center])] + [(i + 1, names) for i, names in enumerate(downstream)]
    tallest = max(len(names) for _, names in columns)
    height = 2 * MARGIN + tallest * (NODE_H + ROW_GAP) - ROW_GAP
    width = 2 * MARGIN + len(columns) * (NODE_W + COL_GAP) - COL_GAP
    nodes: dict[str, GraphNode] = {}
    for column, (layer, names) in enumerate(columns):
        top = MARGIN + (tallest - len(names)) * (NODE_H + ROW_GAP) / 2
        for row, name in enumerate(names):
            known = name in depends_on
            nodes[name] = GraphNode(name, cut(name, LABEL), layer, MARGIN + column * (NODE_W + COL_GAP),
                                    top + row * (NODE_H + ROW_GAP),
                                    href(name) if known and name != center else None, known)
    pairs = [(need, name) for name in sorted(nodes) for need in sorted(set(depends_on.get(name, ())))
             if need in nodes and need != name]
    skips = any(abs(nodes[a].layer - nodes[b].layer) > 1 for a, b in pairs)
    edges = [GraphEdge(a, b, _path(nodes[a], nodes[b], height - MARGIN + LANE / 2)) for a, b in pairs]
    title = f"Dependencies of {cut(center)}"
    return GraphGeometry(center, title, width, height + (LANE if skips else 0), tuple(nodes.values()), tuple(edges),
                         omitted_up + omitted_down)


def _path(start: GraphNode, end: GraphNode, lane: float) -> str:
    """A curve from the side of `start` facing `end` to the side of `end` facing back (same column: both
    right sides). An arrow that skips a column dips to `lane`, under the boxes, at its middle."""
    y1, y2 = start.y + start.h / 2, end.y + end.h / 2
    if abs(start.layer - end.layer) > 1:
        forward = start.x < end.x
        x1 = start.x + start.w if forward else start.x
        x2 = end.x if forward else end.x + end.w
        low = 2 * lane - (y1 + y2) / 2  # a quadratic curve reaches halfway to its control point
        return f"M{x1:g},{y1:g} Q{(x1 + x2) / 2:g},{low:g} {x2:g},{y2:g}"
    if start.x < end.x:
        x1, x2, bend1, bend2 = start.x + start.w, end.x, COL_GAP / 2, -COL_GAP / 2
    elif start.x > end.x:
        x1, x2, bend1, bend2 = start.x, end.x + end.w, -COL_GAP / 2, COL_GAP / 2
    else:
        x1, x2, bend1, bend2 = start.x + start.w, end.x + end.w, COL_GAP / 2, COL_GAP / 2
    return f"M{x1:g},{y1:g} C{x1 + bend1:g},{y1:g} {x2 + bend2:g},{y2:g} {x2:g},{y2:g}"

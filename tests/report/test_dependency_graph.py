"""The dependency graph's layout: layered columns, bounded layers, cycle-safe, names escaped when drawn."""

from mldebt.report.dependency_graph import COL_GAP, LANE, MARGIN, NODE_H, NODE_W, ROW_GAP, layout
from mldebt.report.environment import template_environment

COLUMN = NODE_W + COL_GAP
ROW = NODE_H + ROW_GAP


def positions(graph):
    return {n.name: (n.layer, n.x, n.y) for n in graph.nodes}


def test_dependencies_go_left_dependents_right_each_column_centred():
    graph = layout("model", {"model": ["features", "labels"], "features": ["raw"], "labels": [], "raw": [],
                             "api": ["model"], "other": []})
    top_of_one = MARGIN + ROW / 2  # a column of one box beside a column of two
    assert positions(graph) == {
        "raw": (-2, MARGIN, top_of_one),
        "features": (-1, MARGIN + COLUMN, MARGIN), "labels": (-1, MARGIN + COLUMN, MARGIN + ROW),
        "model": (0, MARGIN + 2 * COLUMN, top_of_one),
        "api": (1, MARGIN + 3 * COLUMN, top_of_one)}
    assert (graph.width, graph.height) == (2 * MARGIN + 4 * COLUMN - COL_GAP, 2 * MARGIN + 2 * ROW - ROW_GAP)
    assert [(e.dependency, e.dependent) for e in graph.edges] == [
        ("model", "api"), ("raw", "features"), ("features", "model"), ("labels", "model")]
    y = top_of_one + NODE_H / 2
    x1, x2 = MARGIN + 2 * COLUMN + NODE_W, MARGIN + 3 * COLUMN
    assert graph.edges[0].path == f"M{x1:g},{y:g} C{x1 + COL_GAP / 2:g},{y:g} {x2 - COL_GAP / 2:g},{y:g} {x2:g},{y:g}"
    assert {n.name: n.href for n in graph.nodes} == {"raw": "/inventory/raw", "features": "/inventory/features",
                                                     "labels": "/inventory/labels", "model": None,
                                                     "api": "/inventory/api"}
    assert graph.omitted == 0


def test_a_layer_holds_at_most_max_per_layer_boxes_and_counts_the_rest():
    needs = [f"d{i:02d}" for i in range(30)]
    graph = layout("m", {"m": needs, **{n: [] for n in needs}}, max_per_layer=12)
    assert [n.name for n in graph.upstream] == needs[:12]
    assert graph.omitted == 18 and len(graph.nodes) == 13
    assert graph.height == 2 * MARGIN + 12 * ROW - ROW_GAP


def test_names_beyond_max_depth_are_counted_not_drawn():
    chain = {f"c{i}": [f"c{i + 1}"] for i in range(5)} | {"c5": []}
    graph = layout("c0", chain, max_depth=2)
    assert [(n.name, n.layer) for n in graph.nodes] == [("c2", -2), ("c1", -1), ("c0", 0)]
    assert graph.omitted == 1


def test_a_cycle_ends_the_walk_and_each_name_is_drawn_once():
    graph = layout("a", {"a": ["b"], "b": ["c"], "c": ["a"]})
    assert [(n.name, n.layer) for n in graph.nodes] == [("c", -2), ("b", -1), ("a", 0)]
    assert sorted((e.dependency, e.dependent) for e in graph.edges) == [("a", "c"), ("b", "a"), ("c", "b")]
    back = next(e for e in graph.edges if e.dependency == "a")  # drawn from a's left side to c's right side
    assert back.path.startswith(f"M{MARGIN + 2 * COLUMN:g},")
    assert layout("s", {"s": ["s"]}).edges == ()  # a self-dependency draws no arrow


def test_a_name_outside_the_inventory_is_drawn_without_a_link():
    graph = layout("m", {"m": ["ghost"]})
    ghost = next(n for n in graph.nodes if n.name == "ghost")
    assert (ghost.known, ghost.href) == (False, None)


def test_labels_are_cut_and_names_escaped_and_quoted_when_drawn():
    hostile = "<script>alert(1)</script>-and-a-very-long-tail"
    graph = layout("m", {"m": [hostile], hostile: []})
    node = graph.upstream[0]
    assert node.label == "<script>alert(1)</scr\u2026" and len(node.label) == 22
    assert node.href == "/inventory/%3Cscript%3Ealert%281%29%3C%2Fscript%3E-and-a-very-long-tail"
    html = template_environment().from_string('{% from "graph.html.j2" import graph %}{{ graph(g) }}').render(g=graph)
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/scr\u2026" in html
    assert html.count('href="/inventory/') == 1 and "<td>m</td><td>&lt;script&gt;alert(1)" in html


def test_an_arrow_that_skips_a_column_dips_under_the_boxes():
    graph = layout("m", {"m": ["a"], "a": [], "api": ["m", "a"]})
    assert graph.height == 2 * MARGIN + NODE_H + LANE  # one row of boxes and the lane under them
    skip = next(e for e in graph.edges if (e.dependency, e.dependent) == ("a", "api"))
    y = MARGIN + NODE_H / 2
    lane = MARGIN + NODE_H + LANE / 2
    x1, x2 = MARGIN + NODE_W, MARGIN + 2 * COLUMN
    assert skip.path == f"M{x1:g},{y:g} Q{(x1 + x2) / 2:g},{2 * lane - y:g} {x2:g},{y:g}"
    assert layout("m", {"m": ["a"], "a": []}).height == 2 * MARGIN + NODE_H  # no skip: no lane

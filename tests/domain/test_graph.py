from mldebt.domain.graph import dependents, find_cycles


def test_acyclic_graph_has_no_cycles():
    assert find_cycles({"a": ["b"], "b": ["c"], "c": []}) == []


def test_cycle_is_named_from_its_smallest_member():
    assert find_cycles({"c": ["a"], "a": ["b"], "b": ["c"]}) == [["a", "b", "c", "a"]]


def test_self_dependency_is_a_cycle():
    assert find_cycles({"a": ["a"], "b": []}) == [["a", "a"]]


def test_one_cycle_per_strongly_connected_component():
    graph = {"a": ["b"], "b": ["a"], "x": ["y"], "y": ["z"], "z": ["x"], "free": ["a"]}
    assert find_cycles(graph) == [["a", "b", "a"], ["x", "y", "z", "x"]]


def test_shortest_cycle_is_reported_inside_a_tangle():
    graph = {"a": ["b", "d"], "b": ["c"], "c": ["a"], "d": ["a"]}
    assert find_cycles(graph) == [["a", "d", "a"]]


def test_edges_to_unknown_names_are_ignored():
    assert find_cycles({"a": ["ghost"]}) == []


def test_deep_chain_does_not_hit_recursion_limit():
    graph = {f"n{i}": [f"n{i + 1}"] for i in range(5000)}
    graph["n5000"] = ["n0"]
    (cycle,) = find_cycles(graph)
    assert len(cycle) == 5002 and cycle[0] == cycle[-1] == "n0"


def test_dependents_reverses_edges():
    assert dependents({"api": ["model"], "job": ["model"], "model": []}) == {
        "api": [], "job": [], "model": ["api", "job"]
    }

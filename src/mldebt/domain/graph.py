"""Dependency-graph rules over component names: cycles and dependents.

Pure functions over `{name: [dependency names]}` so that validation, health findings and later
the backlog (blast radius) share one implementation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def find_cycles(graph: Mapping[str, Sequence[str]]) -> list[list[str]]:
    """One cycle per strongly connected component that has one, as `[a, b, ..., a]`.

    Cycles are rotated to start at their smallest name and listed in name order, so that the
    output (and the fingerprints built from it) is stable across runs and file reorderings.
    """
    cycles: list[list[str]] = []
    for scc in _strongly_connected(graph):
        members = set(scc)
        if len(scc) == 1 and scc[0] not in graph.get(scc[0], ()):
            continue
        cycles.append(_cycle_within(graph, members, min(members)))
    return sorted(cycles)


def _strongly_connected(graph: Mapping[str, Sequence[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative so that deep graphs do not hit the recursion limit."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    result: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work: list[tuple[str, int]] = [(root, 0)]
        while work:
            node, child_i = work.pop()
            if child_i == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            children = [c for c in graph.get(node, ()) if c in graph]
            if child_i < len(children):
                work.append((node, child_i + 1))
                child = children[child_i]
                if child not in index:
                    work.append((child, 0))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            if low[node] == index[node]:
                scc: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    scc.append(member)
                    if member == node:
                        break
                result.append(sorted(scc))
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return result


def _cycle_within(graph: Mapping[str, Sequence[str]], members: set[str], start: str) -> list[str]:
    """Breadth-first search for the shortest path from `start` back to itself inside `members`."""
    previous: dict[str, str] = {}
    frontier = [start]
    while frontier:
        next_frontier: list[str] = []
        for node in frontier:
            for child in sorted(graph.get(node, ())):
                if child not in members:
                    continue
                if child == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(previous[path[-1]])
                    return [*reversed(path), start]
                if child not in previous:
                    previous[child] = node
                    next_frontier.append(child)
        frontier = next_frontier
    raise AssertionError("a strongly connected component always contains a cycle")


def dependents(graph: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    """Reverse edges: for each name, the components that depend on it directly."""
    reverse: dict[str, list[str]] = {name: [] for name in graph}
    for name, deps in graph.items():
        for dep in deps:
            reverse.setdefault(dep, []).append(name)
    return {name: sorted(users) for name, users in reverse.items()}

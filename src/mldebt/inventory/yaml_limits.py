"""Bounds on what a YAML document may expand to: no "billion laughs", no recursive aliases.

ruamel.yaml composes an alias as a second reference to the anchored node, so composing is cheap;
the cost comes later, when the shared graph is walked as a tree (copied to plain dicts, validated):
nine nested levels of ten aliases are 10^9 nodes. `BoundedComposer` measures, once per document and
in linear time, how many nodes the aliases add when expanded, and refuses the document past a
small bound, before anything walks it. A self-referencing alias (`&a [*a]`) expands forever and is
refused too, and so is nesting deeper than `MAX_DEPTH` (ruamel has no expansion limit; its own depth
limit appeared only in 0.19, so the depth is counted here too).
"""

from __future__ import annotations

from typing import Any

from ruamel.yaml.composer import Composer
from ruamel.yaml.error import MarkedYAMLError
from ruamel.yaml.events import AliasEvent
from ruamel.yaml.nodes import MappingNode, Node, SequenceNode

MAX_ALIAS_EXPANSION = 10_000  # nodes that aliases may add; an inventory's `<<: *defaults` adds a few hundred
MAX_DEPTH = 100  # nesting depth of collections


class YamlBoundError(MarkedYAMLError):
    """The document is past a bound: `code` says which (aliases, recursion, depth)."""

    def __init__(self, code: str, message: str, mark: Any) -> None:
        super().__init__(None, None, message, mark)
        self.code = code


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def expanded_size(root: Node) -> tuple[int, int] | None:
    """(nodes once aliases are expanded, distinct nodes), or None when an alias contains itself.

    Iterative post-order walk, memoised per node, so it is linear in the distinct nodes and safe
    from Python's recursion limit.
    """
    sizes: dict[int, int] = {}
    in_progress: set[int] = set()
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        key = id(node)
        if finished:
            in_progress.discard(key)
            sizes[key] = 1 + sum(sizes[id(child)] for child in _children(node))
            continue
        if key in sizes:
            continue
        in_progress.add(key)
        stack.append((node, True))
        for child in _children(node):
            if id(child) in in_progress:
                return None
            if id(child) not in sizes:
                stack.append((child, False))
    return sizes[id(root)], len(sizes)


class BoundedComposer(Composer):
    """A composer that refuses documents whose aliases expand past `MAX_ALIAS_EXPANSION` nodes."""

    _first_alias: Any = None  # where the first alias is: the place a refusal points at
    _nesting = 0

    def compose_document(self) -> Any:
        self._first_alias, self._nesting = None, 0
        node = super().compose_document()
        if node is not None and self._first_alias is not None:
            measured = expanded_size(node)
            if measured is None:
                raise YamlBoundError("yaml_recursive_alias", "YAML alias refers to itself (a recursive structure)",
                                     self._first_alias)
            expanded, distinct = measured
            if expanded - distinct > MAX_ALIAS_EXPANSION:
                raise YamlBoundError(
                    "yaml_alias_expansion",
                    f"YAML aliases expand to more than {MAX_ALIAS_EXPANSION:,} extra nodes "
                    f"({expanded - distinct:,}): refused (nested aliases, a \"billion laughs\" document?)",
                    self._first_alias)
        return node

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.parser.check_event(AliasEvent):
            if self._first_alias is None:
                self._first_alias = self.parser.peek_event().start_mark
            return super().compose_node(parent, index)
        self._nesting += 1
        try:
            if self._nesting > MAX_DEPTH:
                raise YamlBoundError("yaml_too_deep", f"YAML nested deeper than {MAX_DEPTH} levels",
                                     self.parser.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._nesting -= 1

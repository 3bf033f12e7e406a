"""The per-file parse cache: each file is read once and each Python file parsed once with `ast`.

A `SourceFile` is what every rule of one file sees; the tree is parsed on first use and shared,
so ten rules over a file cost one parse. A `Hit` is what a rule reports before the engine turns
it into a `Finding` (component, fingerprint, severity overrides, suppressions).
"""

from __future__ import annotations

import ast
import re
import warnings
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

TEST_PATH = re.compile(r"(^|/)(tests?|testing)/|(^|/)test_[^/]*\.py$|_test\.py$|(^|/)conftest\.py$")


def is_test_path(rel: str) -> bool:
    return bool(TEST_PATH.search(rel))


def normalise(text: str) -> str:
    """A line's content without its indentation or spacing: the identity a fingerprint keeps."""
    text = SUPPRESSION.sub("", text)
    return " ".join(text.split())


SUPPRESSION = re.compile(r"#\s*mldebt:\s*ignore(?:\[([A-Za-z0-9_, ]+)\])?")


def suppressed_rules(line_text: str) -> set[str] | None:
    """Rules silenced on this line: a set of ids, {"*"} for a bare ignore, None when none."""
    match = SUPPRESSION.search(line_text)
    if match is None:
        return None
    if match.group(1) is None:
        return {"*"}
    return {part.strip() for part in match.group(1).split(",") if part.strip()}


@dataclass
class Hit:
    """One rule firing at one place; `key` identifies it when there is no line."""

    rule_id: str
    file: str | None
    line: int | None
    message: str
    evidence: dict[str, Any] = field(default_factory=dict)
    key: str = ""
    line_text: str | None = None


class SourceFile:
    """A file of the scanned tree, read lazily and at most once."""

    def __init__(self, root: Path, rel: str, text: str | None = None) -> None:
        self.root = root
        self.rel = rel
        self._text = text
        self.error: str | None = None

    @property
    def path(self) -> Path:
        return self.root / self.rel

    @cached_property
    def text(self) -> str:
        if self._text is not None:
            return self._text
        try:
            data = self.path.read_bytes()
        except OSError as exc:
            self.error = f"unreadable: {exc.strerror or exc}"
            return ""
        if b"\x00" in data[:8192]:
            self.error = "binary file"
            return ""
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            self.error = "not UTF-8"
            return data.decode("utf-8", errors="replace")

    @cached_property
    def lines(self) -> list[str]:
        return self.text.splitlines()

    def line(self, number: int | None) -> str:
        if number is None or number < 1 or number > len(self.lines):
            return ""
        return self.lines[number - 1]

    @cached_property
    def tree(self) -> ast.Module | None:
        """The parsed module, or None (with `error` set) when it does not parse."""
        text = self.text
        if self.error and self.error != "not UTF-8":
            return None
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return ast.parse(text, filename=self.rel)
        except SyntaxError as exc:
            self.error = f"syntax error at line {exc.lineno}: {exc.msg}"
        except (ValueError, RecursionError, MemoryError) as exc:
            self.error = f"cannot parse: {type(exc).__name__}"
        return None

    @cached_property
    def _buckets(self) -> dict[type, list[ast.AST]]:
        """Every node of the tree grouped by type, from one walk shared by all rules."""
        buckets: dict[type, list[ast.AST]] = {}
        if self.tree is not None:
            for node in ast.walk(self.tree):
                buckets.setdefault(type(node), []).append(node)
        return buckets

    def share_nodes(self, buckets: dict[type, list[ast.AST]]) -> None:
        """Adopt buckets built by another complete traversal of this tree (vulture's), saving a walk."""
        self.__dict__["_buckets"] = buckets

    def nodes(self, *types: type) -> list[Any]:
        """The tree's nodes of the given types (from the shared walk, not a new one)."""
        if len(types) == 1:
            return self._buckets.get(types[0], [])
        return [node for kind in types for node in self._buckets.get(kind, [])]

    @cached_property
    def is_test(self) -> bool:
        return is_test_path(self.rel)

    def hit(self, rule_id: str, line: int | None, message: str, **evidence: Any) -> Hit:
        return Hit(rule_id, self.rel, line, message, evidence, line_text=self.line(line))


def dotted_name(node: ast.AST) -> str | None:
    """`a.b.c` for a Name/Attribute chain, None for anything else (calls, subscripts)."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


class ImportMap:
    """Local names to the qualified names they were imported as (`np` -> `numpy`)."""

    def __init__(self, src: SourceFile) -> None:
        self.aliases: dict[str, str] = {}
        self.modules: set[str] = set()
        for node in src.nodes(ast.Import, ast.ImportFrom):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    self.modules.add(alias.name)
                    local = alias.asname or alias.name.split(".")[0]
                    self.aliases[local] = alias.name if alias.asname else local
            elif isinstance(node, ast.ImportFrom):
                base = ("." * node.level) + (node.module or "")
                self.modules.add(base)
                for alias in node.names:
                    self.modules.add(f"{base}.{alias.name}")
                    self.aliases[alias.asname or alias.name] = f"{base}.{alias.name}"

    def resolve(self, node: ast.AST) -> str | None:
        """The qualified name of a Name/Attribute chain, following import aliases."""
        name = dotted_name(node)
        if name is None:
            return None
        head, _, rest = name.partition(".")
        if head in self.aliases:
            head = self.aliases[head]
        return f"{head}.{rest}" if rest else head

    def imports_any(self, *prefixes: str) -> bool:
        return any(m == p or m.startswith(p + ".") for m in self.modules for p in prefixes)

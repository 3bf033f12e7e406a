"""Dead experimental code paths: unused functions and classes (vulture), unused modules, flags never switched.

Vulture visits the tree the parse cache already holds (no second parse); each worker returns the
definitions and used names of its files as small `CodeFacts`, and the main process joins them, as
vulture itself would over the whole tree. To keep false alarms low in libraries (whose public
functions and modules are used by other projects), public names and unused modules are only
reported in files the inventory assigns to a component; private (`_name`) functions everywhere.
Decorated definitions are registered somewhere (routes, fixtures, tasks) and are never reported.
"""

from __future__ import annotations

import ast
import contextlib
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from vulture import noqa
from vulture.core import Vulture

from mldebt.scan.source import Hit, SourceFile

FLAG = re.compile(r"^(USE|ENABLE|DISABLE|EXPERIMENT|EXPERIMENTAL|FEATURE)_[A-Z0-9_]+$|^[A-Z0-9_]+_(ENABLED|FLAG)$")
CONVENTIONAL_MODULES = {"setup", "conftest", "manage", "wsgi", "asgi", "admin", "apps", "models", "views", "urls",
                        "settings", "__main__", "__init__", "noxfile", "tasks", "fabfile", "conf", "version",
                        "_version", "config", "cli", "main", "app"}
NOT_IMPORTED_FOLDERS = re.compile(r"(^|/)(migrations|scripts|bin|examples?|docs|benchmarks|tools|notebooks)/")


class _SharingVulture(Vulture):
    """Vulture that files every node it visits into the parse cache's buckets: its traversal is the
    one walk of the tree that all other rules then share."""

    def __init__(self, buckets: dict[type, list[ast.AST]]) -> None:
        super().__init__(ignore_decorators=["@*"])
        self.buckets = buckets

    def visit(self, node: ast.AST) -> None:
        self.buckets.setdefault(type(node), []).append(node)
        super().visit(node)


class _NoReachability:
    def visit(self, node: ast.AST) -> None:
        pass

    def reset(self) -> None:
        pass


@dataclass
class CodeFacts:
    """What one Python file defines, uses and imports (picklable, joined across files)."""

    definitions: list[tuple[str, str, int]] = field(default_factory=list)
    used: set[str] = field(default_factory=set)
    imported: set[str] = field(default_factory=set)
    flags: list[tuple[str, int]] = field(default_factory=list)
    assigned: Counter[str] = field(default_factory=Counter)
    tested_flags: set[str] = field(default_factory=set)
    main_guard: bool = False


def _count_targets(target: ast.AST, assigned: Counter[str]) -> None:
    if isinstance(target, ast.Name):
        assigned[target.id] += 1
    elif isinstance(target, ast.Attribute):
        assigned[target.attr] += 1
    elif isinstance(target, ast.Tuple | ast.List | ast.Starred):
        for element in target.elts if not isinstance(target, ast.Starred) else [target.value]:
            _count_targets(element, assigned)


def collect(src: SourceFile) -> CodeFacts:
    tree = src.tree
    facts = CodeFacts()
    if tree is None:
        return facts
    buckets: dict[type, list[ast.AST]] = {}
    vulture = _SharingVulture(buckets)
    vulture.reachability = _NoReachability()  # unreachable code is not reported: skip its cost
    vulture.filename = Path(src.rel)
    vulture.code = src.lines
    vulture.noqa_lines = noqa.parse_noqa(src.lines)
    with contextlib.suppress(SyntaxError, RecursionError):
        vulture.visit(tree)
        src.share_nodes(buckets)
    vulture.reachability.reset()
    facts.definitions = [(i.name, i.typ, i.first_lineno) for i in [*vulture.defined_funcs, *vulture.defined_classes]]
    facts.used = set(vulture.used_names)
    # a flag counts as read when an upper-case name or attribute matching FLAG is loaded anywhere
    facts.tested_flags = {n.id for n in src.nodes(ast.Name)
                          if n.id.isupper() and isinstance(n.ctx, ast.Load) and FLAG.match(n.id)}
    facts.tested_flags |= {n.attr for n in src.nodes(ast.Attribute)
                           if n.attr.isupper() and isinstance(n.ctx, ast.Load) and FLAG.match(n.attr)}
    for node in src.nodes(ast.Import, ast.ImportFrom, ast.Assign, ast.AnnAssign, ast.AugAssign, ast.keyword,
                          ast.If):
        if isinstance(node, ast.Import):
            for alias in node.names:
                facts.imported.update(alias.name.split("."))
        elif isinstance(node, ast.ImportFrom):
            facts.imported.update((node.module or "").split("."))
            facts.imported.update(a.name for a in node.names)
        elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
            for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                _count_targets(target, facts.assigned)
        elif isinstance(node, ast.keyword) and node.arg:
            facts.assigned[node.arg] += 1
        elif isinstance(node, ast.If) and "__main__" in src.text and "__main__" in ast.dump(node.test):
            facts.main_guard = True
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, bool):
            facts.flags += [(t.id, node.lineno) for t in node.targets if isinstance(t, ast.Name) and FLAG.match(t.id)]
    return facts


def check(facts: dict[str, CodeFacts], files: dict[str, SourceFile], application: set[str],
          packages: set[str]) -> list[Hit]:
    """Join the facts of every file. `packages` are the folders holding an `__init__.py`."""
    used: set[str] = set().union(*(f.used for f in facts.values())) if facts else set()
    imported: set[str] = set().union(*(f.imported for f in facts.values())) if facts else set()
    assigned: Counter[str] = Counter()
    for fact in facts.values():
        assigned.update(fact.assigned)
    tested: set[str] = set().union(*(f.tested_flags for f in facts.values())) if facts else set()
    hits: list[Hit] = []
    for rel, fact in sorted(facts.items()):
        src = files[rel]
        if src.is_test:
            continue
        name = PurePosixPath(rel).name
        stem = PurePosixPath(rel).stem
        # public names only in application modules something imports (else: a script, or MLD502)
        public_ok = rel in application and stem in imported
        for def_name, typ, line in fact.definitions:
            private = def_name.startswith("_") and not def_name.endswith("__")
            if def_name not in used and name != "__init__.py" and (private or public_ok):
                hits.append(src.hit("MLD501", line, f"unused {typ} {def_name}", name=def_name, kind=typ))
        if (rel in application and str(PurePosixPath(rel).parent) in packages and stem not in imported
                and not fact.main_guard
                and stem not in CONVENTIONAL_MODULES and not NOT_IMPORTED_FOLDERS.search(rel)):
            hits.append(Hit("MLD502", rel, None, f"module {rel} is never imported", {"module": stem},
                            key=rel))
        for flag, line in fact.flags:
            if assigned[flag] == 1 and flag in tested:
                hits.append(src.hit("MLD503", line, f"flag {flag} is set once and never switched", flag=flag))
    return hits

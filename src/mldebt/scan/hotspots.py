"""Hotspots (CodeScene's idea): change frequency x complexity per file, from one `git log` call.

Complexity is radon's cyclomatic complexity summed over the file, computed from the shared tree
(radon's visitor takes an AST, so nothing is parsed twice). The top hotspots become findings, and
every other finding in a hotspot file carries its change count as interest.
"""

from __future__ import annotations

import subprocess
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from radon.visitors import ComplexityVisitor

from mldebt.scan.source import Hit, SourceFile

DEFAULT_SINCE = "12.months"
DEFAULT_TOP = 10


@dataclass(frozen=True)
class Hotspot:
    file: str
    changes: int
    complexity: int

    @property
    def score(self) -> int:
        return self.changes * self.complexity

    def to_dict(self) -> dict[str, object]:
        return {"file": self.file, "changes": self.changes, "complexity": self.complexity, "score": self.score}


def complexity(src: SourceFile) -> int:
    tree = src.tree
    if tree is None:
        return 0
    try:
        visitor = ComplexityVisitor.from_ast(tree)
        return int(visitor.complexity + sum(f.complexity for f in visitor.functions)
                   + sum(m.complexity for c in visitor.classes for m in c.methods))
    except (RecursionError, AttributeError, TypeError):
        return 0


def git_prefix(root: Path) -> str | None:
    """The scanned root's path inside its git work tree ("" at the top), None outside git."""
    try:
        done = subprocess.run(["git", "-C", str(root), "rev-parse", "--show-prefix"], capture_output=True,
                              text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def change_counts(root: Path, since: str) -> Counter[str]:
    """Commits touching each file (relative to `root`) since `since` (one `git log --numstat`)."""
    prefix = git_prefix(root)
    if prefix is None:
        return Counter()
    try:
        done = subprocess.run(["git", "-C", str(root), "log", f"--since={since}", "--numstat", "--format=%x00",
                               "--no-renames", "--relative", "--", "."], capture_output=True, text=True,
                              timeout=300, errors="replace")
    except (OSError, subprocess.TimeoutExpired):
        return Counter()
    counts: Counter[str] = Counter()
    for line in done.stdout.splitlines():
        parts = line.split("\t")
        if len(parts) == 3:
            counts[parts[2]] += 1
    return counts


def rank(changes: Counter[str], complexities: dict[str, int], top: int) -> list[Hotspot]:
    spots = [Hotspot(rel, count, complexities[rel]) for rel, count in changes.items()
             if complexities.get(rel, 0) > 0 and count > 1]
    spots.sort(key=lambda h: (-h.score, h.file))
    return spots[:top]


def findings(spots: list[Hotspot]) -> list[Hit]:
    return [Hit("MLD801", h.file, None, f"hotspot #{i}: {h.changes} changes x complexity {h.complexity}",
                {"rank": i, **h.to_dict()}, key=h.file) for i, h in enumerate(spots, start=1)]

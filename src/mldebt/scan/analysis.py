"""Per-file analysis: one read and one parse per file, every per-file rule over the shared tree.

`analyze` is a pure function of (root, relative path, limits) returning picklable results, so the
engine can run it in a process pool over chunks of files on multi-core machines.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from mldebt.scan import apis, credentials, dead_code, hotspots, markers, notebooks, smells
from mldebt.scan.source import Hit, ImportMap, SourceFile


@dataclass
class FileResult:
    rel: str
    kind: str
    lines: int = 0
    hits: list[Hit] = field(default_factory=list)
    facts: dead_code.CodeFacts | None = None
    complexity: int = 0


def kind_of(rel: str) -> str | None:
    if rel.endswith(".py"):
        return "python"
    if rel.endswith(".ipynb"):
        return "notebook"
    if credentials.wants(rel):
        return "text"
    return None


def _unparsable(src: SourceFile, reason: str) -> Hit:
    return Hit("MLD901", src.rel, None, f"not scanned: {reason}", {"reason": reason}, key=src.rel)


def analyze(root: Path, rel: str, huge_bytes: int, with_complexity: bool = True) -> FileResult:
    kind = kind_of(rel) or "other"
    result = FileResult(rel, kind)
    src = SourceFile(root, rel)
    try:
        size = src.path.stat().st_size
    except OSError as exc:
        result.hits.append(_unparsable(src, f"unreadable: {exc.strerror or exc}"))
        return result
    if size > huge_bytes and kind in ("python", "notebook"):
        result.hits.append(_unparsable(src, f"too large ({size // 1000} kB)"))
        return result
    if kind == "text":
        if size <= credentials.MAX_BYTES and src.text and not src.error:
            result.hits += credentials.check(src)
        return result
    text = src.text
    result.lines = len(src.lines)
    if src.error and src.error != "not UTF-8":
        result.hits.append(_unparsable(src, src.error))
        return result
    if kind == "notebook":
        result.hits += notebooks.check(src)
    elif kind == "python" and text:
        tree = src.tree
        if tree is None:
            result.hits.append(_unparsable(src, src.error or "cannot parse"))
            result.hits += markers.check(src) + credentials.check(src)
            return result
        result.facts = dead_code.collect(src)  # first: its traversal fills the shared node buckets
        imports = ImportMap(src)
        result.hits += smells.check(src, imports) + apis.check(src, imports) + notebooks.check_python(src, imports)
        result.hits += markers.check(src) + credentials.check(src)
        if with_complexity:
            result.complexity = hotspots.complexity(src)
    if src.error and kind == "notebook":
        result.hits.append(_unparsable(src, src.error))
    return result


def analyze_chunk(root: str, rels: list[str], huge_bytes: int, complexity_for: set[str] | None = None
                  ) -> list[FileResult]:
    """Analyse files; complexity only for `complexity_for` (hotspot candidates), or all when None."""
    base = Path(root)
    return [analyze(base, rel, huge_bytes, complexity_for is None or rel in complexity_for) for rel in rels]

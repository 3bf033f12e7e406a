"""Tests of ML code: training and serving modules no test imports; test-to-source ratio per component.

"Imports" is matched on module names: a test that imports `intent.train` or `from intent import
train` covers `chatbot/intent/train.py`. Conservative on purpose: any test mentioning the module's
name counts, so a finding means no test can possibly exercise the module.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import PurePosixPath

from mldebt.scan.source import Hit, is_test_path

ML_MODULE = re.compile(r"train|serv|predict|infer|pipeline|scor|feature|model", re.I)
MIN_SOURCE_FILES = 3
MIN_RATIO = 0.2


def check(python_files: list[str], test_imports: set[str], component_name: Callable[[str], str | None],
          require_component: bool) -> list[Hit]:
    hits = []
    for rel in python_files:
        stem = PurePosixPath(rel).stem
        if is_test_path(rel) or stem.startswith("__") or not ML_MODULE.search(stem):
            continue
        if require_component and component_name(rel) is None:
            continue
        if stem not in test_imports:
            hits.append(Hit("MLD701", rel, None, f"no test imports {stem} ({rel})", {"module": stem}, key=rel))
    return hits


def ratios(python_files: list[str], component_name: Callable[[str], str | None],
           imports_of: dict[str, set[str]]) -> dict[str, tuple[int, int]]:
    """(test files, source files) per component; a test counts for its own component and for every
    component whose modules it imports (tests usually live in a top-level tests/ folder)."""
    stems: dict[str, set[str]] = {}
    sources: dict[str, int] = {}
    for rel in python_files:
        name = component_name(rel)
        if name is None or is_test_path(rel) or PurePosixPath(rel).name == "__init__.py":
            continue
        stems.setdefault(name, set()).add(PurePosixPath(rel).stem)
        sources[name] = sources.get(name, 0) + 1
    counts = {name: (0, count) for name, count in sources.items()}
    for rel in python_files:
        if not is_test_path(rel):
            continue
        own = component_name(rel)
        for name in counts:
            if name == own or stems[name] & imports_of.get(rel, set()):
                tests, count = counts[name]
                counts[name] = (tests + 1, count)
    return counts


def first_sources(python_files: list[str], component_name: Callable[[str], str | None]) -> dict[str, str]:
    """The first source module of each component: where a per-component finding is shown (SARIF needs a file)."""
    first: dict[str, str] = {}
    for rel in sorted(python_files):
        name = component_name(rel)
        if name is not None and not is_test_path(rel) and PurePosixPath(rel).name != "__init__.py":
            first.setdefault(name, rel)
    return first


def low_ratio(counts: dict[str, tuple[int, int]], where: dict[str, str]) -> list[Hit]:
    hits = []
    for name, (tests, sources) in sorted(counts.items()):
        if sources >= MIN_SOURCE_FILES and tests / sources < MIN_RATIO:
            hits.append(Hit("MLD702", where.get(name), None, f"{name}: {tests} test file(s) for {sources} source files "
                            f"(ratio {tests / sources:.2f} < {MIN_RATIO})",
                            {"component": name, "test_files": tests, "source_files": sources}, key=name))
    return hits

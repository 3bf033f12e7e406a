"""mypy is part of `make lint` (and so of `make test` and CI), on all of src/mldebt.

Running mypy itself here would double the lint step's minute; these tests pin the wiring, so that
the type check cannot be dropped from the gate or narrowed without a failing test.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _make_recipe(target: str) -> list[str]:
    lines = (ROOT / "Makefile").read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if re.match(rf"{target}\s*:", line))
    recipe = []
    for line in lines[start + 1:]:
        if not line.startswith("\t"):
            break
        recipe.append(line.strip())
    return recipe


def test_make_lint_runs_mypy_after_ruff() -> None:
    recipe = _make_recipe("lint")
    assert recipe == ["$(BIN)/ruff check src tests benchmarks", "$(BIN)/mypy", "$(BIN)/lint-imports"]


def test_mypy_checks_all_of_src_including_unannotated_bodies() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["mypy"]
    assert config["files"] == ["src/mldebt"]
    assert config["python_version"] == "3.11"
    assert config["check_untyped_defs"] is True
    assert config["warn_unused_ignores"] is True
    assert config["warn_redundant_casts"] is True


def test_mypy_and_the_stub_packages_are_in_the_test_extra() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = {re.split(r"[<>=\[ ]", req, maxsplit=1)[0] for req in project["optional-dependencies"]["test"]}
    assert {"mypy", "scipy-stubs", "types-defusedxml", "types-greenlet"} <= names

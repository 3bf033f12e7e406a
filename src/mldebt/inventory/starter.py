"""The commented starter inventory that `mldebt init` writes (kept valid by a test)."""

from __future__ import annotations

from importlib.resources import files


def starter_catalog() -> str:
    return files("mldebt.inventory").joinpath("starter.yaml").read_text(encoding="utf-8")

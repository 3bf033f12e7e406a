"""Model artifacts committed to the repository: too large for git, or undocumented in the inventory.

Git LFS pointers are small text files and are not reported as large; a model file is documented
when the inventory component whose paths hold it is a model with a version and a model card.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from mldebt.scan.source import Hit

MODEL_SUFFIXES = (".pkl", ".pickle", ".joblib", ".h5", ".hdf5", ".keras", ".pt", ".pth", ".onnx", ".safetensors",
                  ".pb", ".ckpt", ".tflite", ".mlmodel", ".bin")
LFS_HEADER = b"version https://git-lfs"


def is_model_file(rel: str) -> bool:
    lowered = rel.lower()
    if lowered.endswith(".bin"):
        return "model" in lowered.rsplit("/", 1)[-1]
    return lowered.endswith(MODEL_SUFFIXES)


def check(root: Path, files: list[str], max_bytes: int, component_of: Callable[[str], Any]) -> list[Hit]:
    hits = []
    for rel in files:
        if not is_model_file(rel):
            continue
        path = root / rel
        try:
            size = path.stat().st_size
            with path.open("rb") as handle:
                head = handle.read(len(LFS_HEADER))
        except OSError:
            continue
        if head == LFS_HEADER:
            continue
        if size > max_bytes:
            hits.append(Hit("MLD601", rel, None, f"model file of {size / 1000:,.0f} kB committed to git",
                            {"bytes": size}, key=rel))
        component = component_of(rel)
        documented = (component is not None and getattr(component, "kind", None) == "model"
                      and getattr(component, "model_card", None) and getattr(component, "version", None))
        if not documented:
            owner = f"component {component.name}" if component is not None else "no inventory component"
            hits.append(Hit("MLD602", rel, None, f"model file {rel} has no model card and version ({owner})",
                            {"bytes": size}, key=rel))
    return hits

"""Notebooks (read with nbformat): where they sit, what imports them, what their outputs leak.

Findings point at the line of the `.ipynb` file itself (each cell line is located in the JSON text),
so SARIF viewers and `git blame` agree with the finding. Markers and credentials inside cells are
reported by the same rules as in modules.
"""

from __future__ import annotations

import ast
import json
import re
import warnings
from collections.abc import Iterable
from typing import Any

from mldebt.scan import credentials, markers
from mldebt.scan.source import Hit, ImportMap, SourceFile

NOTEBOOK_IMPORTERS = ("import_ipynb", "ipynb", "nbimporter")
RUN_MAGIC = re.compile(r"^\s*%run\s+(\S+\.ipynb)")
HUGE_OUTPUT_BYTES = 1_000_000


def _read(src: SourceFile) -> Any | None:
    import nbformat  # imported on first use: it costs a third of a second, and most trees have no notebooks

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return nbformat.reads(src.text, as_version=4)
    except Exception as exc:  # nbformat raises many types for a broken file
        src.error = f"not a readable notebook: {type(exc).__name__}"
        return None


def _locate(raw: list[str], source: str, cursor: int) -> tuple[list[tuple[int | None, str]], int]:
    """Each line of a cell's source with its line number in the JSON text."""
    located: list[tuple[int | None, str]] = []
    for text in source.splitlines():
        escaped = json.dumps(text)[1:-1]
        found = next((j for j in range(cursor, min(len(raw), cursor + 5000)) if escaped in raw[j]), None)
        if found is None:
            located.append((None, text))
            continue
        located.append((found + 1, text))
        cursor = found + 1 if raw[found].rstrip().endswith(('\\n",', '\\n"')) else found
    return located, cursor


def _output_texts(cell: Any) -> Iterable[str]:
    for output in cell.get("outputs", []):
        if "text" in output:
            yield output["text"] if isinstance(output["text"], str) else "".join(output["text"])
        for key, value in output.get("data", {}).items():
            if key.startswith("text/") or key.endswith("json"):
                yield value if isinstance(value, str) else json.dumps(value)
        if "traceback" in output:
            yield "\n".join(output["traceback"])


def _output_size(cell: Any) -> int:
    return len(json.dumps(cell.get("outputs", [])))


def check(src: SourceFile) -> list[Hit]:
    notebook = _read(src)
    if notebook is None:
        return []
    raw = src.lines
    hits: list[Hit] = []
    cursor = 0
    for index, cell in enumerate(notebook.cells):
        cell_start = cursor
        located, cursor = _locate(raw, cell.source, cursor)
        if cell.cell_type == "markdown":
            hits += markers.check_lines(src, located, comments_only=False)
            continue
        if cell.cell_type != "code":
            continue
        hits += markers.check_lines(src, located, comments_only=True)
        hits += credentials.check_lines(src, located, where=f"cell {index + 1}")
        for number, text in located:
            match = RUN_MAGIC.match(text)
            if match:
                hits.append(src.hit("MLD203", number, f"%run of notebook {match.group(1)}", notebook=match.group(1)))
        first_line = next((n for n, _ in located if n is not None), None)
        for text in _output_texts(cell):
            for kind, value in credentials.find(text):
                escaped = json.dumps(value)[1:-1]
                line = next((i + 1 for i in range(cell_start, len(raw)) if escaped in raw[i]), first_line)
                hits.append(src.hit("MLD204", line, f"{kind} in the output of cell {index + 1} "
                                    f"({credentials.redact(value)})", kind=kind, cell=index + 1))
        size = _output_size(cell)
        if size > HUGE_OUTPUT_BYTES:
            hits.append(src.hit("MLD205", first_line, f"cell {index + 1} has {size // 1000} kB of committed output",
                                cell=index + 1, bytes=size))
    return hits


def check_python(src: SourceFile, imports: ImportMap) -> list[Hit]:
    """Code that imports or runs notebooks."""
    tree = src.tree
    if tree is None:
        return []
    hits: list[Hit] = []
    if "ipynb" not in src.text:
        return hits
    for node in src.nodes(ast.Import, ast.ImportFrom, ast.Call):
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            if any(n.split(".")[0] in NOTEBOOK_IMPORTERS for n in names):
                hits.append(src.hit("MLD203", node.lineno, "imports notebooks as modules",
                                    module=names[0]))
        elif isinstance(node, ast.Call):
            strings = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
            if any(re.search(r"(^|\s)\S+\.ipynb\b", s) for s in strings) and any(
                    s == "run" or s.startswith("%run") or s.startswith("run ") for s in strings):
                hits.append(src.hit("MLD203", node.lineno, "runs a notebook with %run"))
    return hits

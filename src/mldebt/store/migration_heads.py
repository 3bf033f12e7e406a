"""The head revisions of the migrations, without loading Alembic.

Every command opens the store and checks that its schema is current. Alembic's `ScriptDirectory`
imports Alembic (about 0.1 s) and every migration module to find the heads; reading the
`revision` and `down_revision` assignments of each file with `ast` gives the same answer in a few
milliseconds, so a command that only reads starts quickly. Alembic still does every upgrade, and a
test holds this answer equal to Alembic's.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

VERSIONS = Path(__file__).resolve().parent / "migrations" / "versions"


@functools.cache
def head_revisions() -> tuple[str, ...]:
    """Revisions that no other revision names as its `down_revision`, sorted."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in sorted(VERSIONS.glob("*.py")):
        found = _assignments(path)
        if "revision" not in found:
            continue
        revisions.add(str(found["revision"]))
        down = found.get("down_revision")
        if isinstance(down, str):
            parents.add(down)
        elif isinstance(down, tuple | list):
            parents.update(str(d) for d in down)
    return tuple(sorted(revisions - parents))


def _assignments(path: Path) -> dict[str, object]:
    """Module-level `name = <literal>` assignments of `revision` and `down_revision`."""
    found: dict[str, object] = {}
    for node in ast.parse(path.read_text("utf-8"), str(path)).body:
        target: ast.expr
        if isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        elif isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        else:
            continue
        if isinstance(target, ast.Name) and target.id in ("revision", "down_revision"):
            found[target.id] = ast.literal_eval(value)
    return found

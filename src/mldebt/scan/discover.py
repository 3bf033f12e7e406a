"""Which files a scan reads: git's view of the tree when it is a repository, a filtered walk otherwise.

In a git work tree, tracked and untracked-but-not-ignored files are scanned (`git ls-files -co
--exclude-standard`), so `.gitignore` is honoured and virtual environments are skipped for free.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from mldebt.scan.components import glob_regex

SKIP_DIRS = {".git", ".hg", ".svn", ".venv", "venv", "env", "node_modules", "__pycache__", ".tox", ".nox", "build",
             "dist", "site-packages", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".mldebt", ".ipynb_checkpoints",
             ".eggs"}


def _git_files(root: Path) -> list[str] | None:
    try:
        done = subprocess.run(["git", "-C", str(root), "ls-files", "-co", "--exclude-standard", "-z", "--", "."],
                              capture_output=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:
        return None
    names = [n for n in done.stdout.decode("utf-8", errors="replace").split("\0") if n]
    return sorted({n for n in names if not (set(n.split("/")) & SKIP_DIRS)})


def tracked_files(root: Path) -> set[str] | None:
    """Files committed to git under root (None outside git)."""
    try:
        done = subprocess.run(["git", "-C", str(root), "ls-files", "-z", "--", "."], capture_output=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:
        return None
    return {n for n in done.stdout.decode("utf-8", errors="replace").split("\0") if n}


def _walk(root: Path) -> list[str]:
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.endswith(".egg-info"))
        base = Path(folder).relative_to(root)
        found += [(base / name).as_posix() for name in files]
    return sorted(found)


def discover(root: Path, exclude: tuple[str, ...] = ()) -> list[str]:
    """Relative POSIX paths of the regular files to scan under `root`."""
    names = _git_files(root)
    if names is None:
        names = _walk(root)
    patterns = [glob_regex(p) for p in exclude]
    return [n for n in names if not any(p.match(n) for p in patterns) and (root / n).is_file()
            and not (root / n).is_symlink()]

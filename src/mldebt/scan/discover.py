"""Which files a scan reads: git's view of the tree when it is a repository, a filtered walk otherwise.

In a git work tree, tracked and untracked-but-not-ignored files are scanned (`git ls-files -co
--exclude-standard`), so `.gitignore` is honoured and virtual environments are skipped for free.
`gitignore=False` (`--no-gitignore`) walks the folder instead. When git's view leaves nothing to
scan, `ignored_by_git` says which ignore rule hid the files, so a scan never passes as "clean"
without saying it read nothing.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from mldebt.scan.components import glob_regex

SKIP_DIRS = {".git", ".hg", ".svn", ".venv", "venv", "env", "node_modules", "__pycache__", ".tox", ".nox", "build",
             "dist", "site-packages", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".mldebt", ".ipynb_checkpoints",
             ".eggs"}

CHECK_IGNORE = re.compile(r"^(.*?):(\d+):(.*)$")  # `git check-ignore -v`: <source>:<line>:<pattern>


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


@dataclass(frozen=True)
class Ignored:
    """Files under a folder that git ignores, and the first rule that ignores them."""

    files: int
    source: str
    line: int
    pattern: str

    def reason(self, folder: Path) -> str:
        which = f"all {self.files} files under {folder} are" if self.files > 1 else f"the only file under {folder} is"
        return f"{which} ignored by {self.source} (line {self.line}: {self.pattern!r}); use --no-gitignore to scan them"


def _git(root: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.decode("utf-8", errors="replace") if done.returncode == 0 else None


def ignored_by_git(root: Path) -> Ignored | None:
    """Why git shows no file under `root`: its ignored files and the rule (`git check-ignore -v`), or None."""
    listed = _git(root, "ls-files", "-o", "-i", "--exclude-standard", "-z", "--", ".")
    names = [n for n in (listed or "").split("\0") if n]
    if not names:
        return None
    verbose = _git(root, "check-ignore", "-v", "--no-index", "--", names[0])
    if not verbose or "\t" not in verbose:
        return None
    match = CHECK_IGNORE.match(verbose.partition("\t")[0])
    if match is None:
        return None
    source, line, pattern = match.groups()
    if not Path(source).is_absolute():
        top = (_git(root, "rev-parse", "--show-toplevel") or "").strip()
        source = str(Path(top) / source) if top else source
    return Ignored(len(names), source, int(line), pattern)


def discover(root: Path, exclude: tuple[str, ...] = (), gitignore: bool = True) -> list[str]:
    """Relative POSIX paths of the regular files to scan under `root` (git's view unless `gitignore` is off)."""
    names = _git_files(root) if gitignore else None
    if names is None:
        names = _walk(root)
    patterns = [glob_regex(p) for p in exclude]
    return [n for n in names if not any(p.match(n) for p in patterns) and (root / n).is_file()
            and not (root / n).is_symlink()]

"""TODO / FIXME / HACK / XXX markers, with their age from `git blame`.

A marker is acknowledged debt; its age is the interest already paid, so a finding's effort grows
with it (one extra effort unit per year). A HACK within a few lines of caching, batching or
latency code is reported as its own, higher rule. Blame runs once per file that has markers,
asking only for the marked lines.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
import tokenize
from collections.abc import Iterable
from pathlib import Path

from mldebt.scan.source import Hit, SourceFile

COMMENT_MARKER = re.compile(r"#.*?\b(TODO|FIXME|HACK|XXX)\b[:\s(]?(.*)")
TEXT_MARKER = re.compile(r"\b(TODO|FIXME|HACK|XXX)\b[:\s(]?(.*)")
PERFORMANCE = re.compile(r"cache|latency|timeout|batch|vectori[sz]|numba|jit|perf|speed|fast|optimi[sz]|"
                         r"throughput|parallel|thread|pool|async", re.I)
NEAR = 5


def _hit(src: SourceFile, number: int | None, marker: str, note: str, nearby: list[str]) -> Hit:
    performance = marker == "HACK" and any(PERFORMANCE.search(text) for text in nearby)
    rule = "MLD302" if performance else "MLD301"
    message = f"{marker}: {note.strip()[:120]}" if note.strip() else marker
    return src.hit(rule, number, message, marker=marker)


def _in_comment(text: str) -> bool:
    """Whether the marker on this line is in a `#` comment, not in a string (`"# TODO"`)."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError):
        return True  # a line inside a multi-line construct: trust the regex
    return any(t.type == tokenize.COMMENT and TEXT_MARKER.search(t.string) for t in tokens)


def check(src: SourceFile) -> list[Hit]:
    """Markers in the comments of a Python file."""
    hits = []
    lines = src.lines
    for index, text in enumerate(lines):
        if "#" not in text:
            continue
        match = COMMENT_MARKER.search(text)
        if match and (("'" not in text and '"' not in text) or _in_comment(text)):
            nearby = lines[max(0, index - NEAR): index + NEAR + 1]
            hits.append(_hit(src, index + 1, match.group(1), match.group(2), nearby))
    return hits


def check_lines(src: SourceFile, lines: list[tuple[int | None, str]], comments_only: bool) -> list[Hit]:
    """Markers in notebook cells: comments of code cells, anywhere in markdown cells."""
    pattern = COMMENT_MARKER if comments_only else TEXT_MARKER
    hits = []
    texts = [text for _, text in lines]
    for index, (number, text) in enumerate(lines):
        match = pattern.search(text)
        if match:
            nearby = texts[max(0, index - NEAR): index + NEAR + 1]
            hits.append(_hit(src, number, match.group(1), match.group(2), nearby))
    return hits


def dates_from_history(root: Path, wanted: dict[str, dict[str, list[int]]]) -> dict[tuple[str, int], dt.datetime]:
    """Commit time of marker lines for many files from ONE `git log -p` pass (blame's answer for lines
    whose text was added once): {file: {line text: [line numbers]}} -> {(file, line): time}.

    `git blame` walks the whole history once per file; with hundreds of marked files that dominates a
    scan, so large scans use this single pass instead.
    """
    args = ["git", "-C", str(root), "log", "-p", "-U0", "--no-renames", "--no-color", "--format=%x00%at",
            "--relative", "--", *sorted(wanted)]
    try:
        done = subprocess.run(args, capture_output=True, text=True, timeout=300, errors="replace")
    except (OSError, subprocess.TimeoutExpired):
        return {}
    found: dict[tuple[str, int], dt.datetime] = {}
    when: dt.datetime | None = None
    current: dict[str, list[int]] = {}
    current_file = ""
    for line in done.stdout.splitlines():
        if line.startswith("\0"):
            when = dt.datetime.fromtimestamp(int(line[1:] or 0), dt.UTC)
        elif line.startswith("+++ "):
            current_file = line[6:] if line.startswith("+++ b/") else ""
            current = wanted.get(current_file, {})
        elif line.startswith("+") and current and when is not None:
            for number in current.get(line[1:], []):
                found.setdefault((current_file, number), when)  # newest commit that added the text
    return found


def marked_lines(root: Path) -> dict[str, dict[str, list[int]]] | None:
    """Every line of Python files and notebooks that mentions a marker, from one `git grep` (None outside git).

    Lets the engine date markers in the background while the files are being analysed.
    """
    try:
        done = subprocess.run(["git", "-C", str(root), "grep", "-n", "-I", "--untracked", "-E",
                               r"\b(TODO|FIXME|HACK|XXX)\b", "--", "*.py", "*.ipynb"],
                              capture_output=True, text=True, timeout=120, errors="replace")
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode not in (0, 1):
        return None
    found: dict[str, dict[str, list[int]]] = {}
    for line in done.stdout.splitlines():
        rel, _, rest = line.partition(":")
        number, _, text = rest.partition(":")
        if number.isdigit():
            found.setdefault(rel, {}).setdefault(text, []).append(int(number))
    return found


def marker_dates(root: Path, wanted: dict[str, dict[str, list[int]]], blame_max_files: int = 16
                 ) -> dict[tuple[str, int], dt.datetime]:
    """Commit times of the wanted lines: `git blame` per file when few files, else one history pass."""
    if len(wanted) > blame_max_files:
        return dates_from_history(root, wanted)
    dates: dict[tuple[str, int], dt.datetime] = {}
    for rel, texts in wanted.items():
        found = blame_dates(root, rel, [n for numbers in texts.values() for n in numbers])
        dates.update({(rel, line): when for line, when in found.items()})
    return dates


def blame_dates(root: Path, rel: str, line_numbers: Iterable[int]) -> dict[int, dt.datetime]:
    """Commit time of each given line (one `git blame` call); uncommitted or unknown lines are absent."""
    numbers = sorted(set(line_numbers))
    if not numbers:
        return {}
    args = ["git", "-C", str(root), "blame", "--line-porcelain"]
    for number in numbers:
        args += ["-L", f"{number},{number}"]
    try:
        done = subprocess.run([*args, "--", rel], capture_output=True, text=True, timeout=60,
                              errors="replace")
    except (OSError, subprocess.TimeoutExpired):
        return {}
    if done.returncode != 0:
        return {}
    dates: dict[int, dt.datetime] = {}
    current_line: int | None = None
    uncommitted = False
    for line in done.stdout.splitlines():
        if line.startswith("\t"):
            current_line = None
            continue
        parts = line.split(" ")
        if len(parts) >= 3 and len(parts[0]) == 40 and parts[1].isdigit() and parts[2].isdigit():
            current_line = int(parts[2])
            uncommitted = set(parts[0]) == {"0"}
        elif parts[0] == "author-time" and current_line is not None and not uncommitted:
            dates[current_line] = dt.datetime.fromtimestamp(int(parts[1]), dt.UTC)
    return dates

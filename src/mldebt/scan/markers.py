"""TODO / FIXME / HACK / XXX markers, with their age from `git blame`.

A marker is acknowledged debt; its age is the interest already paid, so a finding's effort grows
with it (one extra effort unit per year). A HACK within a few lines of caching, batching or
latency code is reported as its own, higher rule. Blame runs once per file that has markers,
asking only for the marked lines.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
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


def check(src: SourceFile) -> list[Hit]:
    """Markers in the comments of a Python file."""
    hits = []
    lines = src.lines
    for index, text in enumerate(lines):
        if "#" not in text:
            continue
        match = COMMENT_MARKER.search(text)
        if match:
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

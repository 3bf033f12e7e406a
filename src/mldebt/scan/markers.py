"""TODO / FIXME / HACK / XXX markers in comments and docstrings, with their age from `git blame`.

A marker is acknowledged debt; its age is the interest already paid, so a finding's effort grows
with it (one extra effort unit per year). A HACK within a few lines of caching, batching or
latency code is reported as its own, higher rule. Blame runs once per file that has markers,
asking only for the marked lines.

Docstrings are documentation, not values: a marker that starts one of their lines (after an
optional `>>> `, `#` or bullet) is debt written down where readers look. Any other string is data
(`placeholder = "XXX"`, `reason="TODO"`, f-strings, a "# TODO" inside a SQL or template literal),
and mid-sentence placeholders in prose ("weights from XXX not used in YYY") are not markers either.
"""

from __future__ import annotations

import ast
import datetime as dt
import io
import re
import subprocess
import tokenize
from collections.abc import Iterable
from pathlib import Path

from mldebt.scan.source import Hit, SourceFile

COMMENT_MARKER = re.compile(r"#.*?\b(TODO|FIXME|HACK|XXX)\b[:\s(]?(.*)")
MARKER_WORDS = ("TODO", "FIXME", "HACK", "XXX")
TEXT_MARKER = re.compile(r"\b(TODO|FIXME|HACK|XXX)\b[:\s(]?(.*)")
DOCSTRING_MARKER = re.compile(r"^\s*(?:(?:>>>|\.\.\.)\s*)?(?:#+\s*)?(?:[-*]\s+)?"
                              r"\b(TODO|FIXME|HACK|XXX)\b(?!\s*[/,|])(?=[:\s(]|$)[:\s(]?(.*)")
STRING_OPENING = re.compile(r"^[rRuUbB]{0,2}(?:\"{3}|'{3}|\"|')")
STRING_CLOSING = re.compile(r"(?:\"{3}|'{3}|\"|')$")
PERFORMANCE = re.compile(r"cache|latency|timeout|batch|vectori[sz]|numba|jit|perf|speed|fast|optimi[sz]|"
                         r"throughput|parallel|thread|pool|async", re.I)
NEAR = 5


def _hit(src: SourceFile, number: int | None, marker: str, note: str, nearby: list[str]) -> Hit:
    performance = marker == "HACK" and any(PERFORMANCE.search(text) for text in nearby)
    rule = "MLD302" if performance else "MLD301"
    message = f"{marker}: {note.strip()[:120]}" if note.strip() else marker
    return src.hit(rule, number, message, marker=marker)


def _in_comment(text: str) -> bool | None:
    """Whether the marker on this line is in a `#` comment, not in a string (`"# TODO"`); None when the
    line alone does not tokenize (a part of a multi-line construct)."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError):
        return None
    return any(t.type == tokenize.COMMENT and TEXT_MARKER.search(t.string) for t in tokens)


def _commented_lines(text: str) -> set[int] | None:
    """Lines whose `#` comment holds a marker, from tokenizing the whole file (None when it does not tokenize)."""
    try:
        return {t.start[0] for t in tokenize.generate_tokens(io.StringIO(text).readline)
                if t.type == tokenize.COMMENT and TEXT_MARKER.search(t.string)}
    except (tokenize.TokenError, SyntaxError):
        return None


def _chars(text: str, byte_offset: int) -> int:
    """The character index of an `ast` column (a UTF-8 byte offset) in a line."""
    if text.isascii():
        return byte_offset
    return len(text.encode("utf-8")[:byte_offset].decode("utf-8", errors="ignore"))


def _is_documentation(node: ast.Expr) -> bool:
    """A string literal standing as a statement of its own: the docstring of a module, class or function
    (their first statement), or an attribute docstring (PEP 257). It is never a value."""
    return isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)


def _value_string_lines(src: SourceFile) -> set[int]:
    """Lines that multi-line string literals used as values (not docstrings) touch: a `# TODO` line there
    may sit inside a SQL or template literal, so the whole file's tokens decide."""
    documentation = {id(node.value) for node in src.nodes(ast.Expr) if _is_documentation(node)}
    lines: set[int] = set()
    for node in src.nodes(ast.Constant, ast.JoinedStr):
        last = node.end_lineno or node.lineno
        if last > node.lineno and id(node) not in documentation:
            lines.update(range(node.lineno, last + 1))
    return lines


def _docstring_lines(src: SourceFile, node: ast.Constant) -> list[tuple[int, str]]:
    """The docstring's source lines (numbered as in the file), without its quotes."""
    first, last = node.lineno, node.end_lineno or node.lineno
    numbered = []
    for number in range(first, last + 1):
        text = src.line(number)
        if number == last:
            text = STRING_CLOSING.sub("", text[:_chars(text, node.end_col_offset or len(text))])
        if number == first:
            text = STRING_OPENING.sub("", text[_chars(text, node.col_offset):], count=1)
        numbered.append((number, text))
    return numbered


def _docstring_hits(src: SourceFile, marked: set[int]) -> list[Hit]:
    hits = []
    for statement in src.nodes(ast.Expr):
        if not _is_documentation(statement) or not TEXT_MARKER.search(statement.value.value):
            continue
        for number, text in _docstring_lines(src, statement.value):
            match = DOCSTRING_MARKER.match(text)
            if match and number not in marked:
                marked.add(number)
                nearby = src.lines[max(0, number - 1 - NEAR): number + NEAR]
                hits.append(_hit(src, number, match.group(1), match.group(2), nearby))
    return hits


def check(src: SourceFile) -> list[Hit]:
    """Markers in the comments and docstrings of a Python file (docstrings only when it parses)."""
    if not any(word in src.text for word in MARKER_WORDS):
        return []  # most files: substring searches (far faster than a regex with \b), no line loop
    hits = []
    lines = src.lines
    in_strings: set[int] | None = None
    commented: set[int] | None = None
    tokenized = False
    for index, text in enumerate(lines):
        if "#" not in text:
            continue
        match = COMMENT_MARKER.search(text)
        if not match:
            continue
        if in_strings is None:
            in_strings = _value_string_lines(src) if src.tree is not None else set()
        alone = None if index + 1 in in_strings else (True if "'" not in text and '"' not in text
                                                       else _in_comment(text))
        if alone is None:
            if not tokenized:
                commented, tokenized = _commented_lines(src.text), True
            alone = commented is None or index + 1 in commented  # a file that does not tokenize: trust the regex
        if alone:
            nearby = lines[max(0, index - NEAR): index + NEAR + 1]
            hits.append(_hit(src, index + 1, match.group(1), match.group(2), nearby))
    if src.tree is not None:
        hits += _docstring_hits(src, {hit.line for hit in hits if hit.line is not None})
    return sorted(hits, key=lambda hit: hit.line or 0)


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

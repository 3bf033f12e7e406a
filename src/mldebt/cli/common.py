"""Options and output helpers shared by every command (defined once, used everywhere).

Nothing heavy is imported here at module level (no store, no SQLAlchemy): every command imports
this module, and `mldebt --help` must start at once (issue 9, item 20).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import sys
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.text import Text

from mldebt.errors import UserInputError
from mldebt.settings import DATABASE_URL

if TYPE_CHECKING:
    from mldebt.store.database import Store


def _escape(code: int) -> str:
    return {0x09: "\\t", 0x0A: "\\n", 0x0D: "\\r"}.get(code) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


# C0 controls but tab and newline, DEL, C1 controls (0x9b is CSI on 8-bit terminals), and the Unicode
# bidi embeddings, overrides and isolates that reorder what the operator reads.
_CONTROLS = [*(c for c in range(0x20) if c not in (0x09, 0x0A)), *range(0x7F, 0xA0), *range(0x202A, 0x202F),
             *range(0x2066, 0x206A)]
_VISIBLE = {code: _escape(code) for code in _CONTROLS}


def visible(value: object) -> str:
    """The value as text a terminal shows and does not obey: `\\x1b[2J` is seven characters, not a cleared screen.

    Incident titles, culprits, file names, ticket subjects and retrain output come from other people (a
    webhook, a repository, a process): their control characters are shown escaped (`\\x1b`, `\\r`); tab
    and newline stay. JSON output keeps the exact values (json.dumps escapes controls itself).
    """
    return str(value).translate(_VISIBLE)


def styled(value: object, style: str = "") -> Text:
    """A value as a Rich Text in one style: never read as markup, its control characters escaped."""
    return Text(visible(value), style=style)


class DataConsole(Console):
    """A Rich console that prints every string as it is: no markup, no emoji codes, no highlighting.

    User data reaches every table cell and message (a drift column named `[/bold]`, an incident title
    `[link=http://evil]x[/link]`, a component `:warning:`), so no string is ever interpreted: styles are
    given as `Text` (`styled`, `severity_text`). Every string is rendered through `render_str`, which
    escapes terminal control characters (`visible`), so nothing printed can move the cursor or clear
    the operator's screen. A `Text` built from data must come from `styled` for the same reason.
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs = {"markup": False, "emoji": False, "highlight": False, **kwargs}
        super().__init__(**kwargs)

    def render_str(self, text: str, **kwargs: Any) -> Text:
        return super().render_str(visible(text), **kwargs)


def _console(stderr: bool = False) -> DataConsole:
    """The console for stdout or stderr; when output is piped, tables get 140 columns instead of Rich's 80."""
    stream = sys.stderr if stderr else sys.stdout
    width = None if stream.isatty() or os.environ.get("COLUMNS") else 140
    return DataConsole(stderr=stderr, width=width, soft_wrap=True)


out = _console()
err = _console(stderr=True)


class OutputFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


@dataclass
class AppState:
    db: str | None = None
    debug: bool = False

    def store(self) -> Store:
        from mldebt.store.database import open_store

        return open_store(DATABASE_URL.value(self.db))


def state(ctx: typer.Context) -> AppState:
    obj = ctx.find_root().obj
    return obj if isinstance(obj, AppState) else AppState()


FORMAT_OPTION = typer.Option(OutputFormat.TABLE, "--format", "-f", help="Output format: table or json.")
AS_OF_OPTION = typer.Option(
    None, "--as-of", metavar="YYYY-MM-DD", help="Evaluate staleness as of this date instead of today."
)


def today_utc() -> dt.date:
    """Today in UTC: the store keeps UTC, so "today" must not depend on the machine's time zone."""
    return dt.datetime.now(dt.UTC).date()


def parse_as_of(value: str | None) -> dt.date:
    if value is None:
        return today_utc()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UserInputError(f"--as-of: bad date {value!r}, expected YYYY-MM-DD") from None


def check_writable(path: Path, option: str) -> None:
    """Refuse, before any work is done or stored, an output path that cannot be written."""
    parent = path.parent
    if path.is_dir():
        raise UserInputError(f"{option}: {path} is a directory, expected a file path")
    if not parent.exists():
        raise UserInputError(f"{option}: cannot write {path}: folder {parent} does not exist")
    if not parent.is_dir():
        raise UserInputError(f"{option}: cannot write {path}: {parent} is not a folder")
    if not os.access(parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise UserInputError(f"{option}: cannot write {path}: permission denied")


def _output_callback(ctx: typer.Context, param: Any, value: Path | None) -> Path | None:
    if value is not None and not ctx.resilient_parsing:
        check_writable(value, param.opts[0])
    return value


def output_option(help_text: str = "Write the report to FILE instead of stdout.", *names: str) -> Any:
    """The one `--output FILE` option: its folder must exist and be writable, checked while parsing."""
    return typer.Option(None, *(names or ("--output", "-o")), metavar="FILE", help=help_text,
                        callback=_output_callback)


GIT_SPAN = re.compile(r"\d+\.(second|minute|hour|day|week|month|year)s?|\d{4}-\d{2}-\d{2}")


def check_git_span(value: str | None, option: str) -> str | None:
    """A span for `git log --since`: `12.months`, `6.weeks` or a date (git reads anything else silently)."""
    if value is not None and not GIT_SPAN.fullmatch(value):
        raise UserInputError(f"{option}: bad span {value!r}, expected N.days, N.weeks, N.months, N.years or "
                             "YYYY-MM-DD (e.g. 12.months)")
    return value


def given_options(ctx: typer.Context, names: list[str]) -> list[str]:
    """The options among `names` (parameter names) that the user typed (not defaults)."""
    given = []
    for param in ctx.command.params:
        source = ctx.get_parameter_source(param.name) if param.name in names else None
        if source is not None and source.name != "DEFAULT":
            given.append(param.opts[0])
    return given


def print_json(data: Any) -> None:
    """JSON to stdout, unstyled, so it can be piped."""
    sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")


def yes_no(value: bool | None) -> str:
    return "-" if value is None else ("yes" if value else "no")


SEVERITY_STYLE = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "cyan", "info": "dim"}


def severity_text(severity: object) -> Text:
    """A finding's severity in its colour (a table cell or the start of a line)."""
    return styled(severity, SEVERITY_STYLE.get(str(severity), ""))


def cli_actor() -> str:
    """Who acts from the command line, as histories record it: `cli:<OS user>`."""
    import getpass

    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry for the uid (containers)
        user = "unknown"
    return f"cli:{user}"[:200]

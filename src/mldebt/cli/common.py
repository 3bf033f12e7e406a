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

from mldebt.errors import UserInputError
from mldebt.settings import DATABASE_URL

if TYPE_CHECKING:
    from mldebt.store.database import Store


def _console(stderr: bool = False) -> Console:
    """Rich console; when output is piped, tables get 140 columns instead of Rich's 80."""
    stream = sys.stderr if stderr else sys.stdout
    width = None if stream.isatty() or os.environ.get("COLUMNS") else 140
    return Console(stderr=stderr, width=width, soft_wrap=True)


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

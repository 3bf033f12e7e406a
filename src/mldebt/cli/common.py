"""Options and output helpers shared by every command (defined once, used everywhere).

Nothing heavy is imported here at module level (no store, no SQLAlchemy): every command imports
this module, and `mldebt --help` must start at once (issue 9, item 20).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from dataclasses import dataclass
from enum import StrEnum
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


def parse_as_of(value: str | None) -> dt.date:
    if value is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UserInputError(f"--as-of: bad date {value!r}, expected YYYY-MM-DD") from None


def print_json(data: Any) -> None:
    """JSON to stdout, unstyled, so it can be piped."""
    sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")


def yes_no(value: bool | None) -> str:
    return "-" if value is None else ("yes" if value else "no")


SEVERITY_STYLE = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "cyan", "info": "dim"}

"""The `mldebt` command line: thin Typer wrappers over `mldebt.service`.

Conventions every command follows (later issues too):
- `--format json` wherever the output is data; tables (Rich) otherwise.
- Exit status 0 ok, 1 a gate tripped, 2 bad input or usage, 3 an internal error, 130 Ctrl-C,
  141 stdout closed early (docs/cli.md); an error is one line on stderr; `--debug` shows the traceback.
- Everything is printed through `common.out` / `common.err` (a `DataConsole`): strings are never
  markup, control characters are shown escaped; styles are given as `Text` (`styled`, `severity_text`).
- Heavy libraries and the store are imported inside the command functions, never at module level,
  so that `mldebt --help` starts at once.
- Every command's help ends with an `Example:` block.
"""

from __future__ import annotations

from mldebt.cli.app import app, main

__all__ = ["app", "main"]

"""The `mldebt` command line: thin Typer wrappers over `mldebt.service`.

Conventions every command follows (later issues too):
- `--format json` wherever the output is data; tables (Rich) otherwise.
- A user error is one line on stderr and exit status 2; `--debug` shows the traceback.
- Every command's help ends with an `Example:` block.
"""

from __future__ import annotations

from mldebt.cli.app import app, main

__all__ = ["app", "main"]

"""The root Typer app, the global options, and the one place errors become exit codes."""

from __future__ import annotations

import sys
import traceback
from typing import Any

import typer

from mldebt import __version__
from mldebt.cli import catalog, db, demo, drift, incidents, ingest, ingest_tests, scan, serve
from mldebt.cli.common import AppState, err
from mldebt.errors import MldebtError

app = typer.Typer(
    name="mldebt",
    help="Find, rank and pay down technical debt in AI/ML systems.\n\n"
    "Example:\n\n\b\n  mldebt init\n  mldebt catalog validate\n  mldebt catalog import\n  mldebt catalog list",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(catalog.app, name="catalog")
app.add_typer(db.app, name="db")
app.command("init")(catalog.init)
app.command("demo")(demo.demo)
app.command("scan")(scan.scan)
app.command("rules")(scan.rules)
ingest.app.command("junit")(ingest_tests.junit)
ingest.app.command("coverage")(ingest_tests.coverage)
app.add_typer(ingest.app, name="ingest")
app.command("drift")(drift.drift)
app.add_typer(drift.retrain_app, name="retrain")
app.add_typer(incidents.app, name="incidents")
app.add_typer(serve.token_app, name="token")
app.command("serve")(serve.serve)


def _version(value: bool) -> None:
    if value:
        print(f"mldebt {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    database: str = typer.Option(
        None, "--db", metavar="URL", help="Store URL (default: $MLDEBT_DATABASE_URL or sqlite:///.mldebt/mldebt.db)."
    ),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks for errors."),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version."),
) -> None:
    """Find, rank and pay down technical debt in AI/ML systems."""
    ctx.obj = AppState(db=database, debug=debug)


def main(argv: list[str] | None = None) -> int:
    """Console entry point: every error is one line on stderr and a non-zero exit status."""
    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args
    command = typer.main.get_command(app)
    try:
        result = command.main(args=args, prog_name="mldebt", standalone_mode=False)
    except MldebtError as exc:
        if debug:
            traceback.print_exc()
        err.print(f"error: {exc.message}", markup=False, highlight=False)
        return exc.exit_code
    except Exception as exc:
        if _is_click_error(exc):
            return _report_click_error(exc)
        if debug:
            traceback.print_exc()
        err.print(f"internal error: {type(exc).__name__}: {exc} (run with --debug for a traceback; "
                  "please report it)", markup=False, highlight=False)
        return 1
    return result if isinstance(result, int) else 0


def _is_click_error(exc: BaseException) -> bool:
    """Click's own errors (Typer vendors click, so match by shape rather than by class)."""
    return type(exc).__name__ == "Abort" or (hasattr(exc, "format_message") and hasattr(exc, "exit_code"))


def _report_click_error(exc: Any) -> int:
    if type(exc).__name__ == "Abort":
        err.print("aborted", markup=False)
        return 130
    ctx = getattr(exc, "ctx", None)
    hint = f" (see `{ctx.command_path} --help`)" if ctx is not None and exc.exit_code == 2 else ""
    message = " ".join(exc.format_message().split()).replace("Value error, ", "")
    err.print(f"error: {message}{hint}", markup=False, highlight=False)
    return int(exc.exit_code)


def entry() -> None:
    sys.exit(main())

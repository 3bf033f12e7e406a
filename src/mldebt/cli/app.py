"""The root Typer app, the global options, and the one place errors become exit codes."""

from __future__ import annotations

import errno
import os
import sys
import traceback

import typer

from mldebt import __version__
from mldebt.cli import (
    catalog,
    db,
    debt,
    demo,
    drift,
    incidents,
    ingest,
    ingest_tests,
    kpis,
    monitor,
    profile,
    report,
    scan,
    serve,
)
from mldebt.cli.common import AppState, err
from mldebt.errors import (
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_STDOUT_CLOSED,
    EXIT_USAGE,
    MldebtError,
    is_store_environment_error,
    short_description,
)

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
app.command("profile")(profile.profile)
app.add_typer(drift.retrain_app, name="retrain")
app.add_typer(incidents.app, name="incidents")
app.command("kpis")(kpis.kpis)
app.command("review")(kpis.review)
app.command("reviews")(kpis.reviews)
app.command("report")(report.report)
app.add_typer(serve.token_app, name="token")
app.command("serve")(serve.serve)
app.command("backlog")(debt.backlog)
app.add_typer(debt.app, name="debt")
app.add_typer(monitor.app, name="monitor")


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
    """Console entry point: every outcome is one exit status of the table in docs/cli.md.

    0 ok, 1 a gate tripped (the command says so itself), 2 bad input or usage, 3 an internal error
    (a bug: one line, the traceback only with --debug), 130 interrupted, 141 stdout was closed early.
    """
    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args
    command = typer.main.get_command(app)
    try:
        result = command.main(args=args, prog_name="mldebt", standalone_mode=False)
        sys.stdout.flush()  # output still in the buffer meets a closed pipe here, not at interpreter exit
    except BrokenPipeError:
        return _stdout_closed()
    except SystemExit as exc:
        if _is_broken_pipe(exc.__context__):  # Typer turns EPIPE into sys.exit(1), which reads as a tripped gate
            return _stdout_closed()
        raise
    except MldebtError as exc:
        _traceback(debug)
        err.print(f"error: {exc.message}", markup=False, highlight=False)
        return exc.exit_code
    except (typer.Abort, KeyboardInterrupt):
        err.print("aborted", markup=False, highlight=False)
        return EXIT_INTERRUPTED
    except typer.TyperException as exc:
        return _report_click_error(exc)
    except Exception as exc:
        _traceback(debug)
        if is_store_environment_error(exc):
            err.print(f"error: the store refused: {short_description(exc)} (check that the database and its "
                      "folder are writable and migrated: `mldebt db upgrade`)", markup=False, highlight=False)
            return EXIT_USAGE
        err.print(f"internal error: {short_description(exc)} (run with --debug for a traceback)",
                  markup=False, highlight=False)
        return EXIT_INTERNAL
    return result if isinstance(result, int) else EXIT_OK


def _is_broken_pipe(exc: BaseException | None) -> bool:
    return isinstance(exc, OSError) and exc.errno == errno.EPIPE


def _stdout_closed() -> int:
    """The reader went away (`mldebt scan --format json | head -1`): end quietly, as Unix tools do.

    141 is what a shell reports for a tool that SIGPIPE ended (128 + 13): not 0, because the command
    did not finish (a `--fail-on` gate was never evaluated), not 1, which means a gate tripped. Later
    writes, and the flush at exit, go to /dev/null so that Python prints no "Exception ignored" line.
    """
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # no real file descriptor (captured in-process): nothing to silence
        pass
    return EXIT_STDOUT_CLOSED


def _traceback(debug: bool) -> None:
    if debug:
        traceback.print_exc()


def _report_click_error(exc: typer.TyperException) -> int:
    """Click's usage errors (and any other click error: a bad file, a bad value) are bad input: exit 2."""
    ctx = getattr(exc, "ctx", None)
    hint = f" (see `{ctx.command_path} --help`)" if ctx is not None else ""
    message = " ".join(exc.format_message().split()).replace("Value error, ", "")
    err.print(f"error: {message}{hint}", markup=False, highlight=False)
    return EXIT_USAGE


def entry() -> None:
    sys.exit(main())

"""One error tree for the whole package.

The library raises these; the edges translate them: the CLI prints one line and exits with
`exit_code`, the web layer answers `http_status` with one JSON error shape
`{"error": {"code", "message", "details"}}`. Anything that is not an `MldebtError` is a bug and is
reported as such.
"""

from __future__ import annotations


class MldebtError(Exception):
    """Base class: a problem the user can act on. Subclasses set `code` and `http_status`."""

    code = "error"
    http_status = 400
    exit_code = 2

    def __init__(self, message: str, details: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = list(details or [])

    def __str__(self) -> str:
        return self.message


class UserInputError(MldebtError):
    """Bad arguments, a value out of range, an unreadable input."""

    code = "invalid_input"


class NotFoundError(MldebtError):
    """A named thing (component, file, run) does not exist."""

    code = "not_found"
    http_status = 404


class ConflictError(MldebtError):
    """The request contradicts what is stored (a duplicate, a frozen record)."""

    code = "conflict"
    http_status = 409


class CatalogInvalidError(MldebtError):
    """`mldebt.yaml` has errors; `details` holds one `file:line:col: message` line each."""

    code = "catalog_invalid"
    http_status = 422


class StoreError(MldebtError):
    """The database cannot be opened or migrated."""

    code = "store_error"
    http_status = 503


class UnauthorizedError(MldebtError):
    """Missing or wrong credentials: an API token, a webhook signature or shared secret."""

    code = "unauthorized"
    http_status = 401


class ForbiddenError(MldebtError):
    """The credentials are valid but their role may not do this (a viewer writing)."""

    code = "forbidden"
    http_status = 403


class PayloadError(MldebtError):
    """A delivery or backfill record that cannot be parsed; `details` names the fields."""

    code = "invalid_payload"
    http_status = 422


class PayloadTooLargeError(MldebtError):
    """A request body over the limit (1 MiB for webhooks)."""

    code = "payload_too_large"
    http_status = 413


class PdfUnavailableError(MldebtError):
    """WeasyPrint cannot load (Debian's pango or its fonts are missing): the machine's operator installs
    them; the message names the packages. Exit 2, like any error the user can fix (HTML still works)."""

    code = "pdf_unavailable"
    http_status = 503


# Exit statuses of the command line (docs/cli.md has the table): CI scripts branch on them, so each
# means one thing. A tripped gate is not a crash, and a crash is not the user's fault.
EXIT_OK = 0
EXIT_GATE = 1  # a gate tripped: scan --fail-on, drift --fail-on-drift, a failed retrain
EXIT_USAGE = 2  # bad input or usage: the user can fix it (every MldebtError, every click usage error)
EXIT_INTERNAL = 3  # a bug in mldebt: one line, the traceback with --debug
EXIT_INTERRUPTED = 130  # Ctrl-C (128 + SIGINT), as shells report it
EXIT_STDOUT_CLOSED = 141  # stdout closed early (`| head`): 128 + SIGPIPE, as shells report a tool SIGPIPE ended

SHORT_MESSAGE_CHARS = 200


def _first_line(text: str) -> str:
    text = text.replace("\x00", "").strip()  # a NUL cannot be stored in PostgreSQL text
    line = text.splitlines()[0] if text else ""
    return line if len(line) <= SHORT_MESSAGE_CHARS else line[: SHORT_MESSAGE_CHARS - 3] + "..."


def is_database_error(exc: BaseException) -> bool:
    """A SQLAlchemy DBAPI error (matched by shape: this module imports no database library)."""
    return type(exc).__module__.startswith("sqlalchemy") and hasattr(exc, "orig") and hasattr(exc, "statement")


def is_store_environment_error(exc: BaseException) -> bool:
    """The database refused for a reason its operator fixes (read-only, locked, full, damaged schema).

    PEP 249's OperationalError is "not necessarily under the control of the programmer"; SQLite
    reports a read-only file, a locked database, a full disk and a dropped table this way. Integrity,
    programming and data errors stay internal errors: they mean mldebt sent something wrong.
    """
    return is_database_error(exc) and type(exc).__name__ == "OperationalError"


def short_description(exc: BaseException) -> str:
    """`Type: first line of the message`, safe to show: never a SQL statement, its parameters or a docs link.

    SQLAlchemy's own message embeds the statement with its parameters (a token's hash among them)
    and a link to its docs; only the DBAPI error (`exc.orig`: its class, e.g. psycopg's
    `StringDataRightTruncation`, and its first line) is kept. The CLI prints this, and the store keeps
    it as the reason a delivery was not applied.
    """
    cause = getattr(exc, "orig", None) if is_database_error(exc) else exc
    if cause is None:
        return f"{type(exc).__name__}: database error"
    message = _first_line(str(cause))
    return f"{type(cause).__name__}: {message}" if message else type(cause).__name__

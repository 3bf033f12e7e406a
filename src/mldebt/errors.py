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

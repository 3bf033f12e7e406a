"""One error tree for the whole package.

The library raises these; the edges translate them: the CLI prints one line and exits with
`exit_code`, the web layer answers `http_status` with one JSON error shape. Anything that is not
an `MldebtError` is a bug and is reported as such.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class MldebtError(Exception):
    """Base class: a problem the user can act on."""

    message: str
    details: list[str] = field(default_factory=list)
    code: str = "error"
    http_status: int = 400
    exit_code: int = 2

    def __post_init__(self) -> None:
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


class UserInputError(MldebtError):
    """Bad arguments, a missing file, a value out of range."""

    def __init__(self, message: str, details: list[str] | None = None) -> None:
        super().__init__(message, details or [], code="invalid_input", http_status=400)


class NotFoundError(MldebtError):
    """A named thing (component, file, run) does not exist."""

    def __init__(self, message: str, details: list[str] | None = None) -> None:
        super().__init__(message, details or [], code="not_found", http_status=404)


class CatalogInvalidError(MldebtError):
    """`mldebt.yaml` has errors; `details` holds one `file:line:col: message` line each."""

    def __init__(self, message: str, details: list[str] | None = None) -> None:
        super().__init__(message, details or [], code="catalog_invalid", http_status=422)


class StoreError(MldebtError):
    """The database cannot be opened or migrated."""

    def __init__(self, message: str, details: list[str] | None = None) -> None:
        super().__init__(message, details or [], code="store_error", http_status=503)


class UnauthorizedError(MldebtError):
    """Missing or wrong credentials: an API token, a webhook signature or shared secret."""

    def __init__(self, message: str, details: list[str] | None = None) -> None:
        super().__init__(message, details or [], code="unauthorized", http_status=401)


class ForbiddenError(MldebtError):
    """The credentials are valid but their role may not do this (a viewer writing)."""

    def __init__(self, message: str, details: list[str] | None = None) -> None:
        super().__init__(message, details or [], code="forbidden", http_status=403)


class PayloadError(MldebtError):
    """A delivery or backfill record that cannot be parsed; `details` names the fields."""

    def __init__(self, message: str, details: list[str] | None = None) -> None:
        super().__init__(message, details or [], code="invalid_payload", http_status=422)


class PayloadTooLargeError(MldebtError):
    """A request body over the limit (1 MiB for webhooks)."""

    def __init__(self, message: str, details: list[str] | None = None) -> None:
        super().__init__(message, details or [], code="payload_too_large", http_status=413)

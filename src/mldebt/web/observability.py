"""Reporting mldebt's own exceptions to Sentry, without webhook bodies or customer data.

`before_send` runs on every event before it leaves the process: it drops request bodies, cookies,
query strings and credentials, the user, and local variables of frames (which may hold payloads).
With no `SENTRY_DSN`, nothing is initialised.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mldebt.settings import SENTRY_DSN

if TYPE_CHECKING:
    from sentry_sdk.types import Event, Hint

KEPT_HEADERS = {"content-type", "content-length", "user-agent", "sentry-hook-resource", "x-request-id",
                "request-id"}


def before_send(event: Event, _hint: Hint | None = None) -> Event:
    request = event.get("request")
    if isinstance(request, dict):
        for key in ("data", "cookies", "query_string", "env"):
            request.pop(key, None)
        headers = request.get("headers")
        if isinstance(headers, dict):
            request["headers"] = {k: v for k, v in headers.items() if k.lower() in KEPT_HEADERS}
    event.pop("user", None)
    event.pop("extra", None)
    for exception in (event.get("exception") or {}).get("values", []) or []:
        for frame in (exception.get("stacktrace") or {}).get("frames", []) or []:
            frame.pop("vars", None)
    breadcrumbs = event.get("breadcrumbs")
    if isinstance(breadcrumbs, dict):
        for crumb in breadcrumbs.get("values", []) or []:
            crumb.pop("data", None)
    return event


def init_sentry(dsn: str | None = None) -> bool:
    """Initialise sentry-sdk when a DSN is configured; returns whether it was."""
    dsn = dsn or SENTRY_DSN.value()
    if not dsn:
        return False
    import sentry_sdk

    sentry_sdk.init(dsn=dsn, before_send=before_send, send_default_pii=False, include_local_variables=False,
                    max_request_body_size="never")
    return True

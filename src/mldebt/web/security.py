"""Browser-facing protections: security headers on every answer, CSRF checks on forms, safe redirects.

Every response gets the headers (an ASGI layer, so errors, 413s and webhook answers carry them too).
Form posts are parsed here from the body `RequestLimits` has already bounded (no python-multipart),
and each one must carry the CSRF token of its session (or, for the sign-in form, of its CSRF cookie).
"""

from __future__ import annotations

import hmac
from typing import Any
from urllib.parse import parse_qs

from fastapi import Request

from mldebt.errors import ForbiddenError, MldebtError
from mldebt.web.limits import App, Message, Receive, Scope, Send

CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; "
       "base-uri 'none'; form-action 'self'")
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CSP.encode()),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-content-type-options", b"nosniff"),
)
CSRF_FIELD = "csrf_token"
MAX_FIELD_CHARS = 4096
MAX_NEXT_CHARS = 2048
FORM_TYPE = "application/x-www-form-urlencoded"


class UnsupportedForm(MldebtError):
    code = "unsupported_media_type"
    http_status = 415


class SecurityHeaders:
    """An ASGI layer adding `SECURITY_HEADERS` to every HTTP response that does not set them itself."""

    def __init__(self, app: App) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers.extend((name, value) for name, value in SECURITY_HEADERS if name not in present)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


async def read_form(request: Request) -> dict[str, str]:
    """The urlencoded form of a post: the first value of each field, each at most `MAX_FIELD_CHARS`."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != FORM_TYPE:
        raise UnsupportedForm(f"a form post must be {FORM_TYPE}, not {content_type or 'without a content type'}")
    body = await request.body()  # bounded by RequestLimits (64 KiB)
    try:
        fields = parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=50, strict_parsing=False)
    except (UnicodeDecodeError, ValueError) as exc:
        raise UnsupportedForm(f"unreadable form: {exc}") from None
    return {name: values[0][:MAX_FIELD_CHARS] for name, values in fields.items() if values}


def check_csrf(form: dict[str, Any], expected: str | None) -> None:
    """403 unless the form's CSRF field equals `expected` (compared in constant time)."""
    sent = form.get(CSRF_FIELD)
    if not expected or not isinstance(sent, str) or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise ForbiddenError("missing or wrong CSRF token: reload the page and send the form again")


def local_path(target: str | None, default: str = "/") -> str:
    """`target` when it is a path on this site ("/backlog?x=1"), else `default`: never an open redirect."""
    if not target or len(target) > MAX_NEXT_CHARS or not target.startswith("/") or target.startswith(("//", "/\\")):
        return default
    if any(ord(char) < 0x20 or char in "\\\x7f" for char in target):
        return default
    return target

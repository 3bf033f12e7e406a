"""Dashboard sessions: a signed cookie holding an API token's id and an expiry, nothing else.

The cookie is `<payload>.<signature>`: the payload is base64url JSON `{"t": token_id, "e": expiry}` (Unix
seconds), the signature HMAC-SHA256 of the payload under the session key. It names the token, never
holds it, so a stolen cookie dies with its expiry or with the token (`mldebt token revoke`): every
request looks the token up again. Sessions are stateless: signing out removes the cookie from the
browser; a copy taken before still works until it expires or its token is revoked (docs/dashboard.md).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from mldebt.errors import UserInputError
from mldebt.settings import DEFAULT_DB_PATH, SESSION_HOURS, SESSION_SECRET

COOKIE = "mldebt_session"
MAX_COOKIE_CHARS = 256  # a real cookie is ~90 characters; anything longer is not ours
MIN_SECRET_CHARS = 32
MAX_SESSION_HOURS = 168
SECRET_FILE = Path(DEFAULT_DB_PATH).parent / "session_secret"


@dataclass(frozen=True)
class Session:
    token_id: int
    expires: int  # Unix seconds


@dataclass(frozen=True)
class SessionKeys:
    """The key that signs cookies and how long a sign-in lasts."""

    secret: bytes
    lifetime: dt.timedelta = dt.timedelta(hours=12)

    @classmethod
    def generated(cls, lifetime: dt.timedelta = dt.timedelta(hours=12)) -> SessionKeys:
        """A random key for this process only (tests, an app built without settings)."""
        return cls(secrets.token_bytes(32), lifetime)

    def _sign(self, payload: str, purpose: str) -> str:
        return hmac.new(self.secret, f"{purpose}:{payload}".encode(), hashlib.sha256).hexdigest()

    def issue(self, token_id: int, now: dt.datetime) -> str:
        expires = int((now + self.lifetime).timestamp())
        raw = json.dumps({"t": token_id, "e": expires}, separators=(",", ":")).encode()
        payload = base64.urlsafe_b64encode(raw).decode().rstrip("=")
        return f"{payload}.{self._sign(payload, 'session')}"

    def read(self, cookie: str | None, now: dt.datetime) -> Session | None:
        """The session of a cookie whose signature holds and that has not expired, else None."""
        if not cookie or len(cookie) > MAX_COOKIE_CHARS or cookie.count(".") != 1:
            return None
        payload, signature = cookie.split(".")
        if not hmac.compare_digest(signature.encode(), self._sign(payload, "session").encode()):
            return None
        try:
            data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        except (binascii.Error, ValueError):
            return None
        token_id, expires = (data.get("t"), data.get("e")) if isinstance(data, dict) else (None, None)
        if not (isinstance(token_id, int) and isinstance(expires, int)) or isinstance(token_id, bool):
            return None
        left = expires - now.timestamp()
        if left <= 0 or left > self.lifetime.total_seconds() + 60:  # expired, or longer than any we issue
            return None
        return Session(token_id, expires)

    def csrf_token(self, session_cookie: str) -> str:
        """The session's CSRF token: derived from its cookie, so it needs no storage and dies with it."""
        return self._sign(session_cookie, "csrf")


def session_lifetime(override: str | None = None) -> dt.timedelta:
    text = SESSION_HOURS.value(override)
    try:
        hours = float(text)
    except ValueError:
        raise UserInputError(f"{SESSION_HOURS.env}: not a number of hours: {text!r}") from None
    if not 1 <= hours <= MAX_SESSION_HOURS:
        raise UserInputError(f"{SESSION_HOURS.env}: must be between 1 and {MAX_SESSION_HOURS} hours, not {text}")
    return dt.timedelta(hours=hours)


def keys_from_settings(secret_file: Path = SECRET_FILE) -> SessionKeys:
    """The configured key, else the one in `secret_file`, created (mode 0600) on first use."""
    configured = SESSION_SECRET.value()
    if configured:
        if len(configured) < MIN_SECRET_CHARS:
            raise UserInputError(f"{SESSION_SECRET.env}: must be at least {MIN_SECRET_CHARS} characters")
        return SessionKeys(configured.encode(), session_lifetime())
    return SessionKeys(_stored_secret(secret_file), session_lifetime())


def _stored_secret(path: Path) -> bytes:
    try:
        stored = path.read_bytes().strip()
        if len(stored) >= MIN_SECRET_CHARS:
            return stored
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48).encode()
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(secret)
    path.chmod(0o600)
    return secret

"""What every source adapter shares: the delivery, the parse result, and careful field readers.

Adapters are pure: bytes and headers in, domain objects out, `PayloadError` naming the field when
the payload is not what the source documents. Signatures are checked over the raw body bytes with
`hmac.compare_digest`, never over re-serialised JSON.
"""

from __future__ import annotations

import base64
import datetime as dt
import email.utils
import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from mldebt.domain.incident import FeedbackResponse, IncidentSignal, StoreEvent, Ticket
from mldebt.errors import PayloadError, UnauthorizedError

EPOCH_ZERO_PREFIX = "0001-01-01"
MAX_DEPTH = 64
"""Arrays and objects nested deeper than this are refused on receipt (422): deeper bodies made the parser,
the JSON columns and replay hit Python's recursion limit (`RecursionError`), and no source sends them."""


_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_SURROGATE_BYTES = re.compile(rb"\xed[\xa0-\xbf]")


def _maybe_surrogate(body: bytes) -> bool:
    """Whether the body may hold a UTF-16 surrogate: a `\\ud800`-`\\udfff` escape, or one encoded like UTF-8
    (which `json.loads` lets through). Substring searches first, so that most bodies cost almost nothing;
    only then are strings checked one by one."""
    if (b"\\ud" in body or b"\\uD" in body) and _SURROGATE_ESCAPE.search(body):
        return True
    return b"\xed" in body and _SURROGATE_BYTES.search(body) is not None


@dataclass(frozen=True)
class Delivery:
    """One webhook request (or one backfill record: `headers` empty, `backfill` true)."""

    source: str
    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict)
    received_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    backfill: bool = False

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


@dataclass
class ParsedDelivery:
    """Everything one delivery says; `delivery_id` is the source's identity used for idempotency."""

    delivery_id: str
    signals: list[IncidentSignal] = field(default_factory=list)
    tickets: list[Ticket] = field(default_factory=list)
    feedback: list[FeedbackResponse] = field(default_factory=list)
    store_events: list[StoreEvent] = field(default_factory=list)
    pull_polls: list[str] = field(default_factory=list)
    kind: str = ""


class Adapter(Protocol):
    """One source: which headers to keep, how to verify, how to parse."""

    name: str
    kept_headers: tuple[str, ...]

    def verify(self, delivery: Delivery, secret: str) -> None: ...

    def parse(self, delivery: Delivery) -> ParsedDelivery: ...


SECRET_HEADER_PARTS = ("authorization", "cookie", "signature", "token", "secret", "api-key", "apikey", "api_key",
                       "password", "session", "auth", "credential")
"""A header whose lower-case name contains one of these carries a credential: its value is never kept for a
rejected delivery (only that it was there, and how long it was)."""
FORENSIC_HEADER_BUDGET = 4096
"""At most this many characters of headers are kept for a rejected delivery; a value over 512 is cut."""
FORENSIC_VALUE = 512


def forensic_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """The headers of a rejected delivery as they are kept for forensics: credentials redacted, bounded in size.

    An unauthenticated sender controls all of them, so the record of its attempt must not grow with them."""
    kept: dict[str, str] = {}
    used = 0
    for index, (name, value) in enumerate(headers.items()):
        name = name.lower()[:100]
        if any(part in name for part in SECRET_HEADER_PARTS):
            value = f"[redacted, {len(value)} characters]"
        elif len(value) > FORENSIC_VALUE:
            value = f"{value[:FORENSIC_VALUE]}...[cut, {len(value)} characters]"
        used += len(name) + len(value)
        if used > FORENSIC_HEADER_BUDGET:
            kept["..."] = f"{len(headers) - index} more headers not kept"
            break
        kept[name] = value
    return kept


def load_json(body: bytes) -> Any:
    """The parsed body; NUL characters are dropped from strings (PostgreSQL text cannot hold them; the raw
    body keeps them)."""
    try:
        value = json.loads(body)
    except UnicodeDecodeError:
        raise PayloadError("body is not UTF-8 JSON") from None
    except json.JSONDecodeError as exc:
        raise PayloadError(f"body is not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except RecursionError:
        raise PayloadError(_too_deep()) from None
    texts = _maybe_surrogate(body)
    if texts or body.count(b"[") + body.count(b"{") > MAX_DEPTH:
        _check_shape(value, texts)
    return _without_nul(value) if b"\\u0000" in body else value


def _too_deep() -> str:
    return f"body nests arrays and objects more than {MAX_DEPTH} levels deep; at most {MAX_DEPTH} are accepted"


def _check_shape(value: Any, texts: bool) -> None:
    """`PayloadError` for nesting deeper than MAX_DEPTH and (with `texts`) for a string holding a lone UTF-16
    surrogate, which no database column can store: such a delivery would be answered 202 and never applied."""
    stack: list[tuple[Any, int, str]] = [(value, 0, "body")]
    while stack:
        item, depth, where = stack.pop()
        if isinstance(item, dict):
            if depth >= MAX_DEPTH:
                raise PayloadError(_too_deep(), [where])
            for key, child in item.items():
                if texts:
                    _check_text(key, f"{where} (a key)")
                stack.append((child, depth + 1, f"{where}.{key}" if texts else where))
        elif isinstance(item, list):
            if depth >= MAX_DEPTH:
                raise PayloadError(_too_deep(), [where])
            stack.extend((child, depth + 1, f"{where}[{i}]" if texts else where) for i, child in enumerate(item))
        elif texts and isinstance(item, str):
            _check_text(item, where)


def _check_text(value: str, where: str) -> None:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        lone = value[exc.start].encode("unicode_escape").decode()
        raise PayloadError(f"{where} holds a lone UTF-16 surrogate ({lone}), which is not text; send valid Unicode "
                           "(a surrogate pair encodes one character)", [where]) from None


def _without_nul(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [_without_nul(v) for v in value]
    if isinstance(value, dict):
        return {_without_nul(k): _without_nul(v) for k, v in value.items()}
    return value


def obj(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise PayloadError(f"{where} must be a JSON object, got {_kind(value)}", [where])
    return value


def text(container: Mapping[str, Any], key: str, where: str, required: bool = True) -> str | None:
    """A string (or number, as its text) field; `PayloadError` naming `where.key` when required and absent."""
    value = container.get(key)
    if value is None or value == "":
        if required:
            raise PayloadError(f"{where}.{key} is missing", [f"{where}.{key}"])
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise PayloadError(f"{where}.{key} must be a string, got {_kind(value)}", [f"{where}.{key}"])
    return str(value)


def timestamp(value: Any, where: str) -> dt.datetime:
    """ISO-8601, RFC-2822 or Unix seconds/milliseconds, returned as an aware UTC datetime."""
    if value is None or value == "":
        raise PayloadError(f"{where} is missing", [where])
    if isinstance(value, bool):
        raise PayloadError(f"{where} must be a time, got a boolean", [where])
    if isinstance(value, int | float) or (isinstance(value, str) and value.isascii() and value.isdigit()):
        number = float(value)
        if number > 1e11:
            number /= 1000.0
        try:
            return dt.datetime.fromtimestamp(number, dt.UTC)
        except (OverflowError, OSError, ValueError):
            raise PayloadError(f"{where}: {value!r} is out of range", [where]) from None
    if not isinstance(value, str):
        raise PayloadError(f"{where} must be a time, got {_kind(value)}", [where])
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        try:
            parsed = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            raise PayloadError(f"{where}: {value!r} is not an ISO-8601 or RFC-2822 time", [where]) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC)


def _kind(value: Any) -> str:
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(value), "a number")


def body_digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def canonical_digest(payload: Any) -> str:
    """Identity of a record when the source sends no delivery id (backfill): its canonical JSON."""
    return hashlib.sha256(json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def hmac_sha256(key: bytes, message: bytes) -> bytes:
    return hmac.new(key, message, hashlib.sha256).digest()


def same(given: str | None, expected: str) -> bool:
    """Constant-time equality of two header values."""
    return given is not None and hmac.compare_digest(given.encode("utf-8", "replace"), expected.encode("utf-8"))


def verify_hex_hmac(given: str | None, secret: str, message: bytes, header: str) -> None:
    if not given:
        raise UnauthorizedError(f"missing {header} header")
    if not same(given.strip().lower(), hmac_sha256(secret.encode(), message).hex()):
        raise UnauthorizedError(f"{header} does not match the body")


def verify_b64_hmac(given: str | None, secret: str, message: bytes, header: str) -> None:
    if not given:
        raise UnauthorizedError(f"missing {header} header")
    if not same(given.strip(), base64.b64encode(hmac_sha256(secret.encode(), message)).decode()):
        raise UnauthorizedError(f"{header} does not match the body")


def verify_bearer(delivery: Delivery, secret: str) -> None:
    """`Authorization: Bearer <secret>` or HTTP basic auth whose password is the secret."""
    auth = delivery.header("authorization")
    if not auth:
        raise UnauthorizedError("missing Authorization header")
    scheme, _, credential = auth.strip().partition(" ")
    if scheme.lower() == "bearer" and same(credential.strip(), secret):
        return
    if scheme.lower() == "basic":
        try:
            _, _, password = base64.b64decode(credential.strip(), validate=True).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            raise UnauthorizedError("malformed basic credentials") from None
        if same(password, secret):
            return
    raise UnauthorizedError("wrong credentials in the Authorization header")

"""The HTTP server protocol of `mldebt serve`: uvicorn's httptools protocol with bounded request heads.

httptools accepts any number of headers of any size (10 MB of headers reached the app in a test),
and uvicorn's h11 protocol answers an oversized head with a bare 400 or resets the connection. This
protocol counts while the head is still arriving and answers 431 (headers) or 414 (URL) in the one
error shape, with the limits of `web.limits`. After answering it closes its side for writing and
discards what the client is still sending for a moment before closing, because closing a socket with
unread data makes the kernel send a reset, and the client would lose the answer.

`mldebt serve` names it to uvicorn by its import path (`http=`), so the CLI never imports the web layer.
"""

from __future__ import annotations

import json
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from mldebt.web.errors import error_body
from mldebt.web.limits import MAX_HEADER_BYTES, MAX_HEADERS, MAX_URL_BYTES, header_refusal, url_refusal

MAX_HEAD_BYTES = MAX_HEADER_BYTES + MAX_URL_BYTES + 4 * MAX_HEADERS + 1024  # with separators, request line
LINGER_SECONDS = 2.0
LINGER_BYTES = 16 * 1024 * 1024
REASONS = {414: b"URI Too Long", 431: b"Request Header Fields Too Large"}


class _Refused(Exception):
    """Raised from a parser callback to stop parsing; uvicorn then calls `send_400_response`."""


class LimitedHttpToolsProtocol(HttpToolsProtocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._refusal: tuple[int, dict[str, Any]] | None = None
        self._in_head = True
        self._head_bytes = self._header_bytes = 0
        self._discarded: int | None = None  # bytes thrown away since answering a refusal

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._in_head, self._head_bytes, self._header_bytes = True, 0, 0

    def on_url(self, url: bytes) -> None:
        super().on_url(url)
        if len(self.url) > MAX_URL_BYTES:
            self._refuse(url_refusal(len(self.url)))

    def on_header(self, name: bytes, value: bytes) -> None:
        self._header_bytes += len(name) + len(value)
        refusal = header_refusal(len(self.headers) + 1, self._header_bytes)
        if refusal is not None:
            self._refuse(refusal)
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._in_head = False
        super().on_headers_complete()

    def data_received(self, data: bytes) -> None:
        if self._discarded is not None:
            self._discarded += len(data)
            if self._discarded > LINGER_BYTES:
                self.transport.close()
            return
        if self._in_head:
            self._head_bytes += len(data)
        super().data_received(data)
        if self._in_head and self._discarded is None and self._head_bytes > MAX_HEAD_BYTES:
            # one header still arriving (httptools holds it until it ends): refuse before it grows further
            self._refusal = 431, error_body("request_header_fields_too_large", f"request headers are over the "
                                            f"{MAX_HEADER_BYTES // 1024} KiB limit ({self._head_bytes} bytes arrived "
                                            "before their end)")
            self.send_400_response("")

    def send_400_response(self, msg: str) -> None:
        if self._refusal is None:
            super().send_400_response(msg)
            return
        status, body = self._refusal
        content = json.dumps(body).encode()
        self.transport.write(b"HTTP/1.1 %d %s\r\ncontent-type: application/json\r\ncontent-length: %d\r\n"
                             b"connection: close\r\n\r\n%s" % (status, REASONS[status], len(content), content))
        self._discarded = 0
        if self.transport.can_write_eof():
            self.transport.write_eof()
        self.transport.resume_reading()
        self.loop.call_later(LINGER_SECONDS, self.transport.close)

    def _refuse(self, refusal: tuple[int, dict[str, Any]]) -> None:
        self._refusal = refusal
        raise _Refused

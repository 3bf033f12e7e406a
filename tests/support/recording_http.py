"""A local HTTP server that records every request and answers from a scripted status sequence.

For the receivers we cannot run (Slack, a customer's webhook): `RecordingServer([503, 503, 200])`
answers the first two requests with 503 and every later one with 200 (the last status repeats).
Each request is kept as a `Recorded` (method, path, lower-cased headers, raw body), so a test can
assert the exact payload a channel sent and how many attempts it took.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes = b""
    headers: Mapping[str, str] | None = None
    delay: float = 0.0  # seconds before answering: a client's timeout fires first


class RecordingServer:
    """Use as a context manager; `url` is `http://127.0.0.1:<port>`, `requests` what arrived."""

    def __init__(self, answers: Sequence[int | Answer] = (200,)) -> None:
        self.answers = [a if isinstance(a, Answer) else Answer(a) for a in answers] or [Answer(200)]
        self.requests: list[Recorded] = []
        self.lock = threading.Lock()
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_: Any) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                with recorder.lock:
                    index = len(recorder.requests)
                    recorder.requests.append(Recorded(self.command, self.path,
                                                      {k.lower(): v for k, v in self.headers.items()}, body))
                    answer = recorder.answers[min(index, len(recorder.answers) - 1)]
                if answer.delay:
                    time.sleep(answer.delay)
                try:
                    self.send_response(answer.status)
                    for key, value in (answer.headers or {}).items():
                        self.send_header(key, value)
                    self.send_header("Content-Length", str(len(answer.body)))
                    self.end_headers()
                    self.wfile.write(answer.body)
                except OSError:  # the client gave up (its timeout): nothing left to answer
                    pass

            do_GET = do_POST = do_PUT = _handle

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> RecordingServer:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)

"""A minimal HTTP/1.1 keep-alive load client on asyncio streams, for loopback benchmarks.

httpx's async client costs several milliseconds of CPU per request on a 2-core machine, which
would measure the client rather than the server (on this machine it tops out near 100 requests/s
against an empty FastAPI endpoint). This client pre-builds each request's bytes and parses only
the status line and Content-Length of the answer.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from typing import Any


def build_request(path: str, body: bytes, headers: dict[str, str]) -> bytes:
    lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", f"Content-Length: {len(body)}"]
    lines += [f"{name}: {value}" for name, value in headers.items() if name.lower() != "content-length"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def _worker(host: str, port: int, queue: asyncio.Queue[tuple[Any, bytes]],
                  results: list[tuple[Any, int, float]]) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while True:
            try:
                item, request = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            started = time.perf_counter()
            writer.write(request)
            await writer.drain()
            status = int((await reader.readline()).split()[1])
            length = 0
            while True:
                line = await reader.readline()
                if line in (b"\r\n", b""):
                    break
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            await reader.readexactly(length)
            results.append((item, status, time.perf_counter() - started))
    finally:
        writer.close()


async def send_all(host: str, port: int, requests: Sequence[tuple[Any, bytes]], concurrency: int
                   ) -> tuple[list[tuple[Any, int, float]], float]:
    """Send every (item, request bytes) over `concurrency` keep-alive connections; (item, status, seconds)."""
    queue: asyncio.Queue[tuple[Any, bytes]] = asyncio.Queue()
    for entry in requests:
        queue.put_nowait(entry)
    results: list[tuple[Any, int, float]] = []
    began = time.perf_counter()
    await asyncio.gather(*(_worker(host, port, queue, results) for _ in range(concurrency)))
    return results, time.perf_counter() - began

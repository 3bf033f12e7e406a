"""A minimal HTTP/1.1 keep-alive load client on asyncio streams, for loopback benchmarks.

httpx's async client costs several milliseconds of CPU per request on a 2-core machine, which
would measure the client rather than the server (on this machine it tops out near 100 requests/s
against an empty FastAPI endpoint). This client pre-builds each request's bytes and parses only
the status line and Content-Length of the answer.

Two ways to load a server:
- `send_all` (closed loop, a burst): `concurrency` connections each send the next request as soon
  as the previous one is answered: the highest rate the server reaches with that many in flight.
- `send_at_rate` (open loop, sustained): request i is due at `i / rate` seconds whatever the server
  does, as real senders behave. Latency counts from the due time, so a server that falls behind
  sees its queueing delay in the percentiles (no coordinated omission).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from typing import Any

Result = tuple[Any, int, float]


def build_request(path: str, body: bytes, headers: dict[str, str]) -> bytes:
    lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", f"Content-Length: {len(body)}"]
    lines += [f"{name}: {value}" for name, value in headers.items() if name.lower() != "content-length"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def _exchange(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes) -> int:
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
    return status


async def _worker(host: str, port: int, queue: asyncio.Queue[tuple[Any, bytes, float | None]],
                  results: list[Result]) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while True:
            try:
                item, request, due = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            if due is not None:
                delay = due - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
            started = time.perf_counter() if due is None else due
            status = await _exchange(reader, writer, request)
            results.append((item, status, time.perf_counter() - started))
    finally:
        writer.close()


async def send_all(host: str, port: int, requests: Sequence[tuple[Any, bytes]], concurrency: int
                   ) -> tuple[list[Result], float]:
    """Send every (item, request bytes) over `concurrency` keep-alive connections; (item, status, seconds)."""
    queue: asyncio.Queue[tuple[Any, bytes, float | None]] = asyncio.Queue()
    for item, request in requests:
        queue.put_nowait((item, request, None))
    results: list[Result] = []
    began = time.perf_counter()
    await asyncio.gather(*(_worker(host, port, queue, results) for _ in range(concurrency)))
    return results, time.perf_counter() - began


async def send_at_rate(host: str, port: int, requests: Sequence[tuple[Any, bytes]], rate: float,
                       connections: int = 64) -> tuple[list[Result], float]:
    """Send request i at `i / rate` s (open loop) over up to `connections` keep-alive connections.

    Requests are taken in order by whichever connection is free; one that finds none free waits,
    and that wait is part of its latency. Returns (item, status, seconds from due time) and the
    seconds from the first due time to the last answer.
    """
    queue: asyncio.Queue[tuple[Any, bytes, float | None]] = asyncio.Queue()
    began = time.perf_counter() + 0.05
    for index, (item, request) in enumerate(requests):
        queue.put_nowait((item, request, began + index / rate))
    results: list[Result] = []
    await asyncio.gather(*(_worker(host, port, queue, results) for _ in range(connections)))
    return results, time.perf_counter() - began

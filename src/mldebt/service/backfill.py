"""Backfill: JSON or NDJSON files of the same payloads the webhooks carry, through the same parsers.

A file is one JSON document (an object, or an array of objects) or NDJSON (one object per line).
A record may be a bare payload or a recorded delivery `{"headers": {...}, "body": {...}}` (headers
such as `Sentry-Hook-Timestamp` then carry their meaning). Every record is stored as a raw event
like a webhook delivery, so a re-run is idempotent and a bad line is kept as `failed` and reported.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mldebt.errors import NotFoundError, UserInputError
from mldebt.ingest.common import Delivery
from mldebt.ingest.registry import SOURCE_NAMES
from mldebt.input_files import MAX_REPORT_BYTES, read_input_bytes
from mldebt.service.ingest import BACKFILL, receive
from mldebt.service.linker import Linker
from mldebt.store.database import Store

BATCH = 500


@dataclass
class BackfillResult:
    file: str
    source: str
    records: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "source": self.source, "records": self.records, "statuses": self.statuses,
                "errors": self.errors[:20]}


def read_records(path: Path) -> Iterator[tuple[int, bytes, dict[str, str]]]:
    """(line or index, body bytes, headers) per record; unparseable NDJSON lines come through as raw bytes."""
    if not path.exists():
        raise NotFoundError(f"no such file: {path}")
    raw = read_input_bytes(path, MAX_REPORT_BYTES)
    try:
        document = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        for number, line in enumerate(raw.splitlines(), start=1):
            if line.strip():
                yield (number, *_unwrap_line(line))
        return
    records = document if isinstance(document, list) else [document]
    for index, record in enumerate(records, start=1):
        yield (index, *_unwrap(record))


def _unwrap_line(line: bytes) -> tuple[bytes, dict[str, str]]:
    try:
        return _unwrap(json.loads(line))
    except (json.JSONDecodeError, UnicodeDecodeError):
        return line, {}


def _unwrap(record: Any) -> tuple[bytes, dict[str, str]]:
    if isinstance(record, dict) and set(record) == {"headers", "body"} and isinstance(record["headers"], dict):
        body = record["body"]
        data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        return data, {str(k).lower(): str(v) for k, v in record["headers"].items()}
    return json.dumps(record).encode(), {}


def backfill(store: Store, linker: Linker, source: str, path: Path,
             progress: Callable[[int], None] | None = None) -> BackfillResult:
    if source not in SOURCE_NAMES:
        raise UserInputError(f"--source: {source!r} is not one of {', '.join(SOURCE_NAMES)}")
    result = BackfillResult(str(path), source)
    batch: list[tuple[int, Delivery]] = []

    def flush() -> None:
        outcomes = receive(store, [d for _, d in batch], linker, {}, verification=BACKFILL)
        for (where, _), outcome in zip(batch, outcomes, strict=True):
            result.statuses[outcome.status] = result.statuses.get(outcome.status, 0) + 1
            if outcome.error is not None:
                result.errors.append(f"{path}:{where}: {outcome.error.message}")
        if progress is not None:
            progress(len(batch))
        batch.clear()

    for where, body, headers in read_records(path):
        result.records += 1
        batch.append((where, Delivery(source=source, body=body, headers=headers, backfill=True)))
        if len(batch) >= BATCH:
            flush()
    if batch:
        flush()
    return result

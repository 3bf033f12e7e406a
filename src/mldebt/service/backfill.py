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
from mldebt.ingest.registry import ADAPTERS, SOURCE_NAMES
from mldebt.input_files import MAX_REPORT_BYTES, read_input_bytes
from mldebt.service.ingest import BACKFILL, receive
from mldebt.service.linker import Linker
from mldebt.store.database import Store

BATCH = 500
SNIFF_RECORDS = 5  # records kept to guess the source when none parses


@dataclass
class BackfillResult:
    file: str
    source: str
    records: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    looks_like: list[str] = field(default_factory=list)  # when nothing parsed: sources whose parser reads the records

    @property
    def nothing_parsed(self) -> bool:
        """Every record failed: almost always the wrong `--source` or not a file of payloads at all."""
        return self.records > 0 and self.statuses.get("failed", 0) == self.records

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "source": self.source, "records": self.records, "statuses": self.statuses,
                "errors": self.errors[:20], "looks_like": self.looks_like}


def sniff_sources(samples: list[tuple[bytes, dict[str, str]]], exclude: str | None = None) -> list[str]:
    """The sources whose parser reads every sample record: the registry's adapters are the one list.

    A parser's failure on foreign input may be any exception (that is what the sample is probing),
    so every exception counts as "not this source".
    """
    if not samples:
        return []
    found = []
    for name, module in ADAPTERS.items():
        if name == exclude:
            continue
        try:
            for body, headers in samples:
                module.parse(Delivery(source=name, body=body, headers=headers, backfill=True))
        except Exception:  # a sniff: any failure means "not this source"
            continue
        found.append(name)
    return found


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
    samples: list[tuple[bytes, dict[str, str]]] = []

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
        if len(samples) < SNIFF_RECORDS:
            samples.append((body, headers))
        batch.append((where, Delivery(source=source, body=body, headers=headers, backfill=True)))
        if len(batch) >= BATCH:
            flush()
    if batch:
        flush()
    if result.nothing_parsed:
        result.looks_like = sniff_sources(samples, exclude=source)
    return result

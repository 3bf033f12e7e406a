"""Transaction-scoped locks on domain keys, so concurrent batches cannot lose each other's updates.

An incident or ticket is read, changed in memory and written back within one batch
(`incident_batch`, `TicketBatch`). On PostgreSQL the web server's writer runs more than one batch at
a time (and several servers may share one database), so two batches touching the same incident
would both read its old state and the later write would undo the earlier one. Each batch therefore
takes `pg_advisory_xact_lock` on a 64-bit hash of every key it will read-modify-write, in sorted
order (so two batches cannot deadlock on each other) and before reading them; the locks end with the
transaction. SQLite needs none: it allows one writing transaction per file, and mldebt runs one
writer per SQLite file.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from sqlalchemy import Connection, text

_LOCK = text("SELECT pg_advisory_xact_lock(k) FROM unnest(CAST(:keys AS bigint[])) AS k ORDER BY k")


def lock_key(namespace: str, *parts: str) -> int:
    """A stable signed 64-bit key for (namespace, parts)."""
    digest = hashlib.blake2b("\x1f".join((namespace, *parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def lock_keys(connection: Connection, keys: Iterable[int]) -> None:
    """Hold these keys until the transaction ends (PostgreSQL); a no-op elsewhere."""
    wanted = sorted(set(keys))
    if wanted and connection.dialect.name == "postgresql":
        connection.execute(_LOCK, {"keys": wanted})

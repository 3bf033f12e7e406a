"""API tokens: created with a role, stored as SHA-256, looked up by hash."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from mldebt.store.ingest_tables import ApiTokenRow

TOKEN_PREFIX = "mldt_"


def token_hash(token: str) -> str:
    """Tokens are 256 random bits, so a plain SHA-256 is enough (no password stretching needed)."""
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def create_token(session: Session, role: str, name: str, now: dt.datetime) -> tuple[ApiTokenRow, str]:
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiTokenRow(name=name, role=role, token_hash=token_hash(token), created_at=now, revoked=False)
    session.add(row)
    session.flush()
    return row, token


def find_token(session: Session, token: str) -> ApiTokenRow | None:
    return session.scalar(select(ApiTokenRow).where(ApiTokenRow.token_hash == token_hash(token),
                                                    ApiTokenRow.revoked.is_(False)))


def list_tokens(session: Session) -> list[ApiTokenRow]:
    return list(session.scalars(select(ApiTokenRow).order_by(ApiTokenRow.id)))


def revoke_token(session: Session, token_id: int) -> bool:
    row = session.get(ApiTokenRow, token_id)
    if row is None:
        return False
    row.revoked = True
    return True

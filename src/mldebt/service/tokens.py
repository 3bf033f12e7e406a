"""API tokens: create (the token is returned once, only its hash is stored), list, revoke."""

from __future__ import annotations

import datetime as dt
from typing import Any

from mldebt.domain.roles import ROLES
from mldebt.errors import NotFoundError, UserInputError
from mldebt.store.database import Store
from mldebt.store.tokens import create_token, list_tokens, revoke_token

__all__ = ["ROLES", "create_api_token", "revoke", "token_list"]


def create_api_token(store: Store, role: str, name: str) -> dict[str, Any]:
    if role not in ROLES:
        raise UserInputError(f"--role: {role!r} is not one of {', '.join(ROLES)}")
    with store.session() as session:
        row, token = create_token(session, role, name, dt.datetime.now(dt.UTC))
        return {"id": row.id, "name": row.name, "role": row.role, "token": token}


def token_list(store: Store) -> list[dict[str, Any]]:
    with store.session() as session:
        return [{"id": r.id, "name": r.name, "role": r.role, "created_at": r.created_at.isoformat(),
                 "revoked": r.revoked} for r in list_tokens(session)]


def revoke(store: Store, token_id: int) -> None:
    with store.session() as session:
        if not revoke_token(session, token_id):
            raise NotFoundError(f"no token with id {token_id}")

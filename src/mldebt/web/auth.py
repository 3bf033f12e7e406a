"""API tokens on every `/api/v1` call: `Authorization: Bearer <token>`; roles viewer < editor < admin."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from mldebt.errors import ForbiddenError, UnauthorizedError
from mldebt.store.tokens import find_token
from mldebt.web.context import context

ROLES = ("viewer", "editor", "admin")
bearer = HTTPBearer(auto_error=False, description="An API token from `mldebt token create`.")
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


@dataclass(frozen=True)
class Caller:
    token_id: int
    name: str
    role: str


def require(role: str) -> Callable[..., Caller]:
    """A dependency admitting tokens of `role` or above."""
    needed = ROLES.index(role)

    def dependency(request: Request, credentials: Credentials) -> Caller:
        if credentials is None or not credentials.credentials:
            raise UnauthorizedError("missing API token: send `Authorization: Bearer <token>` "
                                    "(create one with `mldebt token create --role viewer`)")
        with context(request).store.session() as session:
            row = find_token(session, credentials.credentials)
            if row is None:
                raise UnauthorizedError("unknown or revoked API token")
            caller = Caller(row.id, row.name, row.role)
        if ROLES.index(caller.role) < needed:
            raise ForbiddenError(f"a {caller.role} token cannot do this: it needs the {role} role")
        return caller

    return dependency


viewer = require("viewer")
editor = require("editor")
admin = require("admin")

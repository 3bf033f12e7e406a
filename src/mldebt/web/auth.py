"""API tokens on every `/api/v1` call: `Authorization: Bearer <token>`; roles viewer < editor < admin."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from mldebt.domain.roles import ROLE_NAMES, Role
from mldebt.errors import ForbiddenError, UnauthorizedError
from mldebt.store.tokens import find_token
from mldebt.web.context import context

bearer = HTTPBearer(auto_error=False, description="An API token from `mldebt token create`.")
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


@dataclass(frozen=True)
class Caller:
    token_id: int
    name: str
    role: str


def require(needed: Role) -> Callable[..., Caller]:
    """A dependency admitting tokens of role `needed` or above."""

    def dependency(request: Request, credentials: Credentials) -> Caller:
        if credentials is None or not credentials.credentials:
            raise UnauthorizedError("missing API token: send `Authorization: Bearer <token>` "
                                    "(create one with `mldebt token create --role viewer`)")
        with context(request).store.session() as session:
            row = find_token(session, credentials.credentials)
            if row is None:
                raise UnauthorizedError("unknown or revoked API token")
            caller = Caller(row.id, row.name, row.role)
        if caller.role not in ROLE_NAMES or not Role(caller.role).allows(needed):
            raise ForbiddenError(f"a {caller.role} token cannot do this: it needs the {needed} role")
        return caller

    return dependency


viewer = require(Role.VIEWER)
editor = require(Role.EDITOR)
admin = require(Role.ADMIN)

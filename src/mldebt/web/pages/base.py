"""What every dashboard page shares: who is signed in (`page_viewer`, `page_editor`) and `render`.

A page accepts the session cookie of `/login` or `Authorization: Bearer <token>` (scripts), with the
API's roles. A visitor with neither is sent (303) to `/login?next=<this path>`; a wrong role is a 403.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse

from mldebt.domain.roles import ROLE_NAMES, Role
from mldebt.errors import ForbiddenError
from mldebt.report.environment import template_environment
from mldebt.store.ingest_tables import ApiTokenRow
from mldebt.store.tokens import find_token
from mldebt.web.context import context
from mldebt.web.security import check_csrf, local_path
from mldebt.web.session import COOKIE, SessionKeys

NAV: tuple[tuple[str, str], ...] = (
    ("/", "Overview"), ("/inventory", "Inventory"), ("/backlog", "Backlog"), ("/incidents", "Incidents"),
    ("/drift", "Drift"), ("/feedback", "Feedback"), ("/scan", "Scan"), ("/monitors", "Monitors"),
)
"""The header's navigation, in order: a new page adds its path and label here."""


class SignInRequired(Exception):
    """A signed-out visitor asked for a page: answered with a 303 to /login (see `pages.install`)."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


@dataclass(frozen=True)
class PageUser:
    token_id: int
    name: str
    role: str
    csrf: str | None  # None for a Bearer caller: no cookie, so no cross-site forgery to guard against

    def check_form(self, form: dict[str, Any]) -> None:
        if self.csrf is not None:
            check_csrf(form, self.csrf)


def session_keys(request: Request) -> SessionKeys:
    keys: SessionKeys = request.app.state.session_keys
    return keys


def login_url(request: Request) -> str:
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return "/login?next=" + quote(local_path(here), safe="/")


def _signed_in(request: Request) -> PageUser | None:
    store = context(request).store
    authorization = request.headers.get("authorization", "")
    scheme, _, credentials = authorization.partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        with store.session() as session:
            row = find_token(session, credentials.strip())
            return PageUser(row.id, row.name, row.role, None) if row is not None else None
    cookie = request.cookies.get(COOKIE)
    keys = session_keys(request)
    signed = keys.read(cookie, dt.datetime.now(dt.UTC))
    if signed is None or cookie is None:
        return None
    with store.session() as session:
        token = session.get(ApiTokenRow, signed.token_id)
        if token is None or token.revoked:  # a revoked token ends every session it opened
            return None
        return PageUser(token.id, token.name, token.role, keys.csrf_token(cookie))


def require_page(needed: Role) -> Callable[..., PageUser]:
    """A dependency admitting signed-in users of role `needed` or above; others go to /login."""

    def dependency(request: Request) -> PageUser:
        user = _signed_in(request)
        if user is None:
            raise SignInRequired(login_url(request))
        if user.role not in ROLE_NAMES or not Role(user.role).allows(needed):
            raise ForbiddenError(f"a {user.role} cannot do this: it needs the {needed} role")
        return user

    return dependency


page_viewer = require_page(Role.VIEWER)
page_editor = require_page(Role.EDITOR)
AsPageViewer = Annotated[PageUser, Depends(page_viewer)]
AsPageEditor = Annotated[PageUser, Depends(page_editor)]


def render(request: Request, template: str, user: PageUser | None, status_code: int = 200,
           **values: Any) -> HTMLResponse:
    """A page of the dashboard through the one autoescaped environment; never cached (it holds data)."""
    html = template_environment().get_template(template).render(
        nav=NAV, current=request.url.path, user=user, csrf=user.csrf if user else None, **values)
    return HTMLResponse(html, status_code=status_code, headers={"cache-control": "no-store"})

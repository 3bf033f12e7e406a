"""`/login` and `/logout`: an API token pasted into a form becomes a signed session cookie.

The sign-in form is itself guarded against forgery (login CSRF): GET /login sets a random
`mldebt_login_csrf` cookie and puts the same value in the form; POST /login needs both to match.
"""

from __future__ import annotations

import datetime as dt
import secrets

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from mldebt.store.tokens import find_token
from mldebt.web.context import context
from mldebt.web.pages.base import AsPageViewer, render, session_keys
from mldebt.web.security import CSRF_FIELD, check_csrf, local_path, read_form
from mldebt.web.session import COOKIE

router = APIRouter(include_in_schema=False)
LOGIN_CSRF_COOKIE = "mldebt_login_csrf"
LOGIN_CSRF_SECONDS = 3600


def _login_page(request: Request, next_path: str, error: str | None = None, status_code: int = 200) -> Response:
    csrf = secrets.token_urlsafe(32)
    response = render(request, "login.html.j2", None, status_code=status_code, title="Sign in", login_csrf=csrf,
                      csrf_field=CSRF_FIELD, next_path=next_path, error=error)
    response.set_cookie(LOGIN_CSRF_COOKIE, csrf, max_age=LOGIN_CSRF_SECONDS, path="/login", httponly=True,
                        samesite="strict", secure=request.url.scheme == "https")
    return response


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str | None = None) -> Response:
    return _login_page(request, local_path(next))


@router.post("/login")
async def login(request: Request) -> Response:
    form = await read_form(request)
    check_csrf(form, request.cookies.get(LOGIN_CSRF_COOKIE))
    next_path = local_path(form.get("next"))
    token = form.get("token", "").strip()
    with context(request).store.session() as session:
        row = find_token(session, token) if token else None
        token_id = row.id if row is not None else None
    if token_id is None:
        return _login_page(request, next_path, "That token is unknown or revoked.", status_code=401)
    keys = session_keys(request)
    response = RedirectResponse(next_path, status_code=303)
    response.set_cookie(COOKIE, keys.issue(token_id, dt.datetime.now(dt.UTC)),
                        max_age=int(keys.lifetime.total_seconds()), path="/", httponly=True, samesite="lax",
                        secure=request.url.scheme == "https")
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout")
async def logout(request: Request, user: AsPageViewer) -> Response:
    user.check_form(await read_form(request))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax", secure=request.url.scheme == "https")
    return response

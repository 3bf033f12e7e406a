"""Sign-in: a token becomes a signed session cookie; bad, revoked, expired or tampered ones are refused."""

import datetime as dt
import re

from mldebt.service.tokens import create_api_token
from mldebt.store.tokens import revoke_token
from mldebt.web.session import SessionKeys


def login_csrf(client) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)


def sign_in(client, token: str, next_path: str = "/"):
    return client.post("/login", data={"csrf_token": login_csrf(client), "token": token, "next": next_path},
                       follow_redirects=False)


def test_a_good_token_sets_an_httponly_lax_session_cookie_and_redirects(client, store):
    response = sign_in(client, create_api_token(store, "viewer", "ana")["token"], "/backlog?x=1")
    assert response.status_code == 303 and response.headers["location"] == "/backlog?x=1"
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith("mldebt_session="))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie and "Max-Age=43200" in cookie
    assert "Secure" not in cookie  # plain http test client
    assert client.get("/", follow_redirects=False).status_code == 200


def test_a_bad_token_is_refused_with_the_form_again(client):
    response = sign_in(client, "mldt_nope")
    assert response.status_code == 401 and "unknown or revoked" in response.text
    assert "mldebt_session" not in response.headers.get("set-cookie", "")


def test_revoking_the_token_ends_its_session(client, store):
    made = create_api_token(store, "viewer", "ana")
    assert sign_in(client, made["token"]).status_code == 303
    with store.session() as session:
        revoke_token(session, made["id"])
    assert client.get("/", follow_redirects=False).status_code == 303
    assert sign_in(client, made["token"]).status_code == 401


def test_a_login_post_without_csrf_is_refused_in_the_one_error_shape(client, store):
    token = create_api_token(store, "viewer", "ana")["token"]
    response = client.post("/login", data={"token": token}, follow_redirects=False)
    assert response.status_code == 403 and response.json()["error"]["code"] == "forbidden"


def test_expired_and_tampered_cookies_are_ignored():
    keys = SessionKeys(b"k" * 32, dt.timedelta(hours=12))
    now = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    cookie = keys.issue(7, now)
    assert keys.read(cookie, now + dt.timedelta(hours=11)).token_id == 7
    assert keys.read(cookie, now + dt.timedelta(hours=12, seconds=1)) is None
    payload, signature = cookie.split(".")
    forged = SessionKeys(b"x" * 32).issue(1, now)
    assert keys.read(forged, now) is None
    assert keys.read(payload[:-2] + "xx." + signature, now) is None
    assert keys.read("a" * 300, now) is None


def test_logout_needs_the_session_csrf_token_and_removes_the_cookie(client, store):
    sign_in(client, create_api_token(store, "viewer", "ana")["token"])
    assert client.post("/logout", data={"x": "1"}, follow_redirects=False).status_code == 403
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/").text).group(1)
    response = client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login"
    assert client.get("/", follow_redirects=False).status_code == 303

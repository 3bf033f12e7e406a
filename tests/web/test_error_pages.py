"""A browser asking for a page gets its 4xx as an HTML page in the layout; API callers keep the JSON shape."""

import pytest

from tests.web.test_login import sign_in

HTML = {"accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def test_an_unknown_page_is_a_404_html_page_with_the_message_escaped_and_not_cached(client):
    response = client.get("/<script>nope", headers=HTML)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == "no-store"
    assert "<h1>404: Not found</h1>" in response.text and '<p class="error">Not Found</p>' in response.text
    assert "<script>" not in response.text
    assert response.text.count("<h1") == 1 and 'href="#main"' in response.text


def test_an_error_page_escapes_its_message_and_cuts_a_long_one():
    from mldebt.web.errors import MAX_MESSAGE, error_page

    page = error_page(400, "bad value <b>7</b>").body.decode()
    assert '<p class="error">bad value &lt;b&gt;7&lt;/b&gt;</p>' in page
    assert "<title>400 Bad request · mldebt</title>" in page
    long = error_page(422, "x" * 600).body.decode()
    assert "x" * MAX_MESSAGE + "…</p>" in long and "x" * (MAX_MESSAGE + 1) not in long


def test_a_form_post_without_csrf_from_a_browser_is_a_403_html_page_offering_another_sign_in(client, store):
    from mldebt.service.tokens import create_api_token

    sign_in(client, create_api_token(store, "viewer", "ana")["token"])
    response = client.post("/logout", content="next=%2F", headers={
        **HTML, "content-type": "application/x-www-form-urlencoded"})
    assert response.status_code == 403 and response.headers["cache-control"] == "no-store"
    assert "<h1>403: Forbidden</h1>" in response.text and 'href="/login"' in response.text
    assert client.post("/logout", content="next=%2F", headers={
        "content-type": "application/x-www-form-urlencoded"}).json()["error"]["code"] == "forbidden"


@pytest.mark.parametrize(("method", "path", "status", "code"), [
    ("GET", "/api/v1/nope", 404, "not_found"), ("GET", "/static/nope.css", 404, "not_found"),
    ("GET", "/metrics/nope", 404, "not_found"), ("GET", "/healthz/nope", 404, "not_found"),
    ("POST", "/hooks/nope", 404, "not_found"), ("GET", "/api/v1/debt", 401, "unauthorized")])
def test_api_paths_keep_the_json_error_even_for_a_browser(client, method, path, status, code):
    response = client.request(method, path, headers=HTML)
    assert response.status_code == status and response.json()["error"]["code"] == code


def test_a_page_request_that_does_not_accept_html_keeps_the_json_error(client):
    response = client.get("/nope", headers={"accept": "application/json"})
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


def test_a_wrong_method_on_a_page_is_a_405_html_page_that_keeps_its_allow_header(client):
    response = client.get("/logout", headers=HTML)
    assert response.status_code == 405 and response.headers["allow"] == "POST"
    assert "<h1>405: Method not allowed</h1>" in response.text

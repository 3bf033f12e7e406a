"""The OpenAPI document needs a token; no docs page is served, so nothing is loaded from a CDN."""

from __future__ import annotations

import pytest


def test_openapi_document_needs_a_token(client, token):
    anonymous = client.get("/api/v1/openapi.json")
    assert anonymous.status_code == 401
    assert anonymous.json()["error"]["code"] == "unauthorized"
    document = client.get("/api/v1/openapi.json", headers=token("viewer"))
    assert document.status_code == 200
    assert document.json()["info"]["title"] == "mldebt"
    assert {"/api/v1/events", "/hooks/{source}", "/healthz"} <= set(document.json()["paths"])
    assert "/api/v1/openapi.json" not in document.json()["paths"]


@pytest.mark.parametrize("path", ["/api/v1/docs", "/api/v1/redoc", "/docs", "/redoc", "/openapi.json",
                                  "/api/v1/docs/oauth2-redirect"])
def test_no_docs_page_is_served_and_nothing_points_to_a_cdn(client, token, path):
    response = client.get(path, headers=token("admin"))
    assert response.status_code == 404
    assert list(response.json()) == ["error"]
    assert "cdn" not in response.text and "<script" not in response.text


def test_the_docs_path_says_where_the_document_is(client):
    response = client.get("/api/v1/docs")
    assert response.json()["error"]["message"] == (
        "no docs page is served: fetch /api/v1/openapi.json with `Authorization: Bearer <token>` (a viewer token "
        "is enough) and open it in any OpenAPI viewer")

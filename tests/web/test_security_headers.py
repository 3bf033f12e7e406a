"""Every answer carries the security headers: pages, redirects, API errors."""

from mldebt.web.security import CSP, local_path

EXPECTED = {"content-security-policy": CSP, "x-frame-options": "DENY", "referrer-policy": "no-referrer",
            "x-content-type-options": "nosniff"}


def test_pages_redirects_and_api_errors_carry_the_security_headers(client):
    for path in ("/login", "/", "/static/mldebt.css", "/api/v1/kpis", "/no-such-page"):
        headers = client.get(path, follow_redirects=False).headers
        assert {name: headers.get(name) for name in EXPECTED} == EXPECTED, path
    assert "'unsafe-inline'" not in CSP and "frame-ancestors 'none'" in CSP


def test_only_local_paths_are_followed_after_sign_in():
    assert local_path("/backlog?c=a") == "/backlog?c=a"
    for hostile in ("https://evil.example", "//evil.example", "/\\evil.example", "evil", "/a\r\nb", None, ""):
        assert local_path(hostile) == "/"

from mldebt.web.observability import before_send, init_sentry


def test_before_send_strips_bodies_credentials_and_customer_data():
    event = {
        "request": {"url": "http://x/hooks/zendesk", "method": "POST", "data": '{"email": "ann@example.com"}',
                    "cookies": {"s": "1"}, "query_string": "token=abc", "env": {"REMOTE_ADDR": "10.0.0.1"},
                    "headers": {"Authorization": "Bearer secret", "Content-Type": "application/json",
                                "X-Zendesk-Webhook-Signature": "sig"}},
        "user": {"email": "ann@example.com", "ip_address": "10.0.0.1"},
        "extra": {"payload": {"email": "ann@example.com"}},
        "exception": {"values": [{"type": "KeyError", "stacktrace": {"frames": [
            {"function": "parse", "vars": {"body": "b'{\"email\": \"ann@example.com\"}'"}}]}}]},
        "breadcrumbs": {"values": [{"category": "httplib", "data": {"url": "https://api.example.com?email=ann"}}]},
    }
    cleaned = before_send(event, {})
    assert cleaned["request"] == {"url": "http://x/hooks/zendesk", "method": "POST",
                                  "headers": {"Content-Type": "application/json"}}
    assert "user" not in cleaned and "extra" not in cleaned
    assert cleaned["exception"]["values"][0]["stacktrace"]["frames"] == [{"function": "parse"}]
    assert cleaned["breadcrumbs"]["values"] == [{"category": "httplib"}]
    assert "ann@example.com" not in repr(cleaned)


def test_no_dsn_means_no_sentry(monkeypatch):
    monkeypatch.delenv("SENTRY_DSN", raising=False)
    assert init_sentry() is False

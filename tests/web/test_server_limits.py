"""Header and URL limits of a real `mldebt serve`: the server answers 431/414 in the one shape, never a reset."""

from __future__ import annotations

import json
import socket

import pytest

from tests.support.server import ServerProcess


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("limits")
    process = ServerProcess(f"sqlite:///{workdir / 'limits.db'}", workdir).start()
    yield process
    process.stop()


def exchange(server: ServerProcess, head: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send a raw request head and read the whole answer until the server closes (status, headers, body)."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as connection:
        connection.sendall(head)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    status_line, _, rest = answer.partition(b"\r\n")
    header_block, _, body = rest.partition(b"\r\n\r\n")
    headers = dict(line.decode().lower().split(": ", 1) for line in header_block.split(b"\r\n"))
    return int(status_line.split()[1]), headers, body


def refused(code: str, message: str) -> dict[str, object]:
    return {"error": {"code": code, "message": message, "details": []}}


def test_101_headers_get_431_in_the_one_shape(server):
    head = b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + b"".join(b"x-%d: v\r\n" % n for n in range(100)) + b"\r\n"
    status, headers, body = exchange(server, head)
    assert (status, headers["content-type"], headers["connection"]) == (431, "application/json", "close")
    assert json.loads(body) == refused("request_header_fields_too_large", "101 request headers are more than the "
                                       "100 accepted")


def test_one_header_over_16_kib_gets_431_naming_the_size(server):
    status, _, body = exchange(server, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"v" * 20_000 + b"\r\n\r\n")
    assert status == 431
    assert json.loads(body) == refused("request_header_fields_too_large",
                                       "request headers of 20010 bytes are over the 16 KiB limit")  # host 5 + 20,005


def test_ten_megabytes_of_one_header_get_431_before_they_are_all_read(server):
    status, _, body = exchange(server, b"POST /hooks/sentry HTTP/1.1\r\nHost: x\r\nX-Big: " + b"v" * 10_000_000
                               + b"\r\n\r\n")
    assert status == 431
    message = json.loads(body)["error"]["message"]
    assert message.startswith("request headers are over the 16 KiB limit (") and message.endswith(
        " bytes arrived before their end)")
    assert int(message.split("(")[1].split()[0]) < 1_000_000


def test_a_url_over_8_kib_gets_414(server):
    status, _, body = exchange(server, b"GET /healthz?" + b"a" * 10_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    assert (status, json.loads(body)) == (414, refused("uri_too_long",
                                                       "request target of 10009 bytes is over the 8 KiB limit"))


def test_requests_within_the_limits_are_served_on_the_same_server(server):
    head = b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + b"X-Pad: " + b"v" * 8000 + b"\r\n\r\n"
    status, _, body = exchange(server, head)
    assert (status, json.loads(body)["status"]) == (200, "ok")

"""A closing connection is shut at once when nothing is left unread (gunicorn's post_request)."""

from __future__ import annotations

import runpy
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from lti_tool.serving import close_when_read

ROOT = Path(__file__).resolve().parents[2]


class Response:
    def __init__(self, close: bool) -> None:
        self.close = close

    def should_close(self) -> bool:
        return self.close


@pytest.fixture
def pair() -> Iterator[tuple[socket.socket, socket.socket]]:
    """A real loopback TCP connection: (server side, client side)."""
    listener = socket.create_server(("127.0.0.1", 0))
    client = socket.create_connection(listener.getsockname())
    server, _ = listener.accept()
    listener.close()
    server.settimeout(0)  # any recv below that would wait raises instead
    client.settimeout(5)
    yield server, client
    server.close()
    client.close()


def test_a_fully_read_request_is_shut_at_once(pair):
    server, client = pair
    server.sendall(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n")
    assert close_when_read({"gunicorn.socket": server}, Response(close=True))
    # The read side is shut: gunicorn's lingering recv returns at once instead of waiting
    # for the client to close (without the shutdown this recv would have to wait).
    assert server.recv(4096) == b""
    # And the client got the whole response, then the end of the connection.
    received = b""
    while chunk := client.recv(4096):
        received += chunk
    assert received.endswith(b"\r\n\r\n")


def test_without_it_the_worker_would_wait_for_the_client(pair):
    server, _ = pair
    with pytest.raises(BlockingIOError):
        server.recv(4096)


def test_unread_request_data_is_left_to_gunicorns_drain(pair):
    server, client = pair
    client.sendall(b"unread body")
    server.settimeout(5)
    # Wait until the bytes have arrived on the server side (a blocking peek, no timing).
    assert server.recv(1, socket.MSG_PEEK) == b"u"
    server.settimeout(0)
    assert not close_when_read({"gunicorn.socket": server}, Response(close=True))
    assert server.recv(4096) == b"unread body"  # still there, connection still open


def test_a_kept_alive_connection_is_left_open(pair):
    server, client = pair
    assert not close_when_read({"gunicorn.socket": server}, Response(close=False))
    client.sendall(b"next request")
    server.settimeout(5)
    assert server.recv(4096) == b"next request"


def test_no_socket_or_no_response_does_nothing():
    assert not close_when_read({}, Response(close=True))
    assert not close_when_read({"gunicorn.socket": object()}, Response(close=True))
    assert not close_when_read({}, None)


def test_gunicorn_settings_call_it_after_each_request(pair):
    server, _ = pair
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    settings["post_request"](None, None, {"gunicorn.socket": server}, Response(close=True))
    assert server.recv(4096) == b""

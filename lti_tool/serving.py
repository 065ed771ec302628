"""What gunicorn's hooks do for the tool (gunicorn.conf.py calls these).

A sync worker answers one connection at a time and closes it after each response. Recent
gunicorn (27 here) then lingers until the client has closed its side too (``util.close_graceful``,
up to 2 s), so that request data the application did not read cannot make the kernel reset
the connection and truncate the response. While it lingers the worker serves nobody: one round
trip to the client per request. Behind the buffering proxy the deployment requires (README),
the proxy closes at once and nothing is lost; a client talking to gunicorn directly (a proxy
missing, a slow network) would hold a worker for its round trip after every answer it saves.
When nothing unread remains there is nothing to protect: the connection is shut at once and
gunicorn's close returns immediately. On the loopback load test (bench/exam_load.py, three
runs each way on 2026-12-06) the difference was within the machine's own variation.
"""

from __future__ import annotations

import socket
from typing import Any


def close_when_read(environ: dict[str, Any], response: Any) -> bool:
    """Shut a closing connection at once when the client has sent nothing left unread.

    Called after the response is written. Returns True when the connection was shut; False
    when gunicorn's own graceful close must do its work (unread data, keep-alive, TLS socket).
    """
    if response is None or not response.should_close():
        return False
    sock = environ.get("gunicorn.socket")
    if not isinstance(sock, socket.socket):
        return False
    try:
        pending = sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT)
    except BlockingIOError:
        pending = b""  # nothing unread
    except (OSError, ValueError):  # a closed socket; a TLS socket refuses flags
        return False
    if pending:
        return False  # the client sent more than was read: gunicorn drains it before closing
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        return False
    return True

"""What gunicorn's hooks do for the tool (gunicorn.conf.py calls these).

A sync worker answers one connection at a time and closes it after each response. Since
gunicorn 24 it then lingers until the client has closed its side too (``util.close_graceful``,
up to 2 s), so that request data the application did not read cannot make the kernel reset
the connection and truncate the response. While it lingers the worker serves nobody: under the
épreuve's load (300 candidates saving answers, bench/exam_load.py) the save p95 after the
start burst went from 27 ms to 73-87 ms because of it. When nothing unread remains there is
nothing to protect: the connection is shut at once and gunicorn's close returns immediately.
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

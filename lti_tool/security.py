"""Response headers: framing limited to registered platforms, no referrer leak of URL tokens.

Scripts come from the tool's own files only (``script-src 'self'``): no template has an inline
script or event handler attribute, so an injected ``<script>`` or ``onerror=`` never runs. The
JSON data blocks (``<script type="application/json">``) are not executed and need no exception.
"""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import Flask, Response
from sqlalchemy import event, select
from sqlalchemy.orm import Session, object_session

from lti_tool.extensions import db
from lti_tool.models.lti import Registration

#: Origins by database URL, with the monotonic time they were read: every HTML page needs them
#: and they change only when an administrator registers or deactivates a platform.
_origins: dict[str, tuple[float, list[str]]] = {}
#: How long a process reuses them (a platform registered a moment ago is framed at most this
#: long after; the registration pages themselves forget them at once).
ORIGINS_SECONDS = 5.0


def forget_origins() -> None:
    """Read the registrations again on the next page (after a registration changed)."""
    _origins.clear()


def platform_origins() -> list[str]:
    """Origins of the active registrations (issuer and login URL), for ``frame-ancestors``."""
    key = str(db.engine.url)
    moment = time.monotonic()
    cached = _origins.get(key)
    if cached is not None and moment - cached[0] < ORIGINS_SECONDS:
        return cached[1]
    found = _read_origins()
    _origins[key] = (moment, found)
    return found


def _read_origins() -> list[str]:
    origins: set[str] = set()
    rows = db.session.execute(
        select(Registration.issuer, Registration.auth_login_url).where(Registration.active)
    ).all()
    for issuer, login_url in rows:
        for url in (issuer, login_url):
            parts = urlsplit(url or "")
            if parts.scheme in ("http", "https") and parts.netloc:
                origins.add(f"{parts.scheme}://{parts.netloc}")
    return sorted(origins)


def frame_ancestors(extra: list[str] | None = None) -> str:
    """The ``frame-ancestors`` directive value."""
    sources = ["'self'", *platform_origins(), *(extra or [])]
    return " ".join(dict.fromkeys(sources))


#: Scripts only from the tool's origin: no inline script, no ``eval``, no ``javascript:`` URL.
SCRIPT_POLICY = "script-src 'self'"
#: The whole policy of data responses (JSON, files), which are never framed.
DATA_POLICY = f"frame-ancestors 'self'; {SCRIPT_POLICY}; object-src 'none'; base-uri 'self'"

_CHANGED = "bilan.registrations_changed"


def _registration_changed(_mapper: object, _connection: object, target: Registration) -> None:
    forget_origins()
    session = object_session(target)
    if session is not None:
        session.info[_CHANGED] = True


def _after_commit(session: Session) -> None:
    # Forgotten again once the change is visible: a page of another thread that read the
    # registrations between the flush and the commit must not keep that reading for seconds.
    if session.info.pop(_CHANGED, False):
        forget_origins()


for _event in ("after_insert", "after_update", "after_delete"):
    event.listen(Registration, _event, _registration_changed)
event.listen(Session, "after_commit", _after_commit)


def init_app(app: Flask) -> None:
    """Install the security headers and CHIPS cookies."""

    @app.after_request
    def headers(response: Response) -> Response:
        if response.mimetype == "text/html":
            extra = list(app.config.get("FRAME_ANCESTORS_EXTRA", []))
            ancestors = frame_ancestors(extra)
            response.headers["Content-Security-Policy"] = (
                f"frame-ancestors {ancestors}; {SCRIPT_POLICY}; object-src 'none'; base-uri 'self'"
            )
        else:
            # Data (JSON, files) is never framed: no query needed.
            response.headers["Content-Security-Policy"] = DATA_POLICY
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers.pop("X-Frame-Options", None)
        if app.config.get("SESSION_COOKIE_SECURE"):
            cookies = response.headers.getlist("Set-Cookie")
            if cookies:
                del response.headers["Set-Cookie"]
                for cookie in cookies:
                    if "Partitioned" not in cookie and "Secure" in cookie:
                        cookie += "; Partitioned"
                    response.headers.add("Set-Cookie", cookie)
        return response

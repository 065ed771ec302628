"""Launch-scoped sessions: after a launch every URL carries ``/s/<token>/``.

Inside an LMS iframe the tool's cookies are third-party and may be blocked; the token in the
path replaces them. The Flask session (CSRF token, flashed messages) is stored server-side in
the launch's row, so Flask-WTF works without any cookie.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Flask, Response, abort, g, request
from flask.sessions import SecureCookieSessionInterface, SessionMixin
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import joinedload
from werkzeug.datastructures import CallbackDict

from lti_tool.clock import now
from lti_tool.extensions import db
from lti_tool.models.core import ROLE_ADMIN, ROLE_TRAINEE, ROLE_TRAINER, LaunchSession

TOKEN_PATH = re.compile(r"^/s/([A-Za-z0-9_-]{32,128})(?:/|$)")

F = TypeVar("F", bound=Callable[..., Any])


def hash_token(token: str) -> str:
    """Return the stored form of a launch token."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_launch_session(
    *,
    user_id: int,
    context_id: int,
    role: str,
    resource_link_id: int | None = None,
    lti_roles: list[str] | None = None,
    locale: str = "fr",
    message_type: str = "LtiResourceLinkRequest",
    deep_linking: dict[str, Any] | None = None,
    hours: int | None = None,
) -> str:
    """Create a launch session (flushed, not committed) and return its URL token."""
    from flask import current_app

    from lti_tool.lti.store import redis_launch_sessions

    lifetime = hours if hours is not None else current_app.config["LAUNCH_SESSION_HOURS"]
    token, values = new_launch_values(
        user_id=user_id,
        context_id=context_id,
        role=role,
        resource_link_id=resource_link_id,
        lti_roles=lti_roles,
        locale=locale,
        message_type=message_type,
        deep_linking=deep_linking,
        hours=lifetime,
    )
    launch = LaunchSession(**values)
    # Rights never outlive a change of role: the person's other sessions in this course that
    # grant something else end now (same-role sessions, e.g. a second tab, keep working).
    end_launch_sessions(user_id, context_id, keep_role=role)
    in_redis = redis_launch_sessions()
    if in_redis is not None:
        in_redis.save(launch.token_hash, _as_data(launch), timedelta(hours=lifetime))
        return token
    db.session.add(launch)
    db.session.flush()
    return token


def new_launch_values(
    *,
    user_id: int | None,
    context_id: int,
    role: str,
    resource_link_id: int | None,
    lti_roles: list[str] | None,
    locale: str,
    message_type: str,
    deep_linking: dict[str, Any] | None,
    hours: int,
) -> tuple[str, dict[str, Any]]:
    """A new URL token and the columns of its launch session (the lean launch writes them)."""
    token = secrets.token_urlsafe(32)
    started = now()
    return token, {
        "token_hash": hash_token(token),
        "user_id": user_id,
        "context_id": context_id,
        "resource_link_id": resource_link_id,
        "role": role,
        "lti_roles": lti_roles or [],
        "locale": locale,
        "message_type": message_type,
        "deep_linking": deep_linking,
        # Flask-WTF's raw CSRF token, made now rather than by the first form page: that page
        # would otherwise write the launch session back (an UPDATE and a commit per candidate
        # opening the exam). Same form as flask_wtf.csrf.generate_csrf makes.
        "session_data": {"csrf_token": hashlib.sha1(os.urandom(64)).hexdigest()},  # noqa: S324
        "created_at": started,
        "expires_at": started + timedelta(hours=hours),
    }


def end_launch_sessions(user_id: int, context_id: int, *, keep_role: str | None = None) -> int:
    """End the live launch sessions of a person in a course, except those of ``keep_role``.

    Called by every new launch (an earlier trainer token stops working once the person is
    launched as a learner) and by a launch that grants nothing (``keep_role=None``: all end).
    Database rows are kept, expired now (flushed, committed by the caller); Redis keys go.
    """
    from lti_tool.lti.store import redis_launch_sessions

    in_redis = redis_launch_sessions()
    if in_redis is not None:
        return in_redis.end_sessions(user_id, context_id, keep_role=keep_role)
    moment = now()
    statement = update(LaunchSession).where(
        LaunchSession.user_id == user_id,
        LaunchSession.context_id == context_id,
        LaunchSession.expires_at > moment,
    )
    if keep_role is not None:
        statement = statement.where(LaunchSession.role != keep_role)
    result = db.session.execute(
        statement.values(expires_at=moment).execution_options(synchronize_session="fetch")
    )
    return int(getattr(result, "rowcount", 0) or 0)


_FIELDS = (
    "token_hash",
    "user_id",
    "context_id",
    "resource_link_id",
    "role",
    "lti_roles",
    "locale",
    "message_type",
    "deep_linking",
    "session_data",
)


def _as_data(launch: LaunchSession) -> dict[str, Any]:
    data = {name: getattr(launch, name) for name in _FIELDS}
    data["created_at"] = launch.created_at.isoformat()
    data["expires_at"] = launch.expires_at.isoformat()
    return data


class DetachedLaunch:
    """A launch session kept in Redis: the attributes the views read, relations read on demand.

    Reading it costs no SQL; ``user``, ``context`` and ``resource_link`` are fetched by id the
    first time a page uses them (the JSON autosave never does).
    """

    id = None
    token_hash: str
    user_id: int
    context_id: int
    resource_link_id: int | None
    role: str
    lti_roles: list[str]
    locale: str
    message_type: str
    deep_linking: dict[str, Any] | None
    session_data: dict[str, Any]

    def __init__(self, data: dict[str, Any]) -> None:
        from datetime import datetime

        for name in _FIELDS:
            setattr(self, name, data.get(name))
        self.lti_roles = self.lti_roles or []
        self.session_data = self.session_data or {}
        self.created_at = datetime.fromisoformat(data["created_at"])
        self.expires_at = datetime.fromisoformat(data["expires_at"])

    @property
    def is_trainer(self) -> bool:
        """True for trainers and administrators."""
        return self.role in (ROLE_TRAINER, ROLE_ADMIN)

    @property
    def user(self) -> Any:
        from lti_tool.models.core import User

        return db.session.get(User, self.user_id)

    @property
    def context(self) -> Any:
        from lti_tool.models.core import Context

        return db.session.get(Context, self.context_id)

    @property
    def resource_link(self) -> Any:
        from lti_tool.models.core import ResourceLink

        if self.resource_link_id is None:
            return None
        return db.session.get(ResourceLink, self.resource_link_id)


def _from_data(data: dict[str, Any]) -> LaunchSession:
    """A launch session kept in Redis, shaped like the database's for the views."""
    return cast(LaunchSession, DetachedLaunch(data))


def token_from_path(path: str) -> str | None:
    """Return the launch token found at the start of ``path``, if any."""
    match = TOKEN_PATH.match(path)
    return match.group(1) if match else None


#: Built once: every page under /s/<token>/ runs it.
_LOAD = (
    select(LaunchSession)
    .where(LaunchSession.token_hash == bindparam("token_hash"))
    .options(joinedload(LaunchSession.user), joinedload(LaunchSession.resource_link))
)


def load_launch(token: str) -> LaunchSession | None:
    """Return the live launch session of ``token`` or None when unknown or expired."""
    from lti_tool.lti.store import redis_launch_sessions

    in_redis = redis_launch_sessions()
    if in_redis is not None:
        data = in_redis.load(hash_token(token))
        launch = _from_data(data) if data is not None else None
    else:
        # The user (every page names them) and the activity (every view of an activity) in the
        # same round trip.
        launch = db.session.scalar(_LOAD, {"token_hash": hash_token(token)})
    if launch is None or launch.expires_at <= now():
        return None
    return launch


class LaunchBoundSession(CallbackDict[str, Any], SessionMixin):
    """Flask session whose data lives in the launch session row."""

    def __init__(self, initial: dict[str, Any] | None, token: str) -> None:
        def on_update(_: Any) -> None:
            self.modified = True

        data = dict(initial or {})
        data.setdefault("_permanent", True)
        super().__init__(data, on_update)
        self.token = token
        self.modified = False


class LaunchSessionInterface(SecureCookieSessionInterface):
    """Server-side session for ``/s/<token>/`` URLs, signed cookie elsewhere."""

    def open_session(  # type: ignore[override]  # a launch-bound session, not a cookie one
        self, app: Flask, request: Any
    ) -> SessionMixin | None:
        token = token_from_path(request.path)
        if token is None:
            return super().open_session(app, request)
        launch = load_launch(token)
        # Loaded once per request: the URL preprocessor reuses it.
        request.environ["bilan.launch"] = (token, launch)
        return LaunchBoundSession(dict(launch.session_data or {}) if launch else {}, token)

    def save_session(self, app: Flask, session: SessionMixin, response: Any) -> None:
        if isinstance(session, LaunchBoundSession):
            if session.modified:
                from lti_tool.lti.store import redis_launch_sessions

                in_redis = redis_launch_sessions()
                if in_redis is not None:
                    in_redis.update_session_data(hash_token(session.token), dict(session))
                    return
                db.session.execute(
                    update(LaunchSession)
                    .where(LaunchSession.token_hash == hash_token(session.token))
                    .values(session_data=dict(session))
                )
                db.session.commit()
            return
        super().save_session(app, session, response)


def current_launch() -> LaunchSession:
    """Return the launch of the current request (views under ``/s/<lt>/`` only)."""
    launch: LaunchSession | None = g.get("launch")
    if launch is None:
        abort(401)
    return launch


def init_app(app: Flask) -> None:
    """Bind the launch token to URL building and request handling."""
    app.session_interface = LaunchSessionInterface()

    @app.url_value_preprocessor
    def pull_token(endpoint: str | None, values: dict[str, Any] | None) -> None:
        if values and "lt" in values:
            g.lt = values.pop("lt")
            cached = request.environ.get("bilan.launch")
            g.launch = cached[1] if cached and cached[0] == g.lt else load_launch(g.lt)
            if g.launch is None:
                abort(401)
            request.environ["bilan.launch_id"] = g.launch.id

    @app.after_request
    def no_store(response: Response) -> Response:
        # Every page under /s/<token>/ names a person (dossiers, results, the exam itself), and
        # downloads and exports are personal data: no browser or proxy cache keeps them.
        disposition = response.headers.get("Content-Disposition", "")
        if token_from_path(request.path) is not None or disposition.startswith("attachment"):
            response.headers["Cache-Control"] = "no-store"
        return response

    @app.url_defaults
    def push_token(endpoint: str, values: dict[str, Any]) -> None:
        if "lt" in values or not g.get("lt"):
            return
        if app.url_map.is_endpoint_expecting(endpoint, "lt"):
            values["lt"] = g.lt


def role_required(*roles: str) -> Callable[[F], F]:
    """Allow only launches whose role is one of ``roles`` (403 otherwise)."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            launch = current_launch()
            if launch.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def trainer_required(view: F) -> F:
    """Allow trainers and administrators only."""
    return role_required("trainer", "admin")(view)


def launch_required(view: F) -> F:
    """Allow any launched user."""
    return role_required(ROLE_TRAINEE, "trainer", "admin")(view)

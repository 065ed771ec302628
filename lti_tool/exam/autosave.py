"""The autosave's lean path: an accepted answer stored without the full Flask request cycle.

A candidate's page saves every answer as soon as it is chosen: about 46 requests per
candidate, most of the server's work during a session. Through Flask each one loaded the
launch session and the attempt as ORM objects, ran every request hook and cost ~6 ms of CPU.
Here, in front of the Flask app (inside ProxyFix, so the scheme and host are the client's),
``POST /s/<token>/examen/enregistrer`` is served with one locking query (launch session and
attempt together, or the launch from Redis), the same checks as the view (launch expiry,
role, CSRF token and referrer, payload, ``service.judge_save``) and ``service.store_answer``.

Anything else is handed to the Flask view unchanged, which stays the reference: a refused
save (late, stale tab, submitted, bad payload, bad CSRF...) is rolled back here and answered
there, with its translated message and its side effects (a late save submits the attempt).
So every refusal, and its ``final`` marker (the page drops an answer only when it says
``final: true``: views.py ``_refusal``), comes from one place.
"""

from __future__ import annotations

import hmac
import io
import json
import logging
import re
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from flask import Flask
from flask_wtf.csrf import same_origin
from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy import Connection, bindparam, select
from werkzeug.wrappers import Request

from grading.timing import SaveVerdict, TimeRules
from lti_tool.clock import now
from lti_tool.exam import service
from lti_tool.extensions import db
from lti_tool.launch_session import hash_token
from lti_tool.models.core import ROLE_TRAINEE, LaunchSession
from lti_tool.models.exam import ExamAttempt
from lti_tool.models.types import UtcDateTime
from lti_tool.security import DATA_POLICY

log = logging.getLogger("bilan.exam")

SAVE_PATH = re.compile(r"^/s/([A-Za-z0-9_-]{32,128})/examen/enregistrer$")
#: Verified CSRF signatures kept per process (a cohort's pages, each sends its own token).
SIGNATURES_KEPT = 4096
#: A save is a few hundred bytes; anything bigger goes through Flask (and its limits).
MAX_BODY = 8192

#: The headers security.py gives data responses (a test keeps them equal).
JSON_HEADERS = [
    ("Content-Type", "application/json"),
    ("Content-Security-Policy", DATA_POLICY),
    ("Referrer-Policy", "same-origin"),
    ("X-Content-Type-Options", "nosniff"),
    ("Cache-Control", "no-store"),  # lti_tool/launch_session.py: every /s/<token>/ response
]

_attempts = ExamAttempt.__table__
_launches = LaunchSession.__table__
_HEAD = (
    _attempts.c.id,
    _attempts.c.seed,
    _attempts.c.status,
    _attempts.c.page_version,
    _attempts.c.deadline_at,
    _attempts.c.grace_seconds,
    _attempts.c.event_count,
    _attempts.c.last_hash,
)
#: Launch session and latest attempt, the attempt locked: one round trip (database store).
_WITH_LAUNCH = (
    select(
        _launches.c.user_id,
        _launches.c.resource_link_id,
        _launches.c.role,
        _launches.c.expires_at,
        _launches.c.session_data,
        *_HEAD,
    )
    .join_from(
        _launches,
        _attempts,
        (_attempts.c.resource_link_id == _launches.c.resource_link_id)
        & (_attempts.c.user_id == _launches.c.user_id),
    )
    .where(_launches.c.token_hash == bindparam("token_hash"))
    .order_by(_attempts.c.attempt_no.desc())
    .limit(1)
    .with_for_update(of=_attempts)
)
#: The latest attempt, locked (launch sessions in Redis).
_LATEST = (
    select(*_HEAD)
    .where(
        _attempts.c.resource_link_id == bindparam("link"),
        _attempts.c.user_id == bindparam("user"),
    )
    .order_by(_attempts.c.attempt_no.desc())
    .limit(1)
    .with_for_update()
)
_PAPER = select(_attempts.c.paper).where(_attempts.c.id == bindparam("attempt"))


#: Datetimes read by psycopg itself, converted as the models' type converts them.
_UTC = UtcDateTime()


class _Rows:
    """The few result methods the lean path uses, over a psycopg cursor."""

    def __init__(self, cursor: Any) -> None:
        self.cursor = cursor

    def first(self) -> Any:
        return self.cursor.fetchone()

    def scalar_one(self) -> Any:
        row = self.cursor.fetchone()
        if row is None:
            raise LookupError("no row")
        return row[0]


class Raw:
    """A psycopg connection running the lean path's statements (module constants, compiled
    once); datetimes converted to UTC as SQLAlchemy's type does (psycopg decodes JSON itself).
    """

    def __init__(self, connection: Any) -> None:
        self.connection = connection

    def execute(self, statement: Any, parameters: dict[str, Any]) -> _Rows:
        cursor = self.connection.cursor(row_factory=_utc_rows)
        sql, own = service.psycopg_sql(statement)
        cursor.execute(sql, {**own, **parameters})
        return _Rows(cursor)

    def commit(self) -> None:
        self.connection.commit()

    def rollback(self) -> None:
        self.connection.rollback()


def _utc_rows(cursor: Any) -> Callable[[Sequence[Any]], tuple[Any, ...]]:
    def convert(values: Sequence[Any]) -> tuple[Any, ...]:
        return tuple(
            _UTC.process_result_value(v, None) if isinstance(v, datetime) else v for v in values
        )

    return convert


class Refer(Exception):
    """This request is the Flask view's to answer."""


def parse_save(body: bytes) -> tuple[str, list[str], bool, int, int]:
    """The save's fields, validated as the view validates them (Refer when not)."""
    try:
        payload = json.loads(body)
        item_id = payload["item_id"]
        choices = payload.get("choices", [])
        flagged = payload.get("flagged", False)
        page_version = payload["page_version"]
        client_seq = payload["seq"]
        if "offline_ms" in payload:  # after an outage: the view records it (exam/incidents.py)
            raise Refer
    except (ValueError, TypeError, KeyError) as error:
        raise Refer from error
    # Exactly the types the page sends; anything looser is the view's to coerce or refuse.
    if not (
        isinstance(item_id, str)
        and isinstance(choices, list)
        and all(isinstance(c, str) for c in choices)
        and isinstance(flagged, bool)
        and type(page_version) is int
        and type(client_seq) is int
        and 0 <= client_seq < 2**53
        and 0 <= page_version < 2**31
    ):
        raise Refer
    return item_id, choices, flagged, page_version, client_seq


class Autosave:
    """WSGI middleware serving accepted autosaves; every other request goes to ``wsgi_app``."""

    def __init__(self, app: Flask, wsgi_app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app
        self.wsgi_app = wsgi_app
        self._serializer: URLSafeTimedSerializer | None = None
        #: Signed CSRF tokens whose signature verified: signed string -> (token, timestamp).
        self._signatures: dict[str, tuple[Any, int]] = {}

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        match = (
            SAVE_PATH.match(environ.get("PATH_INFO", ""))
            if environ.get("REQUEST_METHOD") == "POST"
            else None
        )
        if match is None:
            return self.wsgi_app(environ, start_response)
        try:
            length = int(environ.get("CONTENT_LENGTH") or -1)
        except ValueError:
            length = -1
        mimetype = str(environ.get("CONTENT_TYPE", "")).split(";")[0].strip().lower()
        if not 0 < length <= MAX_BODY or mimetype != "application/json":
            return self.wsgi_app(environ, start_response)
        body = environ["wsgi.input"].read(length)
        environ["wsgi.input"] = io.BytesIO(body)  # the view reads it again when it answers
        try:
            with self.app.app_context():
                answer = self._save(match.group(1), body, environ)
        except Refer:
            return self.wsgi_app(environ, start_response)
        except Exception:  # the view will meet the same fault and answer it; keep a trace
            log.exception("autosave_lean_path_failed")
            return self.wsgi_app(environ, start_response)
        payload = (json.dumps(answer, sort_keys=True, separators=(",", ":")) + "\n").encode()
        start_response("200 OK", [*JSON_HEADERS, ("Content-Length", str(len(payload)))])
        return [payload]

    def _save(self, token: str, body: bytes, environ: dict[str, Any]) -> dict[str, Any]:
        save = parse_save(body)
        engine = db.engine
        if engine.dialect.name != "postgresql":
            with engine.connect() as connection:
                return self._store(connection, None, token, save, environ)
        # On PostgreSQL the statements go to psycopg itself (SQLAlchemy's execution machinery
        # was a fifth of a save's CPU), on a connection taken from the pool without
        # SQLAlchemy's Connection around it (its checkout and close were a tenth of a save);
        # the pool still resets it (rollback) when it is given back.
        pooled = engine.raw_connection()
        try:
            return self._store(None, Raw(pooled.driver_connection), token, save, environ)
        finally:
            pooled.close()

    def _store(
        self,
        connection: Connection | None,
        raw: Raw | None,
        token: str,
        save: tuple[str, list[str], bool, int, int],
        environ: dict[str, Any],
    ) -> dict[str, Any]:
        """The save on one connection: SQLAlchemy's, or psycopg's own (``raw``)."""
        item_id, choices, flagged, page_version, client_seq = save
        moment = now()
        run: Any = raw if raw is not None else connection
        try:
            head = self._lock(run, token, environ, moment)
            paper = service.paper_index(
                head.id,
                head.seed,
                lambda: run.execute(_PAPER, {"attempt": head.id}).scalar_one(),
            )
            try:
                picked, verdict = service.judge_save(
                    head,
                    paper,
                    item_id=item_id,
                    choices=choices,
                    page_version=page_version,
                    now=moment,
                )
            except service.ExamError as error:
                raise Refer from error
            if verdict is not SaveVerdict.ACCEPTED:
                # In flight at the deadline: the view stores it and logs it as late.
                raise Refer
            chained = service.store_answer(
                raw.connection if raw is not None else connection,
                head,
                item_id=item_id,
                picked=picked,
                flagged=flagged,
                page_version=page_version,
                client_seq=client_seq,
                now=moment,
            )
            run.commit()
        except BaseException:
            run.rollback()
            raise
        rules = TimeRules(head.deadline_at, head.grace_seconds)
        return {
            "ok": True,
            "stored": chained is not None,
            "remaining_seconds": rules.remaining_seconds(moment),
            "deadline": head.deadline_at.isoformat(),
            "in_grace": False,
        }

    def _lock(
        self, connection: Connection | Raw, token: str, environ: dict[str, Any], moment: datetime
    ) -> service.AttemptHead:
        """Authenticate the launch and check its CSRF token; return the attempt, locked."""
        from lti_tool.lti.store import redis_launch_sessions

        token_hash = hash_token(token)
        in_redis = redis_launch_sessions()
        if in_redis is not None:
            data = in_redis.load(token_hash)
            if data is None or data.get("resource_link_id") is None:
                raise Refer
            launch = (
                data["user_id"],
                data["resource_link_id"],
                data["role"],
                datetime.fromisoformat(data["expires_at"]),
                data.get("session_data") or {},
            )
            row: Any = connection.execute(_LATEST, {"link": launch[1], "user": launch[0]}).first()
            if row is None:
                raise Refer
            head = service.AttemptHead(*row)
        else:
            row = connection.execute(_WITH_LAUNCH, {"token_hash": token_hash}).first()
            if row is None:
                raise Refer
            launch = tuple(row[:5])
            head = service.AttemptHead(*row[5:])
        _, _, role, expires_at, session_data = launch
        # The view's own checks: a live launch (401), a candidate (403), a valid CSRF token.
        if expires_at <= moment or role != ROLE_TRAINEE:
            raise Refer
        self._check_csrf(environ, session_data)
        return head

    def _check_csrf(self, environ: dict[str, Any], session_data: dict[str, Any]) -> None:
        """Flask-WTF's check (token header, session token, referrer over HTTPS), or Refer."""
        config = self.app.config
        if not config.get("WTF_CSRF_ENABLED", True) or not config.get(
            "WTF_CSRF_CHECK_DEFAULT", True
        ):
            return
        if "POST" not in config.get("WTF_CSRF_METHODS", ["POST"]):
            return
        field = config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
        signed = None
        for header in config.get("WTF_CSRF_HEADERS", ["X-CSRFToken", "X-CSRF-Token"]):
            signed = environ.get("HTTP_" + header.upper().replace("-", "_"))
            if signed:
                break
        expected = session_data.get(field)
        if not signed or not isinstance(expected, str):
            raise Refer
        if self._serializer is None:
            secret = config.get("WTF_CSRF_SECRET_KEY") or self.app.secret_key
            if not isinstance(secret, str | bytes):
                raise Refer  # no secret: the view will report the misconfiguration
            self._serializer = URLSafeTimedSerializer(secret, salt="wtf-csrf-token")
        token = self._verified(signed, config.get("WTF_CSRF_TIME_LIMIT", 3600))
        if not isinstance(token, str) or not hmac.compare_digest(token, expected):
            raise Refer
        secure = environ.get("wsgi.url_scheme") in ("https", "wss")  # werkzeug's is_secure
        if secure and config.get("WTF_CSRF_SSL_STRICT", True):
            request = Request(environ)
            referrer = request.referrer
            if not referrer or not same_origin(referrer, f"https://{request.host}/"):
                raise Refer

    def _verified(self, signed: str, max_age: int | None) -> Any:
        """The token inside a signed CSRF token, as ``URLSafeTimedSerializer.loads(signed,
        max_age)`` returns it (Refer when it would raise).

        A page sends the same signed token with each of its ~46 saves: its signature is checked
        once per process (the key derivation, HMAC and decoding were a sixth of a save's CPU)
        and remembered with its timestamp; its age is checked on every save, as ``loads`` does.
        Only a signature that verified is remembered, under the exact string that carried it.
        """
        known = self._signatures.get(signed)
        if known is None:
            assert self._serializer is not None
            try:
                token, signed_at = self._serializer.loads(
                    signed, max_age=max_age, return_timestamp=True
                )
            except BadData as error:
                raise Refer from error
            known = (token, int(signed_at.timestamp()))
            if len(self._signatures) >= SIGNATURES_KEPT:
                self._signatures.clear()
            self._signatures[signed] = known
        token, stamp = known
        if max_age is not None:
            # itsdangerous's TimestampSigner: expired past max_age, refused when from the future.
            age = int(time.time()) - stamp
            if age > max_age or age < 0:
                raise Refer
        return token


def install(app: Flask) -> None:
    """Put the lean autosave in front of the app's WSGI callable (before ProxyFix wraps it)."""
    app.wsgi_app = Autosave(app, app.wsgi_app)  # type: ignore[method-assign]

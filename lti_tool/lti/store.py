"""Where OIDC logins in progress and consumed nonces live: the database, or Redis when configured.

Both are seen by every gunicorn worker and every machine. The database is the default (nothing
more to run); with ``BILAN_REDIS_URL`` the short-lived, high-churn records go to Redis, each key
with its own expiry (no sweep needed), the nonce consumed with an atomic ``SET NX`` and a state
taken with ``GETDEL``, so two concurrent requests can never both use one.

Expiry is also checked against the tool's clock (injected in tests), so behaviour does not depend
on which store holds the record.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from lti_tool.extensions import db
from lti_tool.lti import lean
from lti_tool.models.lti import OidcState, UsedNonce


@dataclass(frozen=True)
class LoginState:
    """An OIDC login in progress, bound to the browser that started it."""

    state: str
    nonce: str
    registration_id: int
    target_link_uri: str
    #: Hash of the browser-binding secret (cookie or postMessage storage); never the secret.
    browser_binding: str
    login_params: dict[str, Any]
    created_at: datetime
    expires_at: datetime


class LaunchStore(Protocol):
    """What the login and launch endpoints need from a store."""

    def save_state(self, record: LoginState) -> None:
        """Keep a login in progress until its expiry."""

    def peek_state(self, state: str, now: datetime) -> LoginState | None:
        """The live login of ``state``, left in place (the launch may need a second round)."""

    def take_state(self, state: str, now: datetime) -> bool:
        """Remove the login of ``state``; True for the one caller that removed it."""

    def consume_nonce(self, issuer: str, nonce: str, now: datetime, expires_at: datetime) -> bool:
        """Record a nonce until ``expires_at``; True the first time only."""


_STATE_FIELDS = (
    "state",
    "nonce",
    "registration_id",
    "target_link_uri",
    "browser_binding",
    "login_params",
    "created_at",
    "expires_at",
)
_INSERT_STATE = (
    "INSERT INTO lti_oidc_state (state, nonce, registration_id, target_link_uri,"
    " browser_binding, login_params, created_at, expires_at) VALUES (%(state)s, %(nonce)s,"
    " %(registration_id)s, %(target_link_uri)s, %(browser_binding)s, %(login_params)s,"
    " %(created_at)s, %(expires_at)s)"
)
_PEEK_STATE = (
    "SELECT state, nonce, registration_id, target_link_uri, browser_binding, login_params,"
    " created_at, expires_at FROM lti_oidc_state WHERE state = %(state)s"
)
_CONSUME_NONCE = (
    "INSERT INTO lti_used_nonce (issuer, nonce, expires_at)"
    " VALUES (%(issuer)s, %(nonce)s, %(expires_at)s)"
    " ON CONFLICT (issuer, nonce) DO NOTHING RETURNING id"
)


class DatabaseStore:
    """The default: rows in ``lti_oidc_state`` and ``lti_used_nonce`` (unique constraint).

    On PostgreSQL each method is one plain statement on psycopg (lti_tool/lti/lean.py).
    """

    def save_state(self, record: LoginState) -> None:
        raw = lean.connection()
        if raw is not None:
            values = asdict(record)
            values["login_params"] = lean.jsonb(values["login_params"])
            raw.execute(_INSERT_STATE, values)
        else:
            db.session.add(OidcState(**asdict(record)))
        db.session.commit()

    def peek_state(self, state: str, now: datetime) -> LoginState | None:
        raw = lean.connection()
        if raw is not None:
            found = lean.one(raw, _PEEK_STATE, {"state": state})
            if found is None or found[-1] < now:
                return None
            values = dict(zip(_STATE_FIELDS, found, strict=True))
            values["login_params"] = dict(values["login_params"] or {})
            return LoginState(**values)
        row = db.session.scalar(select(OidcState).where(OidcState.state == state))
        if row is None or row.expires_at < now:
            return None
        return LoginState(
            state=row.state,
            nonce=row.nonce,
            registration_id=row.registration_id,
            target_link_uri=row.target_link_uri,
            browser_binding=row.browser_binding,
            login_params=dict(row.login_params or {}),
            created_at=row.created_at,
            expires_at=row.expires_at,
        )

    def take_state(self, state: str, now: datetime) -> bool:
        raw = lean.connection()
        if raw is not None:
            return (
                lean.count(raw, "DELETE FROM lti_oidc_state WHERE state = %(s)s", {"s": state}) > 0
            )
        result = db.session.execute(delete(OidcState).where(OidcState.state == state))
        return bool(getattr(result, "rowcount", 0))

    def consume_nonce(self, issuer: str, nonce: str, now: datetime, expires_at: datetime) -> bool:
        raw = lean.connection()
        if raw is not None:
            # The unique constraint decides: a second insert of the nonce returns no row.
            values = {"issuer": issuer, "nonce": nonce, "expires_at": expires_at}
            return lean.one(raw, _CONSUME_NONCE, values) is not None
        dialect = db.session.get_bind().dialect.name
        if dialect in ("postgresql", "sqlite"):
            # One round trip (the savepoint, insert and release were three, on every launch):
            # the unique constraint still decides, a second insert of the nonce returns no row.
            insert = pg_insert if dialect == "postgresql" else sqlite_insert
            inserted = db.session.execute(
                insert(UsedNonce)
                .values(issuer=issuer, nonce=nonce, expires_at=expires_at)
                .on_conflict_do_nothing(index_elements=["issuer", "nonce"])
                .returning(UsedNonce.id)
            ).first()
            return inserted is not None
        savepoint = db.session.begin_nested()
        try:
            db.session.add(UsedNonce(issuer=issuer, nonce=nonce, expires_at=expires_at))
            db.session.flush()
        except IntegrityError:
            savepoint.rollback()
            return False
        savepoint.commit()
        return True


class RedisStore:
    """Keys ``<prefix>state:<state>`` (JSON) and ``<prefix>nonce:<sha256>``, each with a TTL."""

    def __init__(self, client: Any, prefix: str = "bilan:lti:") -> None:
        self.client = client
        self.prefix = prefix

    def _ttl_ms(self, expires_at: datetime, created_at: datetime) -> int:
        return max(1000, int((expires_at - created_at).total_seconds() * 1000))

    def save_state(self, record: LoginState) -> None:
        payload = asdict(record)
        payload["created_at"] = record.created_at.isoformat()
        payload["expires_at"] = record.expires_at.isoformat()
        self.client.set(
            self.prefix + "state:" + record.state,
            json.dumps(payload),
            px=self._ttl_ms(record.expires_at, record.created_at),
        )

    def peek_state(self, state: str, now: datetime) -> LoginState | None:
        raw = self.client.get(self.prefix + "state:" + state)
        if raw is None:
            return None
        data = json.loads(raw)
        data["created_at"] = datetime.fromisoformat(data["created_at"])
        data["expires_at"] = datetime.fromisoformat(data["expires_at"])
        record = LoginState(**data)
        return None if record.expires_at < now else record

    def take_state(self, state: str, now: datetime) -> bool:
        return self.client.getdel(self.prefix + "state:" + state) is not None

    def consume_nonce(self, issuer: str, nonce: str, now: datetime, expires_at: datetime) -> bool:
        digest = hashlib.sha256(f"{issuer}\n{nonce}".encode()).hexdigest()
        # Kept a little past the token's own validity, whatever the clocks say.
        ttl = self._ttl_ms(expires_at, now) + 60_000
        return bool(self.client.set(self.prefix + "nonce:" + digest, "1", nx=True, px=ttl))


class RedisLaunchSessions:
    """Launch sessions (what a launch grants, its CSRF data) as JSON under ``<prefix>launch:``."""

    def __init__(self, client: Any, prefix: str) -> None:
        self.client = client
        self.prefix = prefix + "launch:"

    def save(self, token_hash: str, data: dict[str, Any], ttl: timedelta) -> None:
        """Store a new launch session for ``ttl``, listed under its person and course."""
        ttl_ms = max(1000, int(ttl.total_seconds() * 1000))
        index = self._index(data["user_id"], data["context_id"])
        pipe = self.client.pipeline()
        pipe.set(self.prefix + token_hash, json.dumps(data), px=ttl_ms)
        pipe.hset(index, token_hash, str(data["role"]))
        pipe.pttl(index)
        if pipe.execute()[-1] < ttl_ms:  # the list lives as long as its longest session
            self.client.pexpire(index, ttl_ms)

    def _index(self, user_id: int, context_id: int) -> str:
        """The hash of a person's sessions in a course: token hash -> role."""
        return f"{self.prefix}of:{user_id}:{context_id}"

    def end_sessions(self, user_id: int, context_id: int, *, keep_role: str | None) -> int:
        """Delete the person's sessions in the course, except those of ``keep_role``."""
        index = self._index(user_id, context_id)
        ended = [
            key.decode() if isinstance(key, bytes) else str(key)
            for key, role in self.client.hgetall(index).items()
            if keep_role is None
            or (role.decode() if isinstance(role, bytes) else role) != keep_role
        ]
        if not ended:
            return 0
        pipe = self.client.pipeline()
        pipe.delete(*(self.prefix + token_hash for token_hash in ended))
        pipe.hdel(index, *ended)
        deleted = pipe.execute()[0]
        return int(deleted)

    def load(self, token_hash: str) -> dict[str, Any] | None:
        """The launch session's data, or None once expired or unknown."""
        raw = self.client.get(self.prefix + token_hash)
        return None if raw is None else dict(json.loads(raw))

    def update_session_data(self, token_hash: str, session_data: dict[str, Any]) -> None:
        """Replace the Flask session data, keeping the expiry (nothing when already expired)."""
        key = self.prefix + token_hash
        raw = self.client.get(key)
        if raw is None:
            return
        data = json.loads(raw)
        data["session_data"] = session_data
        self.client.set(key, json.dumps(data), xx=True, keepttl=True)


def redis_launch_sessions() -> RedisLaunchSessions | None:
    """Launch sessions in Redis when it is configured; None means the database."""
    store = launch_store()
    if isinstance(store, RedisStore):
        return RedisLaunchSessions(store.client, store.prefix)
    return None


def launch_store() -> LaunchStore:
    """The configured store (Redis client created once per process and shared by threads)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    store: LaunchStore | None = app.extensions.get("bilan_launch_store")
    if store is None:
        url = app.config.get("REDIS_URL")
        if url:
            import redis

            store = RedisStore(
                redis.Redis.from_url(url), app.config.get("REDIS_PREFIX", "bilan:lti:")
            )
        else:
            store = DatabaseStore()
        app.extensions["bilan_launch_store"] = store
    return store


__all__ = [
    "DatabaseStore",
    "LaunchStore",
    "LoginState",
    "RedisLaunchSessions",
    "RedisStore",
    "launch_store",
    "redis_launch_sessions",
]

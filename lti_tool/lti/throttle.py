"""Requests counted per client address on unauthenticated endpoints (the OIDC login).

The count lives where every gunicorn worker and machine sees it: a row per address and minute
in ``lti_rate_counter`` (purged by the worker), or a Redis key with its own expiry when Redis is
configured. Never process memory: several processes share the traffic.

The address is ``request.remote_addr``: the peer, or the client named by ``X-Forwarded-For``
only when ``BILAN_TRUST_PROXY`` says a proxy is trusted (ProxyFix, see ``create_app``). An IPv6
client is counted by its /64 network, which one subscriber usually holds whole.
"""

from __future__ import annotations

import ipaddress
from datetime import UTC, datetime, timedelta

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from lti_tool.extensions import db
from lti_tool.models.lti import RateCounter

WINDOW = timedelta(minutes=1)


def client_key(address: str | None) -> str:
    """The counted form of a client address (an IPv6 address by its /64)."""
    if not address:
        return "inconnue"
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def _window_start(now: datetime) -> datetime:
    seconds = int(WINDOW.total_seconds())
    stamp = int(now.timestamp())
    return datetime.fromtimestamp(stamp - stamp % seconds, tz=UTC)


def allow(bucket: str, address: str | None, limit: int, now: datetime) -> bool:
    """Count one request of ``address`` in ``bucket``; False once over ``limit`` this minute.

    A ``limit`` of 0 disables the count. The database count is flushed, not committed: the
    caller commits it with the rest of the request (a refusal too).
    """
    if limit <= 0:
        return True
    start = _window_start(now)
    key = f"{bucket}:{client_key(address)}:{int(start.timestamp())}"
    from lti_tool.lti.store import RedisStore, launch_store

    store = launch_store()
    if isinstance(store, RedisStore):
        redis_key = store.prefix + "rate:" + key
        pipe = store.client.pipeline()
        pipe.incr(redis_key)
        pipe.pexpire(redis_key, int((WINDOW * 2).total_seconds() * 1000))
        count, _ = pipe.execute()
        return int(count) <= limit
    return _count_in_database(key, start + WINDOW) <= limit


_UPSERT = (
    "INSERT INTO lti_rate_counter (key, count, expires_at) VALUES (%(key)s, 1, %(expires_at)s)"
    " ON CONFLICT (key) DO UPDATE SET count = lti_rate_counter.count + 1 RETURNING count"
)


def _count_in_database(key: str, expires_at: datetime) -> int:
    from lti_tool.lti import lean

    raw = lean.connection()
    if raw is not None:
        # One statement (the update, then an insert in a savepoint, were up to four).
        found = lean.one(raw, _UPSERT, {"key": key, "expires_at": expires_at})
        return int(found[0]) if found else 1
    increment = (
        update(RateCounter)
        .where(RateCounter.key == key)
        .values(count=RateCounter.count + 1)
        .returning(RateCounter.count)
        .execution_options(synchronize_session=False)
    )
    count = db.session.scalar(increment)
    if count is not None:
        return int(count)
    savepoint = db.session.begin_nested()
    try:
        db.session.add(RateCounter(key=key, count=1, expires_at=expires_at))
        db.session.flush()
    except IntegrityError:
        # Another request of the same address created the row at the same moment.
        savepoint.rollback()
        return int(db.session.scalar(increment) or 1)
    savepoint.commit()
    return 1


__all__ = ["WINDOW", "allow", "client_key"]

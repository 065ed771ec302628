"""The worker's purge of what LTI traffic leaves behind once expired.

Login states (written by any unauthenticated ``/lti/login``), rate counters (one per client
address and minute), consumed nonces and launch sessions: each row carries its expiry and is
deleted after it. With Redis the same records expire by themselves; the database tables are
purged all the same (they may hold rows from before Redis was configured).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete

from lti_tool.extensions import db
from lti_tool.models.core import LaunchSession
from lti_tool.models.lti import OidcState, RateCounter, UsedNonce
from lti_tool.worker import TASKS

#: Launch sessions are kept this long after their expiry (a page opened just before still
#: answers « session expirée » rather than an unknown token); nothing else refers to them.
LAUNCH_SESSION_KEEP = timedelta(days=1)


def purge_expired(now: datetime) -> dict[str, int]:
    """Delete the expired rows of each table (flush only); return the counts by table."""
    deleted: dict[str, int] = {}
    for model, limit in (
        (OidcState, now),
        (RateCounter, now),
        (UsedNonce, now),
        (LaunchSession, now - LAUNCH_SESSION_KEEP),
    ):
        result = db.session.execute(
            delete(model)
            .where(model.expires_at < limit)
            .execution_options(synchronize_session=False)
        )
        deleted[model.__tablename__] = int(getattr(result, "rowcount", 0) or 0)
    return deleted


def _task(now: datetime) -> str:
    counts = purge_expired(now)
    return ", ".join(f"{table}={count}" for table, count in counts.items())


TASKS.append(("lti-purge", _task, 300.0))

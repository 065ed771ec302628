"""The certification's hash-chained log: one chain per session, one for the certifiers' register.

Each entry's payload names the actor, the time, the action, the subject and the state before
and after; its hash covers the previous entry's hash (grading.event_chain), so an edited,
removed or reordered entry is found by ``verify_chain``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from grading.event_chain import GENESIS, ChainEntry, chain_hash, verify
from lti_tool.certification.models import CertEvent, CertSession
from lti_tool.extensions import db


def add_recorded(
    row: Any,
    session: CertSession | None,
    *,
    actor_id: int | None,
    action: str,
    now: datetime,
    subject: dict[str, Any] | Callable[[], dict[str, Any]] | None = None,
    before: Any = None,
    after: Any = None,
) -> CertEvent:
    """Add a new row and log its creation: the one add-flush-record every service does.

    ``subject`` may be a function, called after the flush, when it names the new row's id.
    """
    db.session.add(row)
    db.session.flush()
    return record(
        session,
        actor_id=actor_id,
        action=action,
        now=now,
        subject=subject() if callable(subject) else subject,
        before=before,
        after=after,
    )


def record(
    session: CertSession | None,
    *,
    actor_id: int | None,
    action: str,
    now: datetime,
    subject: dict[str, Any] | None = None,
    before: Any = None,
    after: Any = None,
) -> CertEvent:
    """Append an entry to the session's chain (or the register's when ``session`` is None)."""
    if session is not None:
        # The session row is the chain's head: lock it so two writers never share a number
        # (pending changes are flushed first: the refresh would otherwise discard them).
        db.session.flush()
        db.session.refresh(session, with_for_update=True)
        seq, previous = session.event_count + 1, session.last_hash
    else:
        last = db.session.scalar(
            select(CertEvent)
            .where(CertEvent.session_id.is_(None))
            .order_by(CertEvent.seq.desc())
            .limit(1)
            .with_for_update()
        )
        seq, previous = (last.seq + 1, last.hash) if last else (1, GENESIS)
    payload = {
        "action": action,
        "actor_id": actor_id,
        "at": now.isoformat(),
        "subject": subject or {},
        "before": before,
        "after": after,
    }
    digest = chain_hash(previous, seq, payload)
    event = CertEvent(
        session_id=session.id if session is not None else None,
        seq=seq,
        actor_id=actor_id,
        action=action,
        payload=payload,
        at=now,
        previous_hash=previous,
        hash=digest,
    )
    db.session.add(event)
    if session is not None:
        session.event_count, session.last_hash = seq, digest
    db.session.flush()
    return event


def events(session_id: int | None) -> list[CertEvent]:
    """The chain's entries in order."""
    where = (
        CertEvent.session_id.is_(None) if session_id is None else CertEvent.session_id == session_id
    )
    return list(db.session.scalars(select(CertEvent).where(where).order_by(CertEvent.seq)))


def verify_chain(session_id: int | None) -> list[str]:
    """Problems found in a chain (empty when intact), including a head that does not match."""
    entries = events(session_id)
    problems = verify(
        ChainEntry(seq=e.seq, payload=e.payload, previous_hash=e.previous_hash, hash=e.hash)
        for e in entries
    )
    if session_id is not None:
        session = db.session.get(CertSession, session_id)
        head = entries[-1].hash if entries else GENESIS
        if session is not None and (
            session.last_hash != head or session.event_count != len(entries)
        ):
            problems.append("tête de chaîne : dernière entrée supprimée ou remplacée")
    return problems


def count(session_id: int) -> int:
    """Number of entries of a session's chain."""
    return int(
        db.session.scalar(
            select(func.count(CertEvent.id)).where(CertEvent.session_id == session_id)
        )
        or 0
    )

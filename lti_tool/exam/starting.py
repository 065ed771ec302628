"""Starting (or resuming) an attempt and opening its page.

Services flush, never commit; the view commits once. The time is always passed in.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import make_transient_to_detached

from grading.event_chain import GENESIS, chain_hash
from grading.exam import draw_paper
from grading.timing import bounded_grace, deadline
from lti_tool.exam.attempts import (
    Bank,
    ExamError,
    append_event,
    attempts_allowed,
    extra_time_for,
    latest_attempt,
)
from lti_tool.exam.session import ensure_may_start
from lti_tool.extensions import db
from lti_tool.models.core import ResourceLink
from lti_tool.models.exam import STATUS_IN_PROGRESS, ExamAttempt, ExamEvent


def start_or_resume(
    *, link: ResourceLink, user_id: int, bank: Bank, grace_seconds: int, now: datetime
) -> ExamAttempt:
    """Return the running attempt, or start the next allowed one; never a second by accident."""
    current = latest_attempt(link.id, user_id)
    if current is not None and current.status == STATUS_IN_PROGRESS:
        return current
    number = (current.attempt_no + 1) if current else 1
    # The first attempt is always allowed: the resets are only counted for a later one.
    if number > 1 and number > attempts_allowed(link.id, user_id):
        raise ExamError(
            "already_taken",
            _l("Vous avez déjà passé cette épreuve : une seule tentative est autorisée."),
            409,
        )
    ensure_may_start(link.id, user_id)
    seed = secrets.token_hex(16)
    paper = draw_paper(bank.items, bank.cases, bank.rules, seed)
    extra = extra_time_for(link.context_id, user_id)
    ends = deadline(now, bank.duration_minutes, extra)
    # The first entry of the chain is known before the row exists (it does not name the row's
    # id): the attempt is inserted with it as its head, then the entry itself.
    first = {
        "kind": "start",
        "at": now.isoformat(),
        "seed": seed,
        "content_version": bank.version,
        "items": [p.item_id for p in paper],
        "deadline": ends.isoformat(),
        "extra_time_percent": extra,
    }
    digest = chain_hash(GENESIS, 1, first)
    values: dict[str, Any] = {
        "context_id": link.context_id,
        "resource_link_id": link.id,
        "user_id": user_id,
        "attempt_no": number,
        "status": STATUS_IN_PROGRESS,
        "seed": seed,
        "content_version": bank.version,
        "paper": [p.to_json() for p in paper],
        "duration_minutes": bank.duration_minutes,
        "extra_time_percent": extra,
        "grace_seconds": bounded_grace(grace_seconds),
        "started_at": now,
        "deadline_at": ends,
        "finished_at": None,
        "submit_reason": None,
        "page_version": 0,
        "score_points": None,
        "score_maximum": None,
        "per_competency": None,
        "passed": None,
        # The paper's standard is fixed with the paper: a later rating session changes neither.
        "cut_score": bank.cut_score(paper).to_json(),
        "event_count": 1,
        "last_hash": digest,
    }
    new_id = db.session.execute(_insert_attempt(values)).scalar()
    if new_id is None:
        # Two tabs started at once: the other one won (the unique constraint); resume its attempt.
        existing = latest_attempt(link.id, user_id)
        if existing is None:  # pragma: no cover - the conflicting row cannot vanish
            raise ExamError("unknown", _l("Tentative introuvable."), 404)
        return existing
    db.session.add(
        ExamEvent(
            attempt_id=new_id,
            seq=1,
            kind="start",
            payload=first,
            at=now,
            previous_hash=GENESIS,
            hash=digest,
        )
    )
    # The row as inserted, known to the session without reading it back.
    attempt = ExamAttempt(id=new_id, **values)
    make_transient_to_detached(attempt)
    db.session.add(attempt)
    return attempt


def _insert_attempt(values: dict[str, Any]) -> Any:
    """INSERT of a new attempt returning its id, or nothing when the attempt number is taken."""
    table = ExamAttempt.__table__
    if db.session.get_bind().dialect.name == "postgresql":
        statement: Any = pg_insert(table)
    else:
        statement = sqlite_insert(table)
    return (
        statement.values(**values)
        .on_conflict_do_nothing(
            index_elements=[table.c.resource_link_id, table.c.user_id, table.c.attempt_no]
        )
        .returning(table.c.id)
    )


def open_page(attempt: ExamAttempt, now: datetime) -> int:
    """A page (tab) opens the attempt: it becomes the only one allowed to save."""
    attempt.page_version += 1
    append_event(attempt, "page", {"page_version": attempt.page_version}, now)
    return attempt.page_version

"""Exam attempts: the errors, the bank as the exam needs it, locks, lookups and the event chain.

Services flush, never commit; the view commits once. The time is always passed in.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import func, select

from grading.event_chain import chain_hash
from grading.exam import BankCase, BankItem, DrawRules, PaperItem
from grading.standard import CutScore, cut_score
from grading.timing import TimeRules
from lti_tool.extensions import db
from lti_tool.models.core import Enrollment
from lti_tool.models.exam import ExamAnswer, ExamAttempt, ExamEvent, ExamReset


class ExamError(Exception):
    """A refusal the candidate must understand; ``code`` is stable for the page's script.

    ``final``: this answer can never be saved (an item outside the paper, a choice the item
    does not offer): the page drops it from its queue. Any other refusal keeps it queued
    (409 keeps its own meaning: the page stops).
    """

    status = 400

    def __init__(
        self, code: str, message: str | LazyString, status: int = 400, *, final: bool = False
    ) -> None:
        super().__init__(message)
        self.code = code
        self._message = message
        self.status = status
        self.final = final

    @property
    def message(self) -> str:
        """In the language of the request that reads it (the refusals are lazy strings)."""
        return str(self._message)


#: A trainer's written reason (new attempt, reopening, incident): at least this many characters,
#: spaces around it not counted (the forms say so with ``minlength``).
MIN_WRITTEN_REASON = 10


def written_reason(text: str, code: str, message: str | LazyString) -> str:
    """The reason as recorded (stripped); ExamError(code, message) when it is too short."""
    reason = text.strip()
    if len(reason) < MIN_WRITTEN_REASON:
        raise ExamError(code, message)
    return reason


@dataclass(frozen=True)
class Bank:
    """The bank as the exam needs it, with the blueprint's rules."""

    items: Sequence[BankItem]
    cases: Sequence[BankCase]
    rules: DrawRules
    duration_minutes: int
    pass_mark: float
    version: str
    #: Item id -> each judge's modified Angoff rating (None: not rated by that judge).
    ratings: Mapping[str, Sequence[float | None]] = field(default_factory=dict)
    judges: int = 0
    ratings_provisional: bool = True
    #: Competencies épreuve 1 decides: each must reach its own threshold.
    decisive: tuple[str, ...] = ()

    def cut_score(self, paper: Sequence[PaperItem]) -> CutScore:
        """The cut score of a paper drawn from this bank (grading.standard)."""
        return cut_score(
            [(p.item_id, p.competency) for p in paper],
            self.ratings,
            judges=self.judges,
            fallback=self.pass_mark,
            decisive=self.decisive,
            provisional=self.ratings_provisional,
        )


#: Called after a submission with (attempt, now) to queue grades; set by the grades integration.
ON_SUBMIT: list[Callable[[ExamAttempt, datetime], None]] = []


def time_rules(attempt: ExamAttempt) -> TimeRules:
    """The attempt's deadline and grace: what the server judges every save and submit by."""
    return TimeRules(deadline=attempt.deadline_at, grace_seconds=attempt.grace_seconds)


def append_event(attempt: ExamAttempt, kind: str, payload: dict[str, Any], at: datetime) -> None:
    """Append an entry to the attempt's hash chain (the attempt row must be locked)."""
    seq = attempt.event_count + 1
    body = {"kind": kind, "at": at.isoformat(), **payload}
    digest = chain_hash(attempt.last_hash, seq, body)
    db.session.add(
        ExamEvent(
            attempt_id=attempt.id,
            seq=seq,
            kind=kind,
            payload=body,
            at=at,
            previous_hash=attempt.last_hash,
            hash=digest,
        )
    )
    attempt.event_count = seq
    attempt.last_hash = digest


def lock_attempt(attempt_id: int) -> ExamAttempt:
    """Load an attempt with a row lock (serialises its saves on PostgreSQL)."""
    attempt: ExamAttempt | None = db.session.scalar(
        select(ExamAttempt)
        .where(ExamAttempt.id == attempt_id)
        .with_for_update()
        # Locked, hence current: values already in the session may predate the lock.
        .execution_options(populate_existing=True)
    )
    if attempt is None:
        raise ExamError("unknown", _l("Tentative introuvable."), 404)
    return attempt


def lock_latest(resource_link_id: int, user_id: int) -> ExamAttempt | None:
    """The candidate's latest attempt, locked, in one query (the autosave's hot path)."""
    return db.session.scalar(
        select(ExamAttempt)
        .where(ExamAttempt.resource_link_id == resource_link_id, ExamAttempt.user_id == user_id)
        .order_by(ExamAttempt.attempt_no.desc())
        .limit(1)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def attempts_allowed(resource_link_id: int, user_id: int) -> int:
    """One attempt, plus one per trainer reset."""
    resets = db.session.scalar(
        select(func.count(ExamReset.id)).where(
            ExamReset.resource_link_id == resource_link_id, ExamReset.user_id == user_id
        )
    )
    return 1 + int(resets or 0)


def latest_attempt(resource_link_id: int, user_id: int) -> ExamAttempt | None:
    """The candidate's most recent attempt for this activity."""
    return db.session.scalar(
        select(ExamAttempt)
        .where(ExamAttempt.resource_link_id == resource_link_id, ExamAttempt.user_id == user_id)
        .order_by(ExamAttempt.attempt_no.desc())
        .limit(1)
    )


def extra_time_for(context_id: int, user_id: int) -> float:
    """The candidate's accommodation in this course (percent of extra time)."""
    value = db.session.scalar(
        select(Enrollment.extra_time_percent).where(
            Enrollment.context_id == context_id, Enrollment.user_id == user_id
        )
    )
    return float(value or 0.0)


def answers_of(attempt: ExamAttempt) -> dict[str, ExamAnswer]:
    """The stored answers by item id."""
    rows = db.session.scalars(select(ExamAnswer).where(ExamAnswer.attempt_id == attempt.id))
    return {row.item_id: row for row in rows}


def seconds_between(a: datetime, b: datetime) -> float:
    """Seconds from ``a`` to ``b``."""
    return (b - a) / timedelta(seconds=1)


def content_version(texts: Sequence[str]) -> str:
    """A short hash of the bank's source texts."""
    digest = hashlib.sha256()
    for source in texts:
        digest.update(source.encode())
    return digest.hexdigest()[:16]

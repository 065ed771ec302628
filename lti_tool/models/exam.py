"""The certification questionnaire: attempts, answers, the chained event log, resets."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lti_tool.extensions import db
from lti_tool.models.core import User
from lti_tool.models.types import JsonType, UtcDateTime

STATUS_IN_PROGRESS = "in_progress"
STATUS_SUBMITTED = "submitted"


class ExamAttempt(db.Model):  # type: ignore[name-defined,misc]
    """One candidate's attempt; the unique constraint makes a second attempt impossible."""

    __tablename__ = "exam_attempt"
    __table_args__ = (UniqueConstraint("resource_link_id", "user_id", "attempt_no"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    context_id: Mapped[int] = mapped_column(ForeignKey("app_context.id"), index=True)
    resource_link_id: Mapped[int] = mapped_column(ForeignKey("app_resource_link.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    #: 1 for the first attempt; a trainer's reset allows the next number.
    attempt_no: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(16), default=STATUS_IN_PROGRESS, index=True)
    #: Seed of the draw and hash of the bank it was drawn from (reproducible, auditable).
    seed: Mapped[str] = mapped_column(String(64))
    content_version: Mapped[str] = mapped_column(String(64))
    #: The paper as drawn: list of PaperItem.to_json().
    paper: Mapped[list[dict[str, Any]]] = mapped_column(JsonType)
    duration_minutes: Mapped[int] = mapped_column(Integer)
    extra_time_percent: Mapped[float] = mapped_column(Float, default=0.0)
    #: Seconds a save in flight at the deadline is still accepted (bounded by grading.timing).
    grace_seconds: Mapped[int] = mapped_column(Integer, default=10)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime())
    deadline_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    #: Finish time, never after the deadline.
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    #: candidate, deadline (on next request) or sweep (worker).
    submit_reason: Mapped[str | None] = mapped_column(String(16), default=None)
    #: The page (tab) allowed to write; an older tab is told to reload.
    page_version: Mapped[int] = mapped_column(Integer, default=0)
    score_points: Mapped[float | None] = mapped_column(Float, default=None)
    score_maximum: Mapped[int | None] = mapped_column(Integer, default=None)
    per_competency: Mapped[dict[str, Any] | None] = mapped_column(JsonType, default=None)
    passed: Mapped[bool | None] = mapped_column(Boolean, default=None)
    #: The cut score of this paper (grading.standard.CutScore.to_json), fixed when the paper is
    #: drawn: overall and per competency, with its derivation. None for papers drawn before the
    #: Angoff ratings (they are judged by the global pass mark).
    cut_score: Mapped[dict[str, Any] | None] = mapped_column(JsonType, default=None)
    #: Head of the hash chain.
    event_count: Mapped[int] = mapped_column(Integer, default=0)
    last_hash: Mapped[str] = mapped_column(String(64), default="0" * 64)

    user: Mapped[User] = relationship()


class ExamAnswer(db.Model):  # type: ignore[name-defined,misc]
    """The latest saved answer to one item (ordered by page version then client sequence)."""

    __tablename__ = "exam_answer"
    __table_args__ = (UniqueConstraint("attempt_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("exam_attempt.id"))
    item_id: Mapped[str] = mapped_column(String(128))
    choices: Mapped[list[str]] = mapped_column(JsonType, default=list)
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    page_version: Mapped[int] = mapped_column(Integer, default=0)
    #: The page's sequence number (milliseconds since 1970 at page load, then +1 per save).
    client_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    saved_at: Mapped[datetime] = mapped_column(UtcDateTime())


class ExamEvent(db.Model):  # type: ignore[name-defined,misc]
    """Tamper-evident log entry: its hash covers the previous entry's hash."""

    __tablename__ = "exam_event"
    __table_args__ = (UniqueConstraint("attempt_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("exam_attempt.id"))
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]] = mapped_column(JsonType)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    previous_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class ExamReset(db.Model):  # type: ignore[name-defined,misc]
    """A trainer's decision to open a new attempt, with the written reason."""

    __tablename__ = "exam_reset"

    id: Mapped[int] = mapped_column(primary_key=True)
    resource_link_id: Mapped[int] = mapped_column(ForeignKey("app_resource_link.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    by_user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    reason: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UtcDateTime())


class ExamSettings(db.Model):  # type: ignore[name-defined,misc]
    """Per activity: when the trainers released the review of answers."""

    __tablename__ = "exam_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    resource_link_id: Mapped[int] = mapped_column(ForeignKey("app_resource_link.id"), unique=True)
    review_released_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    released_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), default=None)


class ExamReopen(db.Model):  # type: ignore[name-defined,misc]
    """A trainer's decision to let one candidate sit a closed session (correction published).

    It lasts until the candidate submits an attempt begun after it; meanwhile the correction
    stays hidden from them.
    """

    __tablename__ = "exam_reopen"

    id: Mapped[int] = mapped_column(primary_key=True)
    resource_link_id: Mapped[int] = mapped_column(ForeignKey("app_resource_link.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    by_user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    reason: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    #: The candidate's latest attempt number when reopened (0: none): the reopening lasts until
    #: an attempt numbered above it is submitted.
    after_attempt_no: Mapped[int] = mapped_column(Integer, default=0)

"""Trainees' progress: modules (reading, knowledge checks) and case-study plays."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lti_tool.extensions import db
from lti_tool.models.core import User
from lti_tool.models.types import JsonType, UtcDateTime


class ModuleProgress(db.Model):  # type: ignore[name-defined,misc]
    """Where a trainee is in a module, and whether it is complete."""

    __tablename__ = "module_progress"
    __table_args__ = (UniqueConstraint("context_id", "user_id", "module_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    context_id: Mapped[int] = mapped_column(ForeignKey("app_context.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    #: The module's stable id from its front matter (never a path).
    module_id: Mapped[str] = mapped_column(String(128))
    #: The resource link the module was launched from (its gradebook column), if any.
    resource_link_id: Mapped[int | None] = mapped_column(
        ForeignKey("app_resource_link.id"), default=None
    )
    started_at: Mapped[datetime] = mapped_column(UtcDateTime())
    #: Anchor of the last section reached, to resume there.
    last_section: Mapped[str | None] = mapped_column(String(128), default=None)
    #: Sections seen, in order of first visit.
    sections_seen: Mapped[list[str]] = mapped_column(JsonType, default=list)
    read_to_end_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    #: Share of knowledge checks answered correctly (0..1) at completion or since.
    score: Mapped[float | None] = mapped_column(Float, default=None)
    #: Version of a module authored in the tool the trainee started (None: a file of course/).
    authored_version: Mapped[int | None] = mapped_column(Integer, default=None)

    user: Mapped[User] = relationship()


class CheckAnswer(db.Model):  # type: ignore[name-defined,misc]
    """A trainee's latest answer to one knowledge check of a module."""

    __tablename__ = "module_check_answer"
    __table_args__ = (UniqueConstraint("context_id", "user_id", "module_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    context_id: Mapped[int] = mapped_column(ForeignKey("app_context.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    module_id: Mapped[str] = mapped_column(String(128))
    question_id: Mapped[str] = mapped_column(String(128))
    choices: Mapped[list[str]] = mapped_column(JsonType, default=list)
    correct: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Correct at the first try (what the module score counts).
    first_correct: Mapped[bool] = mapped_column(Boolean, default=False)
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    answered_at: Mapped[datetime] = mapped_column(UtcDateTime())


class CasePlay(db.Model):  # type: ignore[name-defined,misc]
    """One run of a case study by a trainee (practice: several; graded: one counts)."""

    __tablename__ = "case_play"
    __table_args__ = (UniqueConstraint("context_id", "user_id", "case_id", "run_no"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    context_id: Mapped[int] = mapped_column(ForeignKey("app_context.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    case_id: Mapped[str] = mapped_column(String(128))
    resource_link_id: Mapped[int | None] = mapped_column(
        ForeignKey("app_resource_link.id"), default=None
    )
    run_no: Mapped[int] = mapped_column(Integer, default=1)
    #: Version of a case study authored in the tool this run plays (None: a file of course/).
    authored_version: Mapped[int | None] = mapped_column(Integer, default=None)
    mode: Mapped[str] = mapped_column(String(16))
    current_step: Mapped[str] = mapped_column(String(128))
    #: Points per competency accumulated so far.
    points: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="in_progress")
    #: Content version (hash of the case file) the run started on.
    content_version: Mapped[str] = mapped_column(String(64), default="")
    started_at: Mapped[datetime] = mapped_column(UtcDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    #: Score sent to the gradebook (0..1).
    score: Mapped[float | None] = mapped_column(Float, default=None)
    #: Random per run: the order in which this run shows the choices of each step.
    seed: Mapped[str] = mapped_column(String(64), default="", server_default="")

    user: Mapped[User] = relationship()


class CaseChoice(db.Model):  # type: ignore[name-defined,misc]
    """A recorded choice; the position makes a double-submitted choice count once."""

    __tablename__ = "case_choice"
    __table_args__ = (UniqueConstraint("play_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    play_id: Mapped[int] = mapped_column(ForeignKey("case_play.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    step_id: Mapped[str] = mapped_column(String(128))
    #: Position of the choice in the file when recorded (kept for runs made before choice ids).
    choice_index: Mapped[int] = mapped_column(Integer)
    #: The choice's stable id (the target step, or its ``#id``): what the run replays.
    choice_id: Mapped[str] = mapped_column(String(128), default="", server_default="")
    target: Mapped[str] = mapped_column(String(128))
    chosen_at: Mapped[datetime] = mapped_column(UtcDateTime())

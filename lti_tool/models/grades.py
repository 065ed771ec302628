"""The score outbox: every grade written in the same transaction as its result, sent later."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lti_tool.extensions import db
from lti_tool.models.core import User
from lti_tool.models.types import JsonType, UtcDateTime

PENDING, SENDING, DELIVERED, SUPERSEDED, FAILED = (
    "pending",
    "sending",
    "delivered",
    "superseded",
    "failed",
)


class ScoreOutbox(db.Model):  # type: ignore[name-defined,misc]
    """A score to deliver to the platform's gradebook, with its delivery history."""

    __tablename__ = "grade_outbox"
    #: One learner's rows of one column: every publish and every send looks them up (the
    #: column alone holds every learner's scores of an activity, for years).
    __table_args__ = (Index("ix_grade_outbox_user_column", "user_id", "column_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("lti_registration.id"))
    context_id: Mapped[int] = mapped_column(ForeignKey("app_context.id"), index=True)
    resource_link_id: Mapped[int | None] = mapped_column(
        ForeignKey("app_resource_link.id"), default=None
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    #: Which column: the resource link's own, or a tagged one (e.g. C3) of the same activity.
    column_key: Mapped[str] = mapped_column(String(255), index=True)
    resource_id: Mapped[str | None] = mapped_column(String(255), default=None)
    tag: Mapped[str | None] = mapped_column(String(64), default=None)
    label: Mapped[str] = mapped_column(String(255), default="")
    score_given: Mapped[float] = mapped_column(Float)
    score_maximum: Mapped[float] = mapped_column(Float)
    activity_progress: Mapped[str] = mapped_column(String(32))
    grading_progress: Mapped[str] = mapped_column(String(32))
    comment: Mapped[str | None] = mapped_column(Text, default=None)
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    submitted_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    #: The score's timestamp: strictly increasing, >= 1 s apart per user and column.
    timestamp: Mapped[datetime] = mapped_column(UtcDateTime())
    state: Mapped[str] = mapped_column(String(16), default=PENDING, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_status: Mapped[int | None] = mapped_column(Integer, default=None)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)

    user: Mapped[User] = relationship()


class LineItemCache(db.Model):  # type: ignore[name-defined,misc]
    """A gradebook column found or created for (resource link, column key)."""

    __tablename__ = "grade_lineitem"
    __table_args__ = (UniqueConstraint("context_id", "column_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    context_id: Mapped[int] = mapped_column(ForeignKey("app_context.id"))
    column_key: Mapped[str] = mapped_column(String(255))
    url: Mapped[str] = mapped_column(String(1024))
    data: Mapped[dict[str, Any] | None] = mapped_column(JsonType, default=None)


class AccessToken(db.Model):  # type: ignore[name-defined,misc]
    """OAuth2 access token per registration and scope set, shared by every process."""

    __tablename__ = "grade_access_token"
    __table_args__ = (UniqueConstraint("registration_id", "scopes"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("lti_registration.id"))
    scopes: Mapped[str] = mapped_column(String(1024))
    token: Mapped[str] = mapped_column(Text)
    #: Used until then: shortly before the platform's expiry (``expires_in``).
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())

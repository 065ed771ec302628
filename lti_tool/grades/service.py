"""Publishing a score writes an outbox row in the caller's transaction; nothing is sent here."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import g
from sqlalchemy import func, select, update

from lti_tool.extensions import db
from lti_tool.models.core import Context, ResourceLink
from lti_tool.models.grades import PENDING, SUPERSEDED, ScoreOutbox

STARTED, SUBMITTED, COMPLETED = "Started", "Submitted", "Completed"


def publish_score(
    *,
    user_id: int,
    link: ResourceLink,
    score_given: float,
    score_maximum: float,
    activity_progress: str,
    now: datetime,
    grading_progress: str = "FullyGraded",
    started_at: datetime | None = None,
    submitted_at: datetime | None = None,
    comment: str | None = None,
    tag: str | None = None,
    label: str | None = None,
) -> ScoreOutbox:
    """Queue a score for the link's column (or its column tagged ``tag``); flush, never commit."""
    context = db.session.get(Context, link.context_id)
    assert context is not None
    column_key = f"{link.id}:{tag}" if tag else f"{link.id}"
    last = db.session.scalar(
        select(func.max(ScoreOutbox.timestamp)).where(
            ScoreOutbox.user_id == user_id, ScoreOutbox.column_key == column_key
        )
    )
    timestamp = now.replace(microsecond=0)
    if last is not None and timestamp < last + timedelta(seconds=1):
        timestamp = last + timedelta(seconds=1)
    # A newer score makes the older undelivered ones pointless: the gradebook keeps the latest.
    db.session.execute(
        update(ScoreOutbox)
        .where(
            ScoreOutbox.user_id == user_id,
            ScoreOutbox.column_key == column_key,
            ScoreOutbox.state == PENDING,
        )
        .values(state=SUPERSEDED)
    )
    row = ScoreOutbox(
        registration_id=context.registration_id,
        context_id=context.id,
        resource_link_id=link.id,
        user_id=user_id,
        column_key=column_key,
        resource_id=(f"{link.target}:{tag}" if tag else link.target) or f"link-{link.id}",
        tag=tag,
        label=label or (f"{link.title} — {tag}" if tag else link.title) or "Activité",
        score_given=max(0.0, float(score_given)),
        score_maximum=float(score_maximum),
        activity_progress=activity_progress,
        grading_progress=grading_progress,
        comment=comment,
        started_at=started_at,
        submitted_at=submitted_at,
        timestamp=timestamp,
        state=PENDING,
        next_attempt_at=now,
        created_at=now,
    )
    db.session.add(row)
    db.session.flush()
    queued: list[int] = g.setdefault("queued_scores", [])
    queued.append(row.id)
    return row

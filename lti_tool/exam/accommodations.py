"""Trainers' decisions on a candidate: extra time (tiers temps) and a new attempt.

Services flush, never commit; the time is always passed in.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from grading.timing import deadline
from lti_tool.exam.attempts import (
    ExamError,
    append_event,
    latest_attempt,
    lock_attempt,
    written_reason,
)
from lti_tool.exam.incidents import compensated_total
from lti_tool.exam.submission import submit
from lti_tool.extensions import db
from lti_tool.models.core import AuditEvent, Enrollment, ResourceLink
from lti_tool.models.exam import STATUS_IN_PROGRESS, ExamAttempt, ExamReset


def set_accommodation(
    *, context_id: int, user_id: int, percent: float, actor_id: int, now: datetime
) -> list[ExamAttempt]:
    """Set a candidate's extra time in the course; running attempts get the new deadline."""
    if not 0 <= percent <= 400:
        raise ExamError(
            "bad_percent", _l("Le temps supplémentaire doit être compris entre 0 et 400 %.")
        )
    enrollment = db.session.scalar(
        select(Enrollment).where(Enrollment.context_id == context_id, Enrollment.user_id == user_id)
    )
    if enrollment is None:
        raise ExamError("unknown_user", _l("Ce candidat n'est pas inscrit dans ce cours."), 404)
    previous = enrollment.extra_time_percent
    enrollment.extra_time_percent = percent
    running = db.session.scalars(
        select(ExamAttempt)
        .where(
            ExamAttempt.context_id == context_id,
            ExamAttempt.user_id == user_id,
            ExamAttempt.status == STATUS_IN_PROGRESS,
        )
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    for attempt in running:
        new_deadline = deadline(attempt.started_at, attempt.duration_minutes, percent) + timedelta(
            seconds=compensated_total(attempt.id)
        )  # time granted for incidents stays
        attempt.deadline_at = max(new_deadline, now)
        attempt.extra_time_percent = percent
        append_event(
            attempt,
            "accommodation",
            {
                "extra_time_percent": percent,
                "deadline": attempt.deadline_at.isoformat(),
                "by": actor_id,
            },
            now,
        )
    db.session.add(
        AuditEvent(
            context_id=context_id,
            actor_id=actor_id,
            subject_user_id=user_id,
            action="exam.accommodation",
            detail=f"Temps supplémentaire : {previous:g} % → {percent:g} %",
            data={"previous": previous, "percent": percent},
            at=now,
        )
    )
    return list(running)


def reset_attempt(
    *, link: ResourceLink, user_id: int, actor_id: int, reason: str, now: datetime
) -> ExamReset:
    """Allow one more attempt, with a written reason, recorded in the audit log."""
    reason = written_reason(
        reason,
        "reason_required",
        _l("Indiquez par écrit le motif de la nouvelle tentative (10 caractères au moins)."),
    )
    current = latest_attempt(link.id, user_id)
    if current is None:
        raise ExamError("no_attempt", _l("Ce candidat n'a pas encore commencé l'épreuve."), 409)
    if current.status == STATUS_IN_PROGRESS:
        locked = lock_attempt(current.id)
        submit(locked, now=now, reason="reset")
        append_event(locked, "reset", {"by": actor_id, "reason": reason}, now)
    else:
        locked = lock_attempt(current.id)
        append_event(locked, "reset", {"by": actor_id, "reason": reason}, now)
    reset = ExamReset(
        resource_link_id=link.id, user_id=user_id, by_user_id=actor_id, reason=reason, at=now
    )
    db.session.add(reset)
    db.session.add(
        AuditEvent(
            context_id=link.context_id,
            actor_id=actor_id,
            subject_user_id=user_id,
            action="exam.reset",
            detail=reason,
            data={"resource_link_id": link.id, "attempt_no": current.attempt_no},
            at=now,
        )
    )
    return reset

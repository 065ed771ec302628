"""The exam session of one activity: open, then closed when the correction is published.

Publishing the correction closes the session: it is refused while candidates are sitting
(unless the trainer confirms ending their attempts now, each logged), and afterwards no new
attempt can start. A trainer may reopen the session for one late candidate (an accommodation,
with a written reason, logged); until that candidate submits, the correction stays hidden
from them.

The activity's row is the lock both sides take: a start holds it shared, the closing holds it
exclusively, so a start and a publication cannot cross (PostgreSQL; SQLite serialises writers
anyway). Services flush, never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, bindparam, exists, func, select

from lti_tool.exam.attempts import ExamError, attempts_allowed, latest_attempt, written_reason
from lti_tool.exam.submission import submit
from lti_tool.extensions import db
from lti_tool.models.core import AuditEvent, Enrollment, ResourceLink
from lti_tool.models.exam import (
    STATUS_IN_PROGRESS,
    STATUS_SUBMITTED,
    ExamAttempt,
    ExamReopen,
    ExamSettings,
)

#: ``submit_reason`` of an attempt ended by the trainer when closing the session.
REASON_CLOSED = "closed"


class AttemptsRunning(ExamError):
    """Closing refused: candidates are still sitting and the trainer did not confirm."""

    def __init__(self, count: int) -> None:
        super().__init__(
            "attempts_running",
            (f"{count} candidat passe" if count <= 1 else f"{count} candidats passent")
            + " encore l'épreuve : la correction ne peut pas être "
            "publiée. Attendez la fin de leur épreuve, ou confirmez la remise immédiate de leur "
            "copie.",
            409,
        )
        self.count = count


def _released_at_holding_link(link_id: int) -> datetime | None:
    """When the correction was published (None: open), holding the activity's row shared.

    One statement: a start takes this, a closing takes the row exclusively (PostgreSQL's
    FOR KEY SHARE / FOR UPDATE), so the two cannot cross; other updates of the row are not
    blocked. SQLite serialises writers anyway.
    """
    links = ResourceLink.__table__
    settings = ExamSettings.__table__
    released: datetime | None = db.session.execute(
        select(settings.c.review_released_at)
        .select_from(links.outerjoin(settings, settings.c.resource_link_id == links.c.id))
        .where(links.c.id == link_id)
        .with_for_update(read=True, key_share=True, of=links)
    ).scalar()
    return released


def _settings_exclusive(link_id: int) -> ExamSettings:
    """The activity's settings row (created if needed), the activity's row locked exclusively."""
    db.session.execute(
        select(ResourceLink.id).where(ResourceLink.id == link_id).with_for_update()
    ).scalar()
    settings = db.session.scalars(
        select(ExamSettings)
        .where(ExamSettings.resource_link_id == link_id)
        .execution_options(populate_existing=True)
    ).first()
    if settings is None:
        settings = ExamSettings(resource_link_id=link_id)
        db.session.add(settings)
    return settings


@dataclass(frozen=True)
class IntroState:
    """What the exam's first page needs to know of a candidate, read in one statement."""

    status: str | None
    attempt_no: int | None
    closed: bool
    extra_time_percent: float


_INTRO: list[Any] = []


def _intro_statement() -> Any:
    """The statement of intro_state, built once (its construction cost as much as its run)."""
    if not _INTRO:
        link, user = bindparam("link", type_=Integer), bindparam("user", type_=Integer)
        latest = (
            select(ExamAttempt.status, ExamAttempt.attempt_no)
            .where(ExamAttempt.resource_link_id == link, ExamAttempt.user_id == user)
            .order_by(ExamAttempt.attempt_no.desc())
            .limit(1)
            .subquery()
        )
        _INTRO.append(
            select(
                select(latest.c.status).scalar_subquery(),
                select(latest.c.attempt_no).scalar_subquery(),
                exists().where(
                    ExamSettings.resource_link_id == link,
                    ExamSettings.review_released_at.is_not(None),
                ),
                select(Enrollment.extra_time_percent)
                .where(
                    Enrollment.context_id == bindparam("context", type_=Integer),
                    Enrollment.user_id == user,
                )
                .scalar_subquery(),
            )
        )
    return _INTRO[0]


def intro_state(link_id: int, context_id: int, user_id: int) -> IntroState:
    """The latest attempt's status and number, whether the session is closed and the
    candidate's accommodation: the three queries of the first page (latest_attempt, is_closed,
    extra_time_for) in one round trip, since a whole cohort opens it within a minute."""
    row = db.session.execute(
        _intro_statement(), {"link": link_id, "context": context_id, "user": user_id}
    ).one()
    return IntroState(row[0], row[1], bool(row[2]), float(row[3] or 0.0))


def is_closed(link_id: int) -> bool:
    """True once the correction is published for this activity (the session is closed)."""
    released = db.session.scalar(
        select(ExamSettings.review_released_at).where(ExamSettings.resource_link_id == link_id)
    )
    return released is not None


def pending_reopen(link_id: int, user_id: int) -> ExamReopen | None:
    """The candidate's reopening still running: no attempt begun since then is submitted."""
    reopen = db.session.scalar(
        select(ExamReopen)
        .where(ExamReopen.resource_link_id == link_id, ExamReopen.user_id == user_id)
        .order_by(ExamReopen.id.desc())
        .limit(1)
    )
    if reopen is None:
        return None
    finished = db.session.scalar(
        select(
            exists().where(
                ExamAttempt.resource_link_id == link_id,
                ExamAttempt.user_id == user_id,
                ExamAttempt.status == STATUS_SUBMITTED,
                ExamAttempt.attempt_no > reopen.after_attempt_no,
            )
        )
    )
    return None if finished else reopen


def pending_reopens(link_id: int) -> set[int]:
    """The candidates of this activity whose reopening still runs (two queries, any cohort)."""
    reopened: dict[int, int] = {}
    for user_id, after in db.session.execute(
        select(ExamReopen.user_id, ExamReopen.after_attempt_no)
        .where(ExamReopen.resource_link_id == link_id)
        .order_by(ExamReopen.id)
    ):
        reopened[user_id] = after  # the latest reopening of each candidate
    if not reopened:
        return set()
    finished: dict[int, int] = {
        user_id: number
        for user_id, number in db.session.execute(
            select(ExamAttempt.user_id, func.max(ExamAttempt.attempt_no))
            .where(
                ExamAttempt.resource_link_id == link_id,
                ExamAttempt.status == STATUS_SUBMITTED,
                ExamAttempt.user_id.in_(reopened),
            )
            .group_by(ExamAttempt.user_id)
        )
    }
    return {user_id for user_id, after in reopened.items() if finished.get(user_id, 0) <= after}


def ensure_may_start(link_id: int, user_id: int) -> None:
    """Refuse a new attempt in a closed session, unless reopened for this candidate.

    Holds the activity's settings row (shared) until the caller's commit, so that a
    publication cannot slip between this check and the new attempt.
    """
    if _released_at_holding_link(link_id) is None or pending_reopen(link_id, user_id) is not None:
        return
    raise ExamError(
        "session_closed",
        _l(
            "La session de cette épreuve est close : la correction a été publiée et aucune épreuve "
            "ne peut plus commencer. Si vous deviez encore la passer (retard, aménagement), "
            "adressez-vous au formateur de la session : lui seul peut vous la rouvrir."
        ),
        403,
    )


def correction_visible(link_id: int, user_id: int) -> bool:
    """True when this candidate may see the correction: published, and not reopened for them."""
    return is_closed(link_id) and pending_reopen(link_id, user_id) is None


def running_attempts(link_id: int) -> list[ExamAttempt]:
    """Attempts in progress in this activity (unlocked: for the trainer's page)."""
    return list(
        db.session.scalars(
            select(ExamAttempt).where(
                ExamAttempt.resource_link_id == link_id,
                ExamAttempt.status == STATUS_IN_PROGRESS,
            )
        )
    )


def close_and_release(
    *,
    link: ResourceLink,
    actor_id: int,
    now: datetime,
    end_running: bool = False,
    pass_mark: float = 0.6,
) -> list[ExamAttempt]:
    """Close the session and publish the correction; return the attempts it ended.

    Refused (:class:`AttemptsRunning`) while attempts are in progress, unless ``end_running``:
    the trainer confirmed, and each running attempt is submitted now with the answers saved so
    far, in its event log and in the audit log. Publishing twice changes nothing.
    """
    settings = _settings_exclusive(link.id)
    if settings.review_released_at is not None:
        return []
    running = list(
        db.session.scalars(
            select(ExamAttempt)
            .where(
                ExamAttempt.resource_link_id == link.id,
                ExamAttempt.status == STATUS_IN_PROGRESS,
            )
            .order_by(ExamAttempt.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    )
    if running and not end_running:
        raise AttemptsRunning(len(running))
    for attempt in running:
        submit(attempt, now=now, reason=REASON_CLOSED, pass_mark=pass_mark)
        db.session.add(
            AuditEvent(
                context_id=link.context_id,
                actor_id=actor_id,
                subject_user_id=attempt.user_id,
                action="exam.end_attempt",
                detail="Copie remise par le formateur pour publier la correction",
                data={"attempt_id": attempt.id, "attempt_no": attempt.attempt_no},
                at=now,
            )
        )
    settings.review_released_at = now
    settings.released_by_id = actor_id
    db.session.add(
        AuditEvent(
            context_id=link.context_id,
            actor_id=actor_id,
            action="exam.release_review",
            detail=(
                "Correction publiée : session close, aucune nouvelle épreuve ne peut commencer"
                + (
                    f" ({len(running)} copie{'s' if len(running) > 1 else ''} "
                    f"remise{'s' if len(running) > 1 else ''} par le formateur)"
                    if running
                    else ""
                )
            ),
            data={"resource_link_id": link.id, "ended_attempts": [a.id for a in running]},
            at=now,
        )
    )
    return running


def reopen_for(
    *, link: ResourceLink, user_id: int, actor_id: int, reason: str, now: datetime
) -> ExamReopen:
    """Let one candidate sit the closed session; the correction is hidden from them meanwhile."""
    reason = written_reason(
        reason,
        "reason_required",
        _l("Indiquez par écrit le motif de la réouverture (10 caractères au moins)."),
    )
    settings = _settings_exclusive(link.id)
    if settings.review_released_at is None:
        raise ExamError(
            "session_open",
            _l(
                "La session est encore ouverte : ce candidat peut commencer l'épreuve sans "
                "réouverture."
            ),
            409,
        )
    if pending_reopen(link.id, user_id) is not None:
        raise ExamError(
            "already_reopened", _l("La session est déjà rouverte pour ce candidat."), 409
        )
    current = latest_attempt(link.id, user_id)
    if (
        current is not None
        and current.status == STATUS_SUBMITTED
        and current.attempt_no >= attempts_allowed(link.id, user_id)
    ):
        raise ExamError(
            "no_attempt_left",
            _l(
                "Ce candidat a déjà remis son épreuve : ouvrez d'abord une nouvelle tentative (avec "
                "son motif), puis rouvrez la session pour lui."
            ),
            409,
        )
    reopen = ExamReopen(
        resource_link_id=link.id,
        user_id=user_id,
        by_user_id=actor_id,
        reason=reason,
        at=now,
        after_attempt_no=current.attempt_no if current is not None else 0,
    )
    db.session.add(reopen)
    db.session.add(
        AuditEvent(
            context_id=link.context_id,
            actor_id=actor_id,
            subject_user_id=user_id,
            action="exam.reopen",
            detail=f"Session rouverte pour ce candidat, correction masquée jusqu'à sa remise : "
            f"{reason}",
            data={"resource_link_id": link.id},
            at=now,
        )
    )
    return reopen

"""Incidents during épreuve 1: time a candidate lost to an outage, and the time granted for it.

The rule (README « Épreuve 1 : incidents », bench/README.md « faults.py »):

- **The deadline stays.** Nothing extends an attempt by itself: a node killed, the database
  restarted or a candidate's network cut never moves the deadline silently, in either direction.
- **Time lost to an outage longer than** ``BILAN_EXAM_INCIDENT_SECONDS`` (30 s by default) **is
  recorded** as an incident of kind ``outage``. The candidate's page measures it: when a save
  fails (no network, a node gone, the database down: any answer but an acknowledgement or a
  refusal), the page keeps the answer in its queue, retries, and sends with the retried save
  how long it has been unable to save (``offline_ms``, a duration measured by the page's
  monotonic clock, so no clock skew). The server checks that duration against the attempt
  (never before its start), records one incident per outage (a second report overlapping the
  first extends it), chains it into the attempt's event log and writes the audit log.
- **The trainer compensates in one click** from the monitoring page (« Accorder … »): the
  deadline moves by the time lost not yet granted, in the attempt's event log and the audit log.
- **A trainer records an incident by hand** (a disconnection seen in the room, a candidate taken
  ill…) with the time granted, from the same page; audit-logged the same way.

Services flush, never commit; the view commits once. The time is always passed in.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Integer, String, Text, func, select
from sqlalchemy.orm import Mapped, mapped_column

from lti_tool.clock import now as clock_now
from lti_tool.exam.attempts import (
    ExamError,
    append_event,
    latest_attempt,
    lock_attempt,
    written_reason,
)
from lti_tool.extensions import db
from lti_tool.models.core import AuditEvent, Enrollment, ResourceLink, User
from lti_tool.models.exam import STATUS_IN_PROGRESS, ExamAttempt
from lti_tool.models.types import UtcDateTime

#: Outages shorter than this are absorbed by the page's queue and the deadline's grace.
DEFAULT_MIN_SECONDS = 30
#: Time granted by hand is bounded (a longer interruption is a new attempt: « Nouvelle tentative »).
MAX_GRANTED_SECONDS = 2 * 3600
#: Two reports of the same attempt this close together are one outage.
SAME_OUTAGE = timedelta(seconds=10)

KIND_OUTAGE = "outage"
KINDS: dict[str, Any] = {
    KIND_OUTAGE: lazy_gettext("panne ou coupure détectée"),
    "disconnection": lazy_gettext("déconnexion constatée en salle"),
    "illness": lazy_gettext("malaise ou indisposition"),
    "technical": lazy_gettext("problème technique (poste, salle)"),
    "other": lazy_gettext("autre"),
}
#: The kinds a trainer may choose when recording by hand.
MANUAL_KINDS = ("disconnection", "illness", "technical", "other")


class ExamIncident(db.Model):  # type: ignore[name-defined,misc]
    """Time a candidate lost during an attempt, and the time the trainers granted for it."""

    __tablename__ = "exam_incident"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("exam_attempt.id"), index=True)
    #: ``outage`` (measured by the candidate's page) or a kind chosen by a trainer.
    kind: Mapped[str] = mapped_column(String(32))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime())
    ended_at: Mapped[datetime] = mapped_column(UtcDateTime())
    seconds_lost: Mapped[int] = mapped_column(Integer, default=0)
    #: Seconds already added to the deadline for this incident.
    compensated_seconds: Mapped[int] = mapped_column(Integer, default=0)
    #: The trainer who recorded it (None: detected from the candidate's page).
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), default=None)
    note: Mapped[str] = mapped_column(Text, default="")


def min_seconds() -> int:
    """The shortest outage recorded as an incident (``BILAN_EXAM_INCIDENT_SECONDS``)."""
    configured: Any = current_app.config.get("EXAM_INCIDENT_SECONDS")
    if configured is None:
        configured = os.environ.get("BILAN_EXAM_INCIDENT_SECONDS", DEFAULT_MIN_SECONDS)
    return max(1, int(configured))


def compensated_total(attempt_id: int) -> int:
    """Seconds granted to an attempt for its incidents (kept when its deadline is recomputed)."""
    total = db.session.scalar(
        select(func.coalesce(func.sum(ExamIncident.compensated_seconds), 0)).where(
            ExamIncident.attempt_id == attempt_id
        )
    )
    return int(total or 0)


def _audit(
    attempt: ExamAttempt, action: str, detail: str, actor_id: int | None, now: datetime, **data: Any
) -> None:
    db.session.add(
        AuditEvent(
            context_id=attempt.context_id,
            actor_id=actor_id,
            subject_user_id=attempt.user_id,
            action=action,
            detail=detail,
            data={"attempt_id": attempt.id, **data},
            at=now,
        )
    )


def _duration(seconds: int) -> str:
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes} min {rest:02d} s"


def record_outage(attempt: ExamAttempt, offline_ms: Any, now: datetime) -> ExamIncident | None:
    """The page reports it could not save for ``offline_ms``: an incident if long enough.

    ``attempt`` must be locked (the save's lock). The duration is bounded by the attempt's own
    time (an outage cannot start before the attempt did). A report overlapping the attempt's
    last outage extends it instead of counting the same time twice.
    """
    try:
        seconds = int(offline_ms) / 1000
    except (TypeError, ValueError, OverflowError):  # Infinity is valid JSON for Python
        return None
    seconds = min(seconds, max(0.0, (now - attempt.started_at).total_seconds()))
    if seconds < min_seconds():
        return None
    started = now - timedelta(seconds=seconds)
    previous = db.session.scalar(
        select(ExamIncident)
        .where(ExamIncident.attempt_id == attempt.id, ExamIncident.kind == KIND_OUTAGE)
        .order_by(ExamIncident.ended_at.desc())
        .limit(1)
    )
    if previous is not None and previous.ended_at >= started - SAME_OUTAGE:
        previous.started_at = min(previous.started_at, started)
        previous.ended_at = max(previous.ended_at, now)
        previous.seconds_lost = round((previous.ended_at - previous.started_at).total_seconds())
        incident: ExamIncident = previous
    else:
        incident = ExamIncident(
            attempt_id=attempt.id,
            kind=KIND_OUTAGE,
            started_at=started,
            ended_at=now,
            seconds_lost=round(seconds),
            compensated_seconds=0,
            recorded_by=None,
            note="",
        )
        db.session.add(incident)
    db.session.flush()
    append_event(
        attempt,
        "incident",
        {
            "incident": incident.id,
            "kind": KIND_OUTAGE,
            "started_at": incident.started_at.isoformat(),
            "seconds_lost": incident.seconds_lost,
        },
        now,
    )
    _audit(
        attempt,
        "exam.incident",
        f"Coupure détectée : {_duration(incident.seconds_lost)} sans pouvoir enregistrer",
        None,
        now,
        incident=incident.id,
        seconds_lost=incident.seconds_lost,
    )
    return incident


def _extend(
    attempt: ExamAttempt, seconds: int, incident: ExamIncident, actor_id: int, now: datetime
) -> None:
    attempt.deadline_at = attempt.deadline_at + timedelta(seconds=seconds)
    incident.compensated_seconds += seconds
    append_event(
        attempt,
        "compensation",
        {
            "incident": incident.id,
            "seconds": seconds,
            "deadline": attempt.deadline_at.isoformat(),
            "by": actor_id,
        },
        now,
    )


def _in_progress_or_refuse(attempt: ExamAttempt) -> None:
    if attempt.status != STATUS_IN_PROGRESS:
        raise ExamError(
            "not_running",
            _l(
                "La copie de ce candidat est déjà remise : le temps ne peut plus être accordé. "
                "Si l'incident l'a empêché de composer, ouvrez-lui une nouvelle tentative, avec "
                "le motif."
            ),
            409,
        )


def compensate(*, incident_id: int, link: ResourceLink, actor_id: int, now: datetime) -> int:
    """Grant the time an incident cost, not yet granted; return the seconds added."""
    incident = db.session.get(ExamIncident, incident_id)
    attempt = db.session.get(ExamAttempt, incident.attempt_id) if incident else None
    if incident is None or attempt is None or attempt.resource_link_id != link.id:
        raise ExamError("unknown_incident", _l("Incident introuvable."), 404)
    attempt = lock_attempt(attempt.id)
    db.session.refresh(incident, with_for_update=True)
    due = incident.seconds_lost - incident.compensated_seconds
    if due <= 0:
        raise ExamError(
            "already_compensated", _l("Le temps de cet incident est déjà accordé."), 409
        )
    _in_progress_or_refuse(attempt)
    _extend(attempt, due, incident, actor_id, now)
    _audit(
        attempt,
        "exam.incident_compensated",
        f"Temps accordé pour l'incident : {_duration(due)}",
        actor_id,
        now,
        incident=incident.id,
        seconds=due,
    )
    return due


def record_manual(
    *,
    link: ResourceLink,
    user_id: int,
    actor_id: int,
    kind: str,
    granted_seconds: int,
    note: str,
    now: datetime,
) -> ExamIncident:
    """A trainer records an incident (kind, note) with the time granted for it."""
    if kind not in MANUAL_KINDS:
        raise ExamError("bad_kind", _l("Choisissez la nature de l'incident."))
    note = written_reason(
        note, "note_required", _l("Décrivez l'incident par écrit (10 caractères au moins).")
    )
    if not 0 <= granted_seconds <= MAX_GRANTED_SECONDS:
        raise ExamError(
            "bad_time", _l("Le temps accordé doit être compris entre 0 et 120 minutes.")
        )
    current = latest_attempt(link.id, user_id)
    if current is None:
        raise ExamError("no_attempt", _l("Ce candidat n'a pas encore commencé l'épreuve."), 409)
    attempt = lock_attempt(current.id)
    if granted_seconds:
        _in_progress_or_refuse(attempt)
    incident = ExamIncident(
        attempt_id=attempt.id,
        kind=kind,
        started_at=now,
        ended_at=now,
        seconds_lost=granted_seconds,
        compensated_seconds=0,
        recorded_by=actor_id,
        note=note[:2000],
    )
    db.session.add(incident)
    db.session.flush()
    append_event(
        attempt,
        "incident",
        {"incident": incident.id, "kind": kind, "seconds_lost": granted_seconds, "by": actor_id},
        now,
    )
    if granted_seconds:
        _extend(attempt, granted_seconds, incident, actor_id, now)
    _audit(
        attempt,
        "exam.incident",
        f"Incident ({KINDS[kind]}) : {note[:200]} — temps accordé : {_duration(granted_seconds)}",
        actor_id,
        now,
        incident=incident.id,
        kind=kind,
        seconds=granted_seconds,
    )
    return incident


def incidents_of(link_id: int) -> list[tuple[ExamIncident, ExamAttempt, User]]:
    """The activity's incidents, newest first, with their attempt and candidate."""
    rows = db.session.execute(
        select(ExamIncident, ExamAttempt, User)
        .join(ExamAttempt, ExamAttempt.id == ExamIncident.attempt_id)
        .join(User, User.id == ExamAttempt.user_id)
        .where(ExamAttempt.resource_link_id == link_id)
        .order_by(ExamIncident.ended_at.desc(), ExamIncident.id.desc())
    ).all()
    return [(incident, attempt, user) for incident, attempt, user in rows]


# --- Trainer actions (routes of the exam blueprint) -------------------------------------------


def install_routes(
    bp: Blueprint,
    link_of: Callable[[], ResourceLink],
    trainer_required: Callable[[Callable[..., Any]], Callable[..., Any]],
    current_launch: Callable[[], Any],
) -> None:
    """The monitoring page's two actions: record an incident, grant an incident's time."""

    def _back() -> Any:
        return redirect(url_for("exam.monitor") + "#incidents", code=303)

    @bp.post("/incident")
    @trainer_required
    def record_incident() -> Any:
        launch = current_launch()
        link = link_of()
        user_id = request.form.get("user_id", type=int) or 0
        enrolled = db.session.scalar(
            select(Enrollment).where(
                Enrollment.context_id == link.context_id, Enrollment.user_id == user_id
            )
        )
        if enrolled is None:
            abort(404)
        raw = (request.form.get("minutes") or "0").replace(",", ".").strip()
        try:
            granted = round(float(raw or "0") * 60)
            record_manual(
                link=link,
                user_id=user_id,
                actor_id=launch.user_id,
                kind=request.form.get("kind", ""),
                granted_seconds=granted,
                note=request.form.get("note", ""),
                now=clock_now(),
            )
        except ValueError:
            db.session.rollback()
            flash(_("Durée invalide : saisissez un nombre de minutes, par exemple 10."), "error")
            return _back()
        except ExamError as error:
            db.session.rollback()
            flash(error.message, "error")
            return _back()
        db.session.commit()
        flash(_("Incident enregistré pour %(name)s.", name=enrolled.user.display_name), "success")
        return _back()

    @bp.post("/incident/<int:incident_id>/accorder")
    @trainer_required
    def compensate_incident(incident_id: int) -> Any:
        launch = current_launch()
        try:
            seconds = compensate(
                incident_id=incident_id, link=link_of(), actor_id=launch.user_id, now=clock_now()
            )
        except ExamError as error:
            db.session.rollback()
            if error.status == 404:
                abort(404)
            flash(error.message, "error")
            return _back()
        db.session.commit()
        flash(
            _("Temps accordé : %(m)s min %(s)s s.", m=seconds // 60, s=f"{seconds % 60:02d}"),
            "success",
        )
        return _back()

    @bp.app_template_global("exam_incidents")
    def exam_incidents() -> list[tuple[ExamIncident, ExamAttempt, User]]:
        return incidents_of(link_of().id)

    @bp.app_template_global("incident_kinds")
    def incident_kinds() -> dict[str, Any]:
        return KINDS

    @bp.app_template_global("manual_incident_kinds")
    def manual_incident_kinds() -> tuple[str, ...]:
        return MANUAL_KINDS

    @bp.app_template_global("incident_min_seconds")
    def incident_min_seconds() -> int:
        return min_seconds()

    @bp.app_template_global("incident_author")
    def incident_author(user_id: int) -> str:
        user = db.session.get(User, user_id)
        return user.display_name if user else ""

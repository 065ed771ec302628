"""Deliberation: the evidence per competency side by side, and the jury's decision.

The evidence proposes a decision; the jury decides per competency (acquise / non acquise) and
writes a justification whenever it departs from the proposal. The certification is granted
when every competency is acquired; a partial result keeps the acquired competencies for the
retakes the certifier's rules allow.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from lti_tool.certification import audit, oral
from lti_tool.certification.models import (
    ACQUIS,
    CERTIFIED,
    NOT_CERTIFIED,
    PARTIAL,
    CertCandidate,
    CertDecision,
)
from lti_tool.certification.referentiel import COMPETENCIES
from lti_tool.certification.services import CertificationError, composition, ensure_open
from lti_tool.extensions import db
from lti_tool.models.exam import STATUS_SUBMITTED, ExamAttempt


def incidents_for_deliberation(candidate: CertCandidate) -> list[dict[str, Any]]:
    """Incidents of the candidate's épreuve 1 (``lti_tool/exam/incidents.py``), shown to the jury
    in deliberation and written on the PV: one dict per incident of the candidate's attempts in
    the session's course, oldest first, times as ISO 8601 UTC (the PV's content is hashed)."""
    from lti_tool.exam.incidents import KINDS, ExamIncident  # noqa: PLC0415 (exam feature)
    from lti_tool.models.core import User  # noqa: PLC0415

    rows = db.session.execute(
        select(ExamIncident, User)
        .join(ExamAttempt, ExamAttempt.id == ExamIncident.attempt_id)
        .outerjoin(User, User.id == ExamIncident.recorded_by)
        .where(
            ExamAttempt.context_id == candidate.session.context_id,
            ExamAttempt.user_id == candidate.user_id,
        )
        .order_by(ExamIncident.started_at, ExamIncident.id)
    ).all()
    return [
        {
            "kind": str(KINDS.get(incident.kind, incident.kind)),
            "started_at": incident.started_at.isoformat(),
            "ended_at": incident.ended_at.isoformat() if incident.ended_at else None,
            "seconds_lost": incident.seconds_lost,
            "compensated_seconds": incident.compensated_seconds,
            "recorded_by": recorder.display_name if recorder is not None else "",
            "note": incident.note,
        }
        for incident, recorder in rows
    ]


def exam_attempt(candidate: CertCandidate) -> ExamAttempt | None:
    """The candidate's latest submitted épreuve 1 attempt in the session's course."""
    attempt: ExamAttempt | None = db.session.scalar(
        select(ExamAttempt)
        .where(
            ExamAttempt.context_id == candidate.session.context_id,
            ExamAttempt.user_id == candidate.user_id,
            ExamAttempt.status == STATUS_SUBMITTED,
        )
        .order_by(ExamAttempt.finished_at.desc(), ExamAttempt.id.desc())
        .limit(1)
    )
    return attempt


@dataclass
class Evidence:
    """What the jury sees for one competency."""

    competency: str
    #: Épreuve 1: (points, items, ratio, threshold, met) when the épreuve assesses it.
    exam: dict[str, Any] | None = None
    #: Épreuve 2 (dossier and oral grid): each member's level, by name.
    members: dict[str, str | None] = field(default_factory=dict)
    proposed: bool = False

    def to_json(self) -> dict[str, Any]:
        """The evidence as stored with the decision (what the jury saw)."""
        return {"exam": self.exam, "members": self.members, "proposed": self.proposed}


def evidence(candidate: CertCandidate) -> list[Evidence]:
    """Per competency: épreuve 1's result and threshold, each member's grid, the proposal."""
    rules = candidate.session.rules
    attempt = exam_attempt(candidate)
    per = (attempt.per_competency or {}) if attempt else {}
    sheets = oral.sheets(candidate.id)
    rows = []
    for competency in COMPETENCIES:
        row = Evidence(competency)
        verdicts: list[bool] = []
        if competency in rules.get("epreuve_1", ()):
            threshold = float(rules.get("thresholds", {}).get(competency, 0.6))
            points, items = per.get(competency, (0, 0))
            ratio = points / items if items else 0.0
            met = bool(items) and ratio + 1e-9 >= threshold
            row.exam = {
                "points": points,
                "items": items,
                "ratio": ratio,
                "threshold": threshold,
                "met": met,
                "sat": attempt is not None,
            }
            verdicts.append(met)
        if competency in rules.get("epreuve_2", ()):
            row.members = {
                s.member.display_name: oral.competency_level(s.marks, competency) for s in sheets
            }
            verdicts.append(bool(sheets) and all(v == ACQUIS for v in row.members.values()))
        row.proposed = bool(verdicts) and all(verdicts)
        rows.append(row)
    return rows


def decisions_of(candidate_id: int) -> dict[str, CertDecision]:
    """The recorded decisions of a candidate, by competency."""
    rows = db.session.scalars(select(CertDecision).where(CertDecision.candidate_id == candidate_id))
    return {d.competency: d for d in rows}


def ready_problems(candidate: CertCandidate) -> list[str]:
    """Why the jury may not deliberate on this candidate yet (empty when it may)."""
    problems = list(composition(candidate.session).problems)
    if candidate.oral_absent_at is None and not oral.all_submitted(candidate):
        problems.append(
            _("Chaque membre du jury doit d'abord soumettre sa grille pour ce candidat.")
        )
    return problems


def result_of(acquired: dict[str, bool]) -> str:
    """certified when every competency is acquired, partial when some, not_certified when none."""
    if all(acquired.get(c, False) for c in COMPETENCIES):
        return CERTIFIED
    if any(acquired.values()):
        return PARTIAL
    return NOT_CERTIFIED


def decide(
    candidate: CertCandidate,
    *,
    choices: dict[str, str],
    justifications: dict[str, str],
    by_id: int,
    now: datetime,
) -> str:
    """Record the decision on every competency; return the candidate's result."""
    ensure_open(candidate.session)
    problems = ready_problems(candidate)
    if problems:
        raise CertificationError(" ".join(problems), 409)
    rows = {e.competency: e for e in evidence(candidate)}
    errors = []
    acquired: dict[str, bool] = {}
    for competency in COMPETENCIES:
        choice = choices.get(competency)
        if choice not in ("acquise", "non_acquise"):
            errors.append(_("%(c)s : choisissez acquise ou non acquise.", c=competency))
            continue
        acquired[competency] = choice == "acquise"
        text = (justifications.get(competency) or "").strip()
        if acquired[competency] != rows[competency].proposed and not text:
            errors.append(
                _(
                    "%(c)s : la décision s'écarte des éléments d'évaluation, justifiez-la.",
                    c=competency,
                )
            )
    if errors:
        raise CertificationError(" ".join(errors))
    existing = decisions_of(candidate.id)
    before = {c: d.acquired for c, d in existing.items()} or None
    for competency, value in acquired.items():
        text = (justifications.get(competency) or "").strip()[:4000]
        decision = existing.get(competency)
        if decision is None:
            decision = CertDecision(candidate_id=candidate.id, competency=competency)
            db.session.add(decision)
        decision.acquired = value
        decision.proposed = rows[competency].proposed
        decision.justification = text
        decision.evidence = rows[competency].to_json()
        decision.decided_by_id = by_id
        decision.decided_at = now
    previous = candidate.result
    candidate.result = result_of(acquired)
    candidate.decided_at = now
    db.session.flush()
    audit.record(
        candidate.session,
        actor_id=by_id,
        action="deliberation_recorded",
        now=now,
        subject={"candidate_id": candidate.id},
        before={"result": previous, "acquired": before},
        after={
            "result": candidate.result,
            "acquired": acquired,
            "justifications": {c: t for c, t in justifications.items() if t.strip()},
        },
    )
    return candidate.result

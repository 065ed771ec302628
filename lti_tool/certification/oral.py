"""Épreuve 2's oral: the timer, each jury member's independent marks, divergences.

A member's sheet is submitted once and never edited; the other members' sheets stay hidden
from a member until every member of the jury has submitted theirs for that candidate.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lti_tool.certification import audit
from lti_tool.certification.models import (
    ACQUIS,
    LEVELS,
    NON_ACQUIS,
    PARTIEL,
    CertCandidate,
    CertMarkSheet,
    CertSession,
)
from lti_tool.certification.referentiel import Criterion, criteria
from lti_tool.certification.services import CertificationError, ensure_open, jury
from lti_tool.extensions import db


def grid(session: CertSession) -> list[Criterion]:
    """The lines of the oral's grid: the référentiel's criteria of épreuve 2's competencies."""
    return criteria(tuple(session.rules.get("epreuve_2", ())))


@dataclass(frozen=True)
class OralTimes:
    """The oral's bounds for one candidate, tiers temps applied."""

    min_seconds: int
    max_seconds: int
    started_at: datetime | None
    ended_at: datetime | None

    @property
    def min_end(self) -> datetime | None:
        """When the minimum duration is reached."""
        return self.started_at + timedelta(seconds=self.min_seconds) if self.started_at else None

    @property
    def max_end(self) -> datetime | None:
        """When the maximum duration is reached."""
        return self.started_at + timedelta(seconds=self.max_seconds) if self.started_at else None


def oral_times(candidate: CertCandidate) -> OralTimes:
    """20 to 30 minutes by default (the certifier's rules), extended by the candidate's extra time."""
    oral = candidate.session.rules.get("oral", {})
    factor = 1 + (candidate.extra_time_percent or 0) / 100
    return OralTimes(
        min_seconds=round(int(oral.get("min_minutes", 20)) * 60 * factor),
        max_seconds=round(int(oral.get("max_minutes", 30)) * 60 * factor),
        started_at=candidate.oral_started_at,
        ended_at=candidate.oral_ended_at,
    )


def start_oral(candidate: CertCandidate, *, by_id: int, now: datetime) -> None:
    """Start the oral's timer (once), logged."""
    ensure_open(candidate.session)
    if candidate.oral_absent_at is not None:
        raise CertificationError(_l("Ce candidat a été déclaré absent à l'oral."), 409)
    if candidate.oral_started_at is not None:
        return
    candidate.oral_started_at = now
    audit.record(
        candidate.session,
        actor_id=by_id,
        action="oral_started",
        now=now,
        subject={"candidate_id": candidate.id},
        after={"started_at": now.isoformat()},
    )


def end_oral(candidate: CertCandidate, *, by_id: int, now: datetime) -> None:
    """Stop the oral's timer, logged with its duration."""
    ensure_open(candidate.session)
    if candidate.oral_started_at is None:
        raise CertificationError(_l("L'oral n'a pas commencé."))
    if candidate.oral_ended_at is not None:
        return
    candidate.oral_ended_at = now
    audit.record(
        candidate.session,
        actor_id=by_id,
        action="oral_ended",
        now=now,
        subject={"candidate_id": candidate.id},
        after={
            "ended_at": now.isoformat(),
            "seconds": int((now - candidate.oral_started_at).total_seconds()),
        },
    )


def record_absence(candidate: CertCandidate, *, by_id: int, now: datetime) -> None:
    """Record that the candidate did not come to the oral (logged): no grid is then expected,
    and épreuve 2's competencies cannot be proposed as acquired."""
    ensure_open(candidate.session)
    if candidate.oral_absent_at is not None:
        return
    if candidate.oral_started_at is not None or sheets(candidate.id):
        raise CertificationError(
            _l("L'oral de ce candidat a commencé : il ne peut plus être déclaré absent."), 409
        )
    candidate.oral_absent_at = now
    audit.record(
        candidate.session,
        actor_id=by_id,
        action="oral_absence_recorded",
        now=now,
        subject={"candidate_id": candidate.id},
        after={"absent_at": now.isoformat()},
    )


def sheets(candidate_id: int) -> list[CertMarkSheet]:
    """The submitted sheets of a candidate."""
    return list(
        db.session.scalars(
            select(CertMarkSheet)
            .where(CertMarkSheet.candidate_id == candidate_id)
            .order_by(CertMarkSheet.id)
        )
    )


def sheet_of(candidate_id: int, member_id: int) -> CertMarkSheet | None:
    """One member's sheet for a candidate."""
    sheet: CertMarkSheet | None = db.session.scalar(
        select(CertMarkSheet).where(
            CertMarkSheet.candidate_id == candidate_id, CertMarkSheet.member_id == member_id
        )
    )
    return sheet


def all_submitted(candidate: CertCandidate) -> bool:
    """True when every member of the jury has submitted a sheet for the candidate."""
    members = {m.user_id for m in jury(candidate.session_id)}
    done = {s.member_id for s in sheets(candidate.id)}
    return bool(members) and members <= done


def parse_marks(session: CertSession, form: dict[str, str]) -> dict[str, dict[str, str]]:
    """Every line marked, a comment for anything not acquired; French errors listed."""
    marks: dict[str, dict[str, str]] = {}
    problems = []
    for line in grid(session):
        level = form.get(f"level_{line.id}", "")
        comment = (form.get(f"comment_{line.id}") or "").strip()
        if level not in LEVELS:
            problems.append(
                _("%(line)s : choisissez acquis, partiellement acquis ou non acquis.", line=line.id)
            )
            continue
        if level != ACQUIS and not comment:
            problems.append(
                _(
                    "%(line)s : un commentaire est requis pour ce qui n'est pas acquis.",
                    line=line.id,
                )
            )
        marks[line.id] = {"level": level, "comment": comment[:2000]}
    if problems:
        raise CertificationError(" ".join(problems))
    return marks


def submit_sheet(
    candidate: CertCandidate,
    *,
    member_id: int,
    marks: dict[str, dict[str, str]],
    notes: str,
    now: datetime,
) -> CertMarkSheet:
    """Record a member's marks, once (a submitted sheet is never replaced), logged."""
    ensure_open(candidate.session)
    if candidate.oral_absent_at is not None:
        raise CertificationError(_l("Ce candidat a été déclaré absent à l'oral."), 409)
    if sheet_of(candidate.id, member_id) is not None:
        raise CertificationError(_l("Vous avez déjà soumis votre grille pour ce candidat."), 409)
    sheet = CertMarkSheet(
        candidate_id=candidate.id,
        member_id=member_id,
        marks=marks,
        notes=notes.strip()[:5000],
        submitted_at=now,
    )
    audit.add_recorded(
        sheet,
        candidate.session,
        actor_id=member_id,
        action="marks_submitted",
        now=now,
        subject={"candidate_id": candidate.id},
        after={"marks": marks, "notes": sheet.notes},
    )
    return sheet


def competency_level(marks: dict[str, Any], competency: str) -> str | None:
    """A member's reading of a competency: acquis when every line is, non acquis when one is
    not acquired at all, partiel otherwise (None when the sheet has no line of it)."""
    levels = [m["level"] for key, m in marks.items() if key.split(".")[0] == competency]
    if not levels:
        return None
    if all(level == ACQUIS for level in levels):
        return ACQUIS
    if any(level == NON_ACQUIS for level in levels):
        return NON_ACQUIS
    return PARTIEL


def divergences(candidate: CertCandidate) -> list[str]:
    """Competencies on which two members' sheets disagree (shown once all have submitted)."""
    found = []
    submitted = sheets(candidate.id)
    for competency in candidate.session.rules.get("epreuve_2", ()):
        levels = {competency_level(s.marks, competency) for s in submitted} - {None}
        if len(levels) > 1:
            found.append(competency)
    return found

"""Appeals (recours): lodged by a candidate within the certifier's delay after the signed PV;
the certifier records the outcome. An upheld appeal is then corrected through a new PV."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lti_tool.certification import audit, pv
from lti_tool.certification.models import CertAppeal, CertCandidate
from lti_tool.certification.services import CertificationError
from lti_tool.extensions import db

OUTCOMES = ("upheld", "dismissed")


def deadline(candidate: CertCandidate) -> datetime | None:
    """The last moment to appeal: the signed PV's signature plus the certifier's delay."""
    record = pv.signed_pv(candidate.session_id)
    if record is None or record.signed_at is None:
        return None
    return record.signed_at + timedelta(days=int(candidate.session.rules.get("appeal_days", 30)))


def of_candidate(candidate_id: int) -> list[CertAppeal]:
    """The candidate's appeals, oldest first."""
    return list(
        db.session.scalars(
            select(CertAppeal)
            .where(CertAppeal.candidate_id == candidate_id)
            .order_by(CertAppeal.id)
        )
    )


def of_session(session_id: int) -> list[CertAppeal]:
    """Every appeal of a session's candidates."""
    return list(
        db.session.scalars(
            select(CertAppeal)
            .join(CertCandidate, CertCandidate.id == CertAppeal.candidate_id)
            .where(CertCandidate.session_id == session_id)
            .order_by(CertAppeal.id)
        )
    )


def lodge(candidate: CertCandidate, *, text: str, now: datetime) -> CertAppeal:
    """Lodge an appeal (one open at a time), within the delay; logged."""
    limit = deadline(candidate)
    if limit is None:
        raise CertificationError(_l("Le procès-verbal n'est pas encore signé."), 409)
    if now > limit:
        raise CertificationError(
            _l(
                "Le délai de recours a expiré le %(date)s UTC.",
                date=limit.strftime("%d/%m/%Y %H:%M"),
            ),
            409,
        )
    text = text.strip()
    if len(text) < 20:
        raise CertificationError(
            _l("Exposez les motifs de votre recours (20 caractères au moins).")
        )
    if any(a.outcome is None for a in of_candidate(candidate.id)):
        raise CertificationError(_l("Un recours est déjà en cours d'examen."), 409)
    record = pv.signed_pv(candidate.session_id)
    assert record is not None
    appeal = CertAppeal(candidate_id=candidate.id, pv_id=record.id, text=text[:5000], lodged_at=now)
    audit.add_recorded(
        appeal,
        candidate.session,
        actor_id=candidate.user_id,
        action="appeal_lodged",
        now=now,
        subject=lambda: {
            "candidate_id": candidate.id,
            "appeal_id": appeal.id,
            "pv_id": record.id,
        },
        after={"text": appeal.text, "deadline": limit.isoformat()},
    )
    return appeal


def decide(appeal: CertAppeal, *, outcome: str, text: str, by_id: int, now: datetime) -> None:
    """The certifier records the outcome, with its reasons; logged."""
    if outcome not in OUTCOMES:
        raise CertificationError(_l("Choisissez l'issue du recours."))
    text = text.strip()
    if not text:
        raise CertificationError(_l("Motivez la décision sur le recours."))
    if appeal.outcome is not None:
        raise CertificationError(_l("L'issue de ce recours est déjà consignée."), 409)
    appeal.outcome, appeal.outcome_text = outcome, text[:5000]
    appeal.decided_at, appeal.decided_by_id = now, by_id
    audit.record(
        appeal.candidate.session,
        actor_id=by_id,
        action="appeal_decided",
        now=now,
        subject={"candidate_id": appeal.candidate_id, "appeal_id": appeal.id},
        before={"outcome": None},
        after={"outcome": outcome, "text": appeal.outcome_text},
    )

"""The PV de jury: drawn up when the session closes, confirmed by every member, immutable.

A signed PV is never changed (a guard refuses any UPDATE of it); a correction reopens the
session with a reason, and closing it again draws up a new PV that names the one it corrects.
The PV's SHA-256, each confirmation and the signature are entries of the session's chain.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import event, func, inspect, select
from sqlalchemy.orm import Session

from lti_tool.certification import audit, deliberation, services
from lti_tool.certification.models import (
    CLOSED,
    OPEN,
    CertCandidate,
    CertPv,
    CertPvSignature,
    CertSession,
)
from lti_tool.certification.pdf import pv_pdf
from lti_tool.certification.services import CertificationError
from lti_tool.extensions import db
from lti_tool.models.core import User


@event.listens_for(Session, "before_flush")
def _signed_pv_is_immutable(session: Session, _context: Any, _instances: Any) -> None:
    """Refuse any change to, or deletion of, a PV once every member has signed it."""
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, CertPv):
            history: Any = inspect(obj).attrs.signed_at.history
            was_signed = (history.deleted and history.deleted[0] is not None) or (
                not history.has_changes() and obj.signed_at is not None
            )
            if was_signed:
                raise CertificationError(_l("Un PV signé ne peut plus être modifié."), 409)


def latest(session_id: int) -> CertPv | None:
    """The session's newest PV."""
    pv: CertPv | None = db.session.scalar(
        select(CertPv)
        .where(CertPv.session_id == session_id)
        .order_by(CertPv.number.desc())
        .limit(1)
    )
    return pv


def all_of(session_id: int) -> list[CertPv]:
    """Every PV of the session, oldest first."""
    return list(
        db.session.scalars(
            select(CertPv).where(CertPv.session_id == session_id).order_by(CertPv.number)
        )
    )


def signatures(pv_id: int) -> list[CertPvSignature]:
    """The confirmations of a PV."""
    return list(
        db.session.scalars(
            select(CertPvSignature)
            .where(CertPvSignature.pv_id == pv_id)
            .order_by(CertPvSignature.id)
        )
    )


def pv_content(
    session: CertSession, number: int, previous: CertPv | None, reason: str
) -> dict[str, Any]:
    """Everything the PV states, as JSON (stored with it, the PDF drawn from it)."""
    certifier = db.session.get(User, session.created_by_id)
    members = services.jury(session.id)
    check = services.composition(session)
    candidates = []
    for candidate in services.candidates(session.id):
        decisions = deliberation.decisions_of(candidate.id)
        extra = (
            f"temps majoré de {candidate.extra_time_percent:.4g} %"
            if candidate.extra_time_percent
            else ""
        )
        candidates.append(
            {
                "candidate_id": candidate.id,
                "name": candidate.user.display_name,
                "result": candidate.result,
                "accommodations": "; ".join(x for x in (extra, candidate.accommodations) if x),
                "incidents": deliberation.incidents_for_deliberation(candidate),
                "oral_absent": candidate.oral_absent_at is not None,
                "decisions": [
                    {
                        "competency": c,
                        "acquired": d.acquired,
                        "proposed": bool(d.proposed),
                        "justification": d.justification,
                    }
                    for c, d in sorted(decisions.items())
                ],
            }
        )
    return {
        "number": number,
        "session": {
            "id": session.id,
            "title": session.title,
            "course": session.context.title,
            "starts_at": session.starts_at.strftime("%d/%m/%Y %H:%M"),
            "place": session.place,
            "certifier": certifier.display_name if certifier else "—",
            "rules": session.rules,
        },
        "jury": [
            {
                "user_id": m.user_id,
                "name": m.user.display_name,
                "status": "extérieur" if m.external else "interne",
                "appointed_at": m.appointed_at.strftime("%d/%m/%Y"),
            }
            for m in members
        ],
        "composition": (
            f"Composition conforme aux règles : {check.members} membres dont "
            f"{check.external} extérieurs (quorum {check.quorum})."
        ),
        "candidates": candidates,
        "corrects": {"number": previous.number, "sha256": previous.sha256} if previous else None,
        "correction_reason": reason,
    }


def close(session: CertSession, *, by: User, now: datetime) -> CertPv:
    """Close the session and draw up its PV (every candidate deliberated, lawful jury)."""
    services.ensure_open(session)
    problems = list(services.composition(session).problems)
    undecided = [c.user.display_name for c in services.candidates(session.id) if c.result is None]
    if undecided:
        problems.append(_("Candidats sans délibération : %(names)s.", names=", ".join(undecided)))
    if not services.candidates(session.id):
        problems.append(_("Aucun candidat dans la session."))
    if problems:
        raise CertificationError(" ".join(problems), 409)
    previous = latest(session.id)
    number = (previous.number + 1) if previous else 1
    reason = str((session.rules or {}).get("_correction_reason", "")) if previous else ""
    content = pv_content(session, number, previous, reason)
    data = pv_pdf(content, now)
    digest = hashlib.sha256(data).hexdigest()
    record = CertPv(
        session_id=session.id,
        number=number,
        corrects_id=previous.id if previous else None,
        correction_reason=reason,
        content=content,
        pdf=data,
        sha256=digest,
        created_by_id=by.id,
        created_at=now,
    )
    session.status, session.closed_at = CLOSED, now
    audit.add_recorded(
        record,
        session,
        actor_id=by.id,
        action="pv_drawn_up",
        now=now,
        subject=lambda: {"pv_id": record.id, "number": number},
        before={"status": OPEN},
        after={
            "status": CLOSED,
            "sha256": digest,
            "corrects": content["corrects"],
            "results": {c["name"]: c["result"] for c in content["candidates"]},
        },
    )
    return record


def confirm(record: CertPv, *, member: User, sha256: str, now: datetime) -> bool:
    """A jury member confirms the PV (name, time); True when this completes the signature."""
    session = db.session.get(CertSession, record.session_id)
    assert session is not None
    if not services.is_jury_member(session.id, member.id):
        raise CertificationError(_l("Seuls les membres du jury confirment le PV."), 403)
    newest = latest(session.id)
    if newest is None or newest.id != record.id or session.status != CLOSED:
        raise CertificationError(_l("Ce PV a été remplacé par un PV rectificatif."), 409)
    if sha256 != record.sha256:
        raise CertificationError(_l("L'empreinte confirmée n'est pas celle de ce PV."), 409)
    if any(s.user_id == member.id for s in signatures(record.id)):
        return False
    signature = CertPvSignature(
        pv_id=record.id,
        user_id=member.id,
        name=member.display_name,
        pv_sha256=record.sha256,
        signed_at=now,
    )
    audit.add_recorded(
        signature,
        session,
        actor_id=member.id,
        action="pv_confirmed",
        now=now,
        subject={"pv_id": record.id, "number": record.number},
        after={"name": member.display_name, "sha256": record.sha256},
    )
    signed = {s.user_id for s in signatures(record.id)}
    if {m.user_id for m in services.jury(session.id)} <= signed:
        record.signed_at = now
        db.session.flush()
        audit.record(
            session,
            actor_id=member.id,
            action="pv_signed",
            now=now,
            subject={"pv_id": record.id, "number": record.number},
            after={
                "sha256": record.sha256,
                "signatures": [
                    {"name": s.name, "at": s.signed_at.isoformat()} for s in signatures(record.id)
                ],
            },
        )
        _certificates_follow(session, record, by_id=member.id, now=now)
        return True
    return False


def _certificates_follow(
    session: CertSession, record: CertPv, *, by_id: int, now: datetime
) -> None:
    """Once a PV is signed: certificates for the certified, revocation for those a corrective
    PV no longer certifies."""
    from lti_tool.certification import certificates
    from lti_tool.certification.grades import queue_grades
    from lti_tool.certification.models import CERTIFIED

    certificates.issue_for_session(session, by_id=by_id, now=now)
    queue_grades(session, now=now)
    for candidate in services.candidates(session.id):
        held = certificates.of_candidate(candidate.id)
        if held is not None and held.revoked_at is None and candidate.result != CERTIFIED:
            certificates.revoke(
                held, reason=f"PV rectificatif n° {record.number}", by_id=by_id, now=now
            )


def reopen_for_correction(session: CertSession, *, by: User, reason: str, now: datetime) -> None:
    """Reopen a closed session to correct it; the next closing draws up a linked new PV."""
    reason = reason.strip()
    if session.status != CLOSED:
        raise CertificationError(_l("La session n'est pas close."), 409)
    if not reason:
        raise CertificationError(_l("Indiquez le motif de la correction."))
    session.status, session.closed_at = OPEN, None
    session.rules = {**session.rules, "_correction_reason": reason[:2000]}
    audit.record(
        session,
        actor_id=by.id,
        action="session_reopened_for_correction",
        now=now,
        before={"status": CLOSED},
        after={"status": OPEN, "reason": reason},
    )


def signed_pv(session_id: int) -> CertPv | None:
    """The session's newest signed PV, when the newest PV is signed."""
    record = latest(session_id)
    return record if record is not None and record.signed_at is not None else None


def is_published(candidate: CertCandidate) -> bool:
    """True when the candidate's result stands in a signed PV (the newest of the session)."""
    session = candidate.session
    return session.status == CLOSED and signed_pv(session.id) is not None


def count_signed() -> int:
    """Number of signed PVs (for the demo's summary)."""
    return int(
        db.session.scalar(select(func.count(CertPv.id)).where(CertPv.signed_at.is_not(None))) or 0
    )

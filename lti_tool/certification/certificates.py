"""Certificates: issued to certified holders when the PV is signed, verified by a public URL.

The verification page shows that the certificate exists and whether it is valid or revoked;
the holder's name, the date and the competencies only when the holder consented to each.
"""

from __future__ import annotations

import io
import secrets
from datetime import datetime
from typing import Any

import segno
from flask import current_app
from flask_babel import lazy_gettext as _l
from fpdf.enums import XPos, YPos
from sqlalchemy import select

from lti_tool.certification import audit
from lti_tool.certification.models import CERTIFIED, CertCandidate, Certificate, CertSession
from lti_tool.certification.pdf import _document, _text
from lti_tool.certification.referentiel import COMPETENCIES, CRITERIA
from lti_tool.certification.services import CertificationError
from lti_tool.extensions import db

#: What a holder may allow the verification page to show.
CONSENT_FIELDS = ("name", "date", "competencies")


def issue_for_session(
    session: CertSession, *, by_id: int | None, now: datetime
) -> list[Certificate]:
    """A certificate for every certified candidate of the session who has none (logged)."""
    issued = []
    for candidate in db.session.scalars(
        select(CertCandidate).where(
            CertCandidate.session_id == session.id, CertCandidate.result == CERTIFIED
        )
    ):
        if of_candidate(candidate.id) is not None:
            continue
        certificate = Certificate(
            candidate_id=candidate.id,
            code=secrets.token_urlsafe(18)[:24],
            issued_at=now,
            consent={},
        )
        db.session.add(certificate)
        db.session.flush()
        audit.record(
            session,
            actor_id=by_id,
            action="certificate_issued",
            now=now,
            subject={"candidate_id": candidate.id, "certificate_id": certificate.id},
            after={"code": certificate.code},
        )
        issued.append(certificate)
    return issued


def of_candidate(candidate_id: int) -> Certificate | None:
    """The candidate's certificate, if any."""
    certificate: Certificate | None = db.session.scalar(
        select(Certificate).where(Certificate.candidate_id == candidate_id)
    )
    return certificate


def by_code(code: str) -> Certificate | None:
    """The certificate a verification URL names."""
    certificate: Certificate | None = db.session.scalar(
        select(Certificate).where(Certificate.code == code)
    )
    return certificate


def verification_url(certificate: Certificate) -> str:
    """The public URL printed on the certificate and in its QR code."""
    base = str(current_app.config["TOOL_BASE_URL"]).rstrip("/")
    return f"{base}/certificat/{certificate.code}"


def set_consent(
    certificate: Certificate, chosen: dict[str, bool], *, by_id: int, now: datetime
) -> None:
    """The holder chooses what the verification page shows (logged)."""
    before = dict(certificate.consent or {})
    after = {field: bool(chosen.get(field)) for field in CONSENT_FIELDS}
    certificate.consent = after
    audit.record(
        certificate.candidate.session,
        actor_id=by_id,
        action="certificate_consent",
        now=now,
        subject={"certificate_id": certificate.id},
        before=before,
        after=after,
    )


def revoke(certificate: Certificate, *, reason: str, by_id: int, now: datetime) -> None:
    """Revoke a certificate (the verification page then says so), logged."""
    reason = reason.strip()
    if not reason:
        raise CertificationError(_l("Indiquez le motif de la révocation."))
    if certificate.revoked_at is not None:
        raise CertificationError(_l("Ce certificat est déjà révoqué."), 409)
    certificate.revoked_at, certificate.revoked_reason, certificate.revoked_by_id = (
        now,
        reason,
        by_id,
    )
    audit.record(
        certificate.candidate.session,
        actor_id=by_id,
        action="certificate_revoked",
        now=now,
        subject={"certificate_id": certificate.id, "candidate_id": certificate.candidate_id},
        before={"revoked_at": None},
        after={"revoked_at": now.isoformat(), "reason": reason},
    )


def public_view(certificate: Certificate) -> dict[str, Any]:
    """What the verification page shows: validity always, the rest only with consent."""
    consent = certificate.consent or {}
    view: dict[str, Any] = {
        "valid": certificate.revoked_at is None,
        "revoked_at": certificate.revoked_at,
        "title": "Pratique du bilan de compétences",
    }
    if consent.get("name"):
        view["name"] = certificate.candidate.user.display_name
    if consent.get("date"):
        view["issued_at"] = certificate.issued_at
    if consent.get("competencies"):
        view["competencies"] = [(c, CRITERIA[c][0]) for c in COMPETENCIES]
    return view


def certificate_pdf(certificate: Certificate) -> bytes:
    """The certificate's PDF, with the verification URL and its QR code."""
    candidate = certificate.candidate
    url = verification_url(certificate)
    pdf = _document("Certificat — Pratique du bilan de compétences", certificate.issued_at)
    pdf.set_font("DejaVu", "B", 20)
    pdf.multi_cell(0, 11, "Certificat", new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="C")
    pdf.set_font("DejaVu", "B", 14)
    pdf.multi_cell(
        0, 8, "« Pratique du bilan de compétences »", new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="C"
    )
    pdf.ln(6)
    _text(pdf, f"délivré à {candidate.user.display_name},", bold=True)
    _text(
        pdf,
        "qui a acquis l'ensemble des compétences du référentiel, par décision du jury de la "
        f"session « {candidate.session.title} » (procès-verbal signé), le "
        f"{certificate.issued_at.strftime('%d/%m/%Y')}.",
    )
    pdf.ln(2)
    for competency in COMPETENCIES:
        _text(pdf, f"{competency} — {CRITERIA[competency][0]}")
    pdf.ln(4)
    _text(pdf, f"Vérification : {url}")
    _text(pdf, f"Numéro : {certificate.code}")
    image = io.BytesIO()
    segno.make(url, error="m").save(image, kind="png", scale=5, border=2)
    image.seek(0)
    pdf.image(image, w=40, alt_text=f"Code QR de l'adresse de vérification {url}")
    return bytes(pdf.output())

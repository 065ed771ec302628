"""Step 5: certificates with a verification URL and QR code, consent, revocation."""

from __future__ import annotations

import io

from pypdf import PdfReader
from sqlalchemy import select

from lti_tool.certification import audit, certificates, pv
from lti_tool.certification.models import Certificate, CertPv
from lti_tool.extensions import db
from tests.certification.conftest import ALL_ACQUIRED, candidate_of, deliberated_session


def signed_session(client, world, launch, clock):
    session_id = deliberated_session(client, world, launch, clock)
    client.post(world.certifier.url(f"/certification/sessions/{session_id}/cloture"))
    record = db.session.scalar(select(CertPv).order_by(CertPv.id.desc()))
    assert db.session.scalar(select(Certificate)) is None  # nothing before the signatures
    for member in world.jury:
        client.post(
            member.url(f"/certification/pv/{record.id}/confirmer"),
            data={"read": "1", "sha256": record.sha256},
        )
    return session_id


def test_only_the_certified_holder_gets_a_certificate_with_url_and_qr(client, world, launch, clock):
    session_id = signed_session(client, world, launch, clock)
    (certificate,) = db.session.scalars(select(Certificate)).all()
    holder = world.trainees[0]
    assert certificate.candidate.user_id == holder.user.id
    cand = candidate_of(session_id, holder)
    response = client.get(holder.url(f"/certification/mon-resultat/{cand.id}/certificat.pdf"))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    text = reader.pages[0].extract_text()
    url = f"http://localhost/certificat/{certificate.code}"
    assert "Candidat A" in text and url in text.replace("\n", "")
    assert reader.pages[0].images, "the QR code image is embedded"
    # The other candidates have none; nobody else downloads it.
    for who in world.trainees[1:]:
        other = candidate_of(session_id, who)
        assert (
            client.get(
                who.url(f"/certification/mon-resultat/{other.id}/certificat.pdf")
            ).status_code
            == 404
        )
        assert (
            client.get(who.url(f"/certification/mon-resultat/{cand.id}/certificat.pdf")).status_code
            == 404
        )
    issued = [e for e in audit.events(session_id) if e.action == "certificate_issued"]
    assert len(issued) == 1


def test_the_verification_page_shows_only_what_the_holder_consented_to(
    client, world, launch, clock
):
    session_id = signed_session(client, world, launch, clock)
    certificate = db.session.scalar(select(Certificate))
    page = client.get(f"/certificat/{certificate.code}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Certificat valide" in text and "Candidat A" not in text and "Délivré le" not in text
    holder = world.trainees[0]
    cand = candidate_of(session_id, holder)
    client.post(
        holder.url(f"/certification/mon-resultat/{cand.id}/consentement"), data={"name": "1"}
    )
    text = client.get(f"/certificat/{certificate.code}").get_data(as_text=True)
    assert (
        "Candidat A" in text and "Délivré le" not in text and "Compétences certifiées" not in text
    )
    assert client.get("/certificat/inconnu").status_code == 404
    consent = [e for e in audit.events(session_id) if e.action == "certificate_consent"][0]
    assert consent.payload["after"] == {"name": True, "date": False, "competencies": False}


def test_revocation_is_logged_and_shown(client, world, launch, clock):
    session_id = signed_session(client, world, launch, clock)
    certificate = db.session.scalar(select(Certificate))
    url = f"/certification/certificats/{certificate.id}/revocation"
    assert client.post(world.jury[0].url(url), data={"reason": "x"}).status_code == 403
    client.post(world.certifier.url(url), data={"reason": ""})
    db.session.expire_all()
    assert certificate.revoked_at is None
    client.post(world.certifier.url(url), data={"reason": "Fraude établie au dossier."})
    db.session.expire_all()
    assert certificate.revoked_at is not None
    text = client.get(f"/certificat/{certificate.code}").get_data(as_text=True)
    assert "a été révoqué" in text
    event = [e for e in audit.events(session_id) if e.action == "certificate_revoked"][0]
    assert event.payload["after"]["reason"] == "Fraude établie au dossier."
    assert audit.verify_chain(session_id) == []


def test_a_corrective_pv_that_withdraws_the_certification_revokes_the_certificate(
    client, world, launch, clock
):
    session_id = signed_session(client, world, launch, clock)
    base = world.certifier.url(f"/certification/sessions/{session_id}")
    client.post(base + "/correction", data={"reason": "Plagiat découvert après le jury."})
    cand = candidate_of(session_id, world.trainees[0])
    client.post(
        world.jury[0].url(f"/certification/jury/candidat/{cand.id}/deliberation"),
        data={
            **ALL_ACQUIRED,
            "decision_C6": "non_acquise",
            "justification_C6": "Synthèse plagiée.",
        },
    )
    client.post(base + "/cloture")
    second = pv.latest(session_id)
    for member in world.jury:
        client.post(
            member.url(f"/certification/pv/{second.id}/confirmer"),
            data={"read": "1", "sha256": second.sha256},
        )
    db.session.expire_all()
    certificate = certificates.of_candidate(cand.id)
    assert (
        certificate.revoked_at is not None and certificate.revoked_reason == "PV rectificatif n° 2"
    )

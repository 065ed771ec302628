"""Step 4: the PV de jury (PDF), every member's confirmation, hash in the chain, immutability,
corrections through a new linked PV; what trainers and candidates see before and after."""

from __future__ import annotations

import hashlib
import io

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from lti_tool.certification import audit, pv
from lti_tool.certification.models import CertDecision, CertPv
from lti_tool.certification.services import CertificationError
from lti_tool.extensions import db
from tests.certification.conftest import ALL_ACQUIRED, candidate_of, deliberated_session


def close(client, world, session_id):
    return client.post(world.certifier.url(f"/certification/sessions/{session_id}/cloture"))


def sign_all(client, world, record):
    for member in world.jury:
        client.post(
            member.url(f"/certification/pv/{record.id}/confirmer"),
            data={"read": "1", "sha256": record.sha256},
        )


def test_no_pv_before_every_candidate_is_deliberated(client, world, launch, clock):
    from tests.certification.conftest import staff_session

    session_id = staff_session(client, world)
    close(client, world, session_id)
    assert db.session.scalar(select(CertPv)) is None
    page = client.get(world.certifier.url(f"/certification/sessions/{session_id}")).get_data(
        as_text=True
    )
    assert "Candidats sans délibération : Candidat A, Candidat B, Candidat C." in page


def test_the_pv_pdf_states_session_jury_decisions_and_its_hash_is_chained(
    client, world, launch, clock
):
    session_id = deliberated_session(client, world, launch, clock)
    assert close(client, world, session_id).status_code == 302
    record = db.session.scalar(select(CertPv))
    assert record.sha256 == hashlib.sha256(record.pdf).hexdigest()
    response = client.get(world.jury[0].url(f"/certification/pv/{record.id}.pdf"))
    assert response.status_code == 200 and response.data == record.pdf
    reader = PdfReader(io.BytesIO(record.pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Procès-verbal de jury" in text and "Session de décembre" in text
    for expected in (
        "Juré 1",
        "extérieur",
        "Candidat A",
        "certifié(e)",
        "Candidat B",
        "certification partielle",
        "non certifié(e)",
        "Salle 2, Lyon",
    ):
        assert expected in text, expected
    assert reader.metadata.title.startswith("Procès-verbal de jury n° 1")
    drawn = [e for e in audit.events(session_id) if e.action == "pv_drawn_up"]
    assert drawn[0].payload["after"]["sha256"] == record.sha256
    # The PDF is reproducible from its stored content (same bytes, same hash).
    from lti_tool.certification.pdf import pv_pdf

    assert hashlib.sha256(pv_pdf(record.content, record.created_at)).hexdigest() == record.sha256


def test_every_member_confirms_then_the_pv_is_signed_and_immutable(client, world, launch, clock):
    session_id = deliberated_session(client, world, launch, clock)
    close(client, world, session_id)
    record = db.session.scalar(select(CertPv))
    url = f"/certification/pv/{record.id}/confirmer"
    # A wrong hash, a non-member, no tick: refused.
    client.post(world.jury[0].url(url), data={"read": "1", "sha256": "0" * 64})
    assert (
        client.post(
            world.outsider.url(url), data={"read": "1", "sha256": record.sha256}
        ).status_code
        == 403
    )
    client.post(world.jury[0].url(url), data={"sha256": record.sha256})
    assert pv.signatures(record.id) == []
    client.post(world.jury[0].url(url), data={"read": "1", "sha256": record.sha256})
    db.session.expire_all()
    assert record.signed_at is None and len(pv.signatures(record.id)) == 1
    client.post(world.jury[1].url(url), data={"read": "1", "sha256": record.sha256})
    db.session.expire_all()
    assert record.signed_at is not None
    names = [s.name for s in pv.signatures(record.id)]
    assert names == ["Juré 1", "Juré 2"]
    signed = [e for e in audit.events(session_id) if e.action == "pv_signed"][0]
    assert signed.payload["after"]["sha256"] == record.sha256
    assert audit.verify_chain(session_id) == []
    # Immutable: no change, no deletion.
    record.pdf = b"forged"
    with pytest.raises(CertificationError):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(CertPv, record.id))
    with pytest.raises(CertificationError):
        db.session.flush()
    db.session.rollback()
    # Nothing can be deliberated any more in the closed session.
    cand = candidate_of(session_id, world.trainees[2])
    response = client.post(
        world.jury[0].url(f"/certification/jury/candidat/{cand.id}/deliberation"), data=ALL_ACQUIRED
    )
    assert response.status_code == 409


def test_a_correction_is_a_new_pv_that_names_the_signed_one(client, world, launch, clock, later):
    session_id = deliberated_session(client, world, launch, clock)
    close(client, world, session_id)
    first = db.session.scalar(select(CertPv))
    sign_all(client, world, first)
    base = world.certifier.url(f"/certification/sessions/{session_id}")
    client.post(base + "/correction", data={"reason": ""})
    assert db.session.get(CertPv, first.id).corrects_id is None
    client.post(base + "/correction", data={"reason": "Erreur matérielle sur C6 de Candidat B."})
    cand = candidate_of(session_id, world.trainees[1])
    later(minutes=5)
    client.post(
        world.jury[1].url(f"/certification/jury/candidat/{cand.id}/deliberation"),
        data={**ALL_ACQUIRED, "justification_C6": "La synthèse figurait en annexe du dossier."},
    )
    close(client, world, session_id)
    second = pv.latest(session_id)
    assert second.number == 2 and second.corrects_id == first.id
    assert second.content["corrects"] == {"number": 1, "sha256": first.sha256}
    assert second.content["correction_reason"] == "Erreur matérielle sur C6 de Candidat B."
    db.session.expire_all()
    assert db.session.get(CertPv, first.id).signed_at is not None  # the first one unchanged
    assert pv.signed_pv(session_id) is None  # the new PV awaits its own signatures
    sign_all(client, world, second)
    assert pv.signed_pv(session_id).id == second.id
    assert audit.verify_chain(session_id) == []


def test_access_matrix_before_and_after_the_signature(client, world, launch, clock):
    session_id = deliberated_session(client, world, launch, clock)
    cand = candidate_of(session_id, world.trainees[1])
    mine = world.trainees[1].url(f"/certification/mon-resultat/{cand.id}")
    trainer_page = world.trainer.url("/certification/resultats")
    close(client, world, session_id)
    record = db.session.scalar(select(CertPv))
    # Before the signature: the trainer sees no result and no mark; the candidate neither.
    page = client.get(trainer_page).get_data(as_text=True)
    assert "Aucun PV signé" in page and "Candidat B" not in page
    page = client.get(mine).get_data(as_text=True)
    assert "pas encore signé" in page and "Observation" not in page
    for who in (world.trainer, world.trainees[1]):
        assert client.get(who.url(f"/certification/pv/{record.id}.pdf")).status_code == 403
        assert client.get(who.url(f"/certification/jury/candidat/{cand.id}")).status_code == 403
    # Another candidate's result page does not exist for them.
    assert (
        client.get(world.trainees[0].url(f"/certification/mon-resultat/{cand.id}")).status_code
        == 404
    )
    assert client.get(world.trainees[0].url("/certification/resultats")).status_code == 403
    sign_all(client, world, record)
    page = client.get(trainer_page).get_data(as_text=True)
    assert "Candidat B" in page and "certification partielle" in page
    assert "Observation" not in page  # the jury's grids stay the jury's
    page = client.get(mine).get_data(as_text=True)
    assert "certification partielle" in page
    assert "C6 — Qualité de la conclusion du bilan de compétences" in page
    assert "C6.1 (non acquis) : Observation sur C6.1." in page
    decision = db.session.scalar(
        select(CertDecision).where(
            CertDecision.competency == "C6", CertDecision.candidate_id == cand.id
        )
    )
    assert not decision.acquired


def test_the_partial_result_page_names_the_retakes_in_the_singular(client, world, launch, clock):
    session_id = deliberated_session(client, world, launch, clock)
    close(client, world, session_id)
    sign_all(client, world, db.session.scalar(select(CertPv)))
    cand = candidate_of(session_id, world.trainees[1])
    page = client.get(world.trainees[1].url(f"/certification/mon-resultat/{cand.id}"))
    text = page.get_data(as_text=True)
    assert "pendant 12 mois pour le rattrapage (1 rattrapage permis par le certificateur)" in text


def test_the_jury_page_title_is_text_once_a_pv_exists(client, world, launch, clock):
    """The PV's block used to sit in the page's <title> as well (a misplaced endblock)."""
    session_id = deliberated_session(client, world, launch, clock)
    close(client, world, session_id)
    page = client.get(world.jury[0].url(f"/certification/jury/{session_id}")).get_data(as_text=True)
    title = page[page.index("<title>") : page.index("</title>")]
    assert "Procès-verbal" not in title and "<section" not in title
    assert page.count('id="pv-title"') == 1


def _structure_types(node, found):
    """Every structure element type (/S) under a node of the PDF's structure tree."""
    node = node.get_object()
    if isinstance(node, list) or type(node).__name__ == "ArrayObject":
        for kid in node:
            _structure_types(kid, found)
        return found
    if not hasattr(node, "get"):
        return found
    if "/S" in node:
        found.add(str(node["/S"]))
    if "/K" in node:
        _structure_types(node["/K"], found)
    return found


def test_the_pv_is_a_tagged_pdf_headings_paragraphs_tables(client, world, launch, clock):
    session_id = deliberated_session(client, world, launch, clock)
    close(client, world, session_id)
    record = db.session.scalar(select(CertPv))
    reader = PdfReader(io.BytesIO(record.pdf))
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "fr"
    assert bool(root["/MarkInfo"]["/Marked"])
    types = _structure_types(root["/StructTreeRoot"], set())
    assert {"/H1", "/H2", "/H3", "/P", "/Table", "/TR", "/TH", "/TD"} <= types, types
    assert b"pdfuaid:part" in root["/Metadata"].get_object().get_data()  # declared PDF/UA-1

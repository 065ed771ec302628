"""Step 6: the CPF record — NIR entered by the holder, validated, encrypted, masked, exported,
checked against the documented field list (one test per rule), receipts imported, purged."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from lti_tool.certification import audit, cpf
from lti_tool.certification.models import CertSession, CpfRecord
from lti_tool.extensions import db
from tests.certification.conftest import candidate_of
from tests.certification.test_certificate import signed_session

VALID = "1 84 05 75 123 456 25"
CORSICA_A = "1 84 05 2A 123 456 82"
CORSICA_B = "2 84 05 2B 123 456 59"


@pytest.fixture()
def cpf_settings(app):
    app.config.update(
        CPF_ID_CLIENT="AB12CD34", CPF_ID_CONTRAT="CTR-2026-01", CPF_CERTIFICATION_CODE="RS6000"
    )


@pytest.mark.parametrize("nir", [VALID, CORSICA_A, CORSICA_B, "184057512345625"])
def test_valid_nirs(nir):
    assert cpf.nir_problems(nir) == []


@pytest.mark.parametrize(
    ("nir", "message"),
    [
        ("1 84 05 75 123 456 26", "La clé du numéro ne correspond pas"),
        # 2A read as 20 instead of 19: the key no longer matches.
        ("1 84 05 2A 123 456 " + str(97 - 1840520123456 % 97), "La clé"),
        ("1 84 13 75 123 456 25", "mois de naissance"),
        ("5 84 05 75 123 456 25", "15 caractères"),
        ("1 84 05 75 123 456", "15 caractères"),
        ("1 84 05 2C 123 456 82", "15 caractères"),
        ("", "15 caractères"),
    ],
)
def test_invalid_nirs(nir, message):
    problems = cpf.nir_problems(nir)
    assert problems and message in " ".join(problems)


def test_the_key_formula_and_corsica():
    assert cpf.nir_key("1840575123456") == 25
    assert cpf.nir_key("184052A123456") == 97 - 1840519123456 % 97
    assert cpf.nir_key("184052B123456") == 97 - 1840518123456 % 97


def enter(client, world, session_id, nir=VALID, name="Martin"):
    holder = world.trainees[0]
    cand = candidate_of(session_id, holder)
    return client.post(
        holder.url(f"/certification/mon-resultat/{cand.id}/cpf"),
        data={"nir": nir, "birth_name": name},
    )


def test_the_holder_enters_the_nir_encrypted_and_shown_masked(client, world, launch, clock):
    session_id = signed_session(client, world, launch, clock)
    enter(client, world, session_id, nir="1 84 05 75 123 456 26")
    assert db.session.scalar(select(CpfRecord)) is None
    enter(client, world, session_id)
    record = db.session.scalar(select(CpfRecord))
    assert (
        "184057512345625" not in record.nir_encrypted
        and "MARTIN" not in record.birth_name_encrypted
    )
    assert cpf.decrypt(record.nir_encrypted) == "184057512345625"
    holder = world.trainees[0]
    cand = candidate_of(session_id, holder)
    page = client.get(holder.url(f"/certification/mon-resultat/{cand.id}")).get_data(as_text=True)
    assert "184057512345625" not in page and "1 84 05 75" not in page and "25</code>" in page
    page = client.get(world.certifier.url(f"/certification/sessions/{session_id}")).get_data(
        as_text=True
    )
    assert "184057512345625" not in page and "à transmettre" in page
    event = [e for e in audit.events(session_id) if e.action == "cpf_data_entered"][0]
    assert "184057512345625" not in str(event.payload) and "MARTIN" not in str(event.payload)
    # Nobody but a certified holder may enter data.
    other = candidate_of(session_id, world.trainees[1])
    response = client.post(
        world.trainees[1].url(f"/certification/mon-resultat/{other.id}/cpf"),
        data={"nir": VALID, "birth_name": "X"},
    )
    assert response.status_code == 404


def test_a_changed_key_cannot_read_the_nir(client, world, launch, clock, app):
    session_id = signed_session(client, world, launch, clock)
    enter(client, world, session_id)
    record = db.session.scalar(select(CpfRecord))
    from cryptography.fernet import Fernet

    app.config["CPF_NIR_KEY"] = Fernet.generate_key().decode()
    with pytest.raises(cpf.CertificationError):
        cpf.decrypt(record.nir_encrypted)


def test_the_export_contains_exactly_the_certified_holder_and_passes_every_rule(
    client, world, launch, clock, cpf_settings
):
    session_id = signed_session(client, world, launch, clock)
    enter(client, world, session_id, nir=CORSICA_A, name="  de la Tour ")
    response = client.post(world.certifier.url(f"/certification/sessions/{session_id}/cpf"))
    assert response.status_code == 200 and response.mimetype == "application/xml"
    xml = response.data
    assert cpf.check_export(xml) == []
    text = xml.decode()
    assert text.count("<cpf:passageCertification>") == 1
    assert "<cpf:nir>184052A123456</cpf:nir>" in text  # 13 characters, no key
    assert "<cpf:nomNaissance>DE LA TOUR</cpf:nomNaissance>" in text
    assert "<cpf:idClient>AB12CD34</cpf:idClient>" in text and "RS6000" in text
    assert "Candidat B" not in text and "Candidat C" not in text
    record = db.session.scalar(select(CpfRecord))
    db.session.refresh(record)
    assert record.state == "exported"
    event = [e for e in audit.events(session_id) if e.action == "cpf_exported"][0]
    assert event.payload["after"]["passages"] == [record.id_technique]
    assert "184052A" not in str(event.payload)


def test_the_export_needs_the_settings(client, world, launch, clock):
    session_id = signed_session(client, world, launch, clock)
    enter(client, world, session_id)
    response = client.post(world.certifier.url(f"/certification/sessions/{session_id}/cpf"))
    assert response.status_code == 302
    page = client.get(world.certifier.url(f"/certification/sessions/{session_id}")).get_data(
        as_text=True
    )
    assert "BILAN_CPF_ID_CLIENT" in page


@pytest.fixture()
def good_xml(client, world, launch, clock, cpf_settings):
    session_id = signed_session(client, world, launch, clock)
    enter(client, world, session_id)
    return cpf.build_export(db.session.get(CertSession, session_id), now=clock()).xml.decode()


@pytest.mark.parametrize(
    ("rule", "pattern", "replacement", "problem"),
    [
        ("idFlux", r"<cpf:idFlux>[^<]*", "<cpf:idFlux>lot-1", "idFlux"),
        ("horodatage", r"(<cpf:horodatage>[^<+]*)\+00:00", r"\1", "horodatage"),
        (
            "emetteur/idClient",
            r"<cpf:emetteur><cpf:idClient>[^<]*",
            "<cpf:emetteur><cpf:idClient>AB12",
            "emetteur/idClient",
        ),
        (
            "certificateur/idClient",
            r"<cpf:certificateur><cpf:idClient>[^<]*",
            "<cpf:certificateur><cpf:idClient>AB-12-CD",
            "certificateur/idClient",
        ),
        (
            "certificateur/idContrat",
            r"<cpf:idContrat>[^<]*",
            "<cpf:idContrat>" + "9" * 21,
            "idContrat",
        ),
        ("certification/type", r"<cpf:type>RS", "<cpf:type>XX", "certification/type"),
        ("certification/code", r"<cpf:code>RS6000", "<cpf:code>RS60A", "certification/code"),
        (
            "passageCertification/idTechnique",
            r"<cpf:idTechnique>[^<]*",
            "<cpf:idTechnique>",
            "idTechnique",
        ),
        (
            "passageCertification/obtentionCertification",
            r"PAR_ADMISSION",
            "ADMIS",
            "obtentionCertification",
        ),
        (
            "passageCertification/donneeCertifiee",
            r"<cpf:donneeCertifiee>true",
            "<cpf:donneeCertifiee>false",
            "donneeCertifiee",
        ),
        (
            "passageCertification/dateDebutValidite",
            r"<cpf:dateDebutValidite>[^<]*",
            "<cpf:dateDebutValidite>22/11/2026",
            "dateDebutValidite",
        ),
        ("identifiantNational/nir", r"<cpf:nir>[^<]*", "<cpf:nir>184057512345625", "nir"),
        (
            "identifiantNational/nomNaissance",
            r"<cpf:nomNaissance>[^<]*",
            "<cpf:nomNaissance>Martin",
            "nomNaissance",
        ),
    ],
)
def test_each_documented_rule_is_checked(good_xml, rule, pattern, replacement, problem):
    assert rule in cpf.FIELD_RULES
    broken = re.sub(pattern, replacement, good_xml, count=1)
    assert broken != good_xml
    problems = cpf.check_export(broken.encode())
    assert any(problem in p for p in problems), problems


def test_receipts_and_rejections_are_shown_per_holder(client, world, launch, clock, cpf_settings):
    session_id = signed_session(client, world, launch, clock)
    enter(client, world, session_id)
    client.post(world.certifier.url(f"/certification/sessions/{session_id}/cpf"))
    record = db.session.scalar(select(CpfRecord))
    receipt = (
        '<?xml version="1.0" encoding="UTF-8"?><compteRendu><passagesKO><passage>'
        f"<idTechnique>{record.id_technique}</idTechnique>"
        "<messageErreur>NIR inconnu du SNGI</messageErreur></passage>"
        "<passage><idTechnique>inconnu</idTechnique></passage></passagesKO></compteRendu>"
    )
    import io

    client.post(
        world.certifier.url(f"/certification/sessions/{session_id}/cpf/compte-rendu"),
        data={"receipt": (io.BytesIO(receipt.encode()), "cr.xml")},
        content_type="multipart/form-data",
    )
    db.session.expire_all()
    assert record.state == "rejected" and record.receipt_message == "NIR inconnu du SNGI"
    page = client.get(world.certifier.url(f"/certification/sessions/{session_id}")).get_data(
        as_text=True
    )
    assert "rejeté" in page and "NIR inconnu du SNGI" in page
    holder = world.trainees[0]
    cand = candidate_of(session_id, holder)
    page = client.get(holder.url(f"/certification/mon-resultat/{cand.id}")).get_data(as_text=True)
    assert "rejeté par la Caisse des Dépôts" in page and 'id="nir"' in page  # may correct it
    # An entity bomb is refused, not expanded.
    bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>'
    with pytest.raises(cpf.CertificationError):
        cpf.import_receipt(db.session.get(CertSession, session_id), bomb, by_id=1, now=clock())


def test_nir_is_erased_after_its_retention(client, world, launch, clock, app, later, runner):
    session_id = signed_session(client, world, launch, clock)
    enter(client, world, session_id)
    record = db.session.scalar(select(CpfRecord))
    assert cpf.purge(clock()) == 0
    later(days=app.config["CPF_NIR_RETENTION_DAYS"] + 1)
    assert cpf.purge(clock()) == 1
    db.session.commit()
    assert record.nir_encrypted is None and record.birth_name_encrypted is None
    assert cpf.masked(record) == "effacé"
    assert audit.verify_chain(session_id) == []

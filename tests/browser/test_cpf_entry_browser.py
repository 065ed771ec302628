"""The CPF entry page in Chromium: the certified holder types the NIR and birth name with the
keyboard; a wrong key, then an impossible number, are refused with a clear French message and
nothing is stored; the right number is stored encrypted and shown masked. axe-core at each step.

The session before it (jury, grids, deliberation, signed PV) is built through the services: the
whole session in the browser is tests/browser/test_certification_browser.py.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from lti_tool.certification import cpf, deliberation, oral, pv, services
from lti_tool.certification.models import CertCandidate
from lti_tool.certification.referentiel import COMPETENCIES
from lti_tool.clock import now
from lti_tool.extensions import db
from lti_tool.models.core import Context, User
from tests.browser.conftest import LiveServer, assert_accessible, watch_page_errors
from tests.browser.helpers import launch

pytestmark = pytest.mark.browser


def certified_holder(live) -> int:
    """A signed PV certifying Camille Stagiaire (demo course); her candidate id."""
    with live.app.app_context():
        people = {u.sub: u for u in db.session.scalars(select(User))}
        certifier, holder = people["demo-certificateur"], people["demo-stagiaire"]
        jury = [people["demo-jure-1"], people["demo-jure-2"]]
        course = db.session.scalar(select(Context).where(Context.lti_context_id == "demo-course"))
        services.grant_certifier(certifier, via="cli", now=now())
        session = services.create_session(
            context=course,
            title="Session CPF",
            starts_at=datetime(2026, 12, 10, 9, tzinfo=UTC),
            place="Salle 1",
            rules=copy.deepcopy(services.DEFAULT_RULES),
            by=certifier,
            now=now(),
        )
        candidate = services.convene(session, holder, by=certifier, now=now())
        for member in jury:
            services.appoint(session, member, external=True, by=certifier, now=now())
        marks = {line.id: {"level": "acquis", "comment": ""} for line in oral.grid(session)}
        for member in jury:
            oral.submit_sheet(candidate, member_id=member.id, marks=marks, notes="", now=now())
        deliberation.decide(
            candidate,
            choices=dict.fromkeys(COMPETENCIES, "acquise"),
            justifications={c: "Épreuve 1 passée hors de l'outil." for c in ("C1", "C2")},
            by_id=jury[0].id,
            now=now(),
        )
        record = pv.close(session, by=certifier, now=now())
        for member in jury:
            pv.confirm(record, member=member, sha256=record.sha256, now=now())
        db.session.commit()
        candidate_id = candidate.id
        db.session.remove()
        return candidate_id


def type_into(page, label, text):
    field = page.get_by_label(label)
    field.focus()
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def send(page, nir):
    type_into(page, "Numéro de sécurité sociale", nir)
    type_into(page, "Nom de naissance", "Stagiaire")
    page.get_by_role("button", name="Enregistrer mes données CPF").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_the_holder_enters_the_cpf_data_with_the_keyboard(browser, tmp_path):
    with LiveServer(tmp_path) as live:
        contexts = {}
        for role in ("jury1", "jury2", "certifier", "trainee"):
            contexts[role] = browser.new_context()
        problems = watch_page_errors(contexts["trainee"])
        for role, context in contexts.items():
            page = launch(context, live, role)
        candidate_id = certified_holder(live)
        page.get_by_role("link", name="Certification : sessions, jury, résultats").click()
        link = page.get_by_role("link", name="Voir mon résultat")
        link.focus()
        with page.expect_navigation():
            page.keyboard.press("Enter")
        expect(
            page.get_by_role("heading", name="Inscription de la certification sur votre compte CPF")
        ).to_be_visible()
        assert_accessible(page, "saisie des données CPF")

        send(page, "1 84 05 2A 123 456 83")  # the key of this number is 82
        expect(page.locator(".flashes")).to_contain_text(
            "La clé du numéro ne correspond pas : vérifiez chaque chiffre."
        )
        assert_accessible(page, "données CPF : clé refusée")
        send(page, "1 84 13 2A 123 456 82")  # month 13 does not exist
        expect(page.locator(".flashes")).to_contain_text(
            "Le mois de naissance du numéro est impossible."
        )
        with live.app.app_context():
            assert cpf.of_candidate(candidate_id) is None  # nothing stored
            db.session.remove()

        send(page, "1 84 05 2A 123 456 82")
        expect(page.locator(".flashes")).to_contain_text("Données CPF enregistrées (chiffrées)")
        expect(page.get_by_text("Numéro enregistré")).to_contain_text("82")
        html = page.content()
        # Neither the number nor the name comes back (the form's example is another number).
        assert "456 82" not in html and "184052A" not in html and "STAGIAIRE" not in html
        assert_accessible(page, "données CPF enregistrées (masquées)")
        with live.app.app_context():
            record = cpf.of_candidate(candidate_id)
            assert record is not None and record.state == "entered"
            assert b"184052A" not in record.nir_encrypted.encode()  # encrypted at rest
            assert db.session.get(CertCandidate, candidate_id).result == "certified"
            db.session.remove()
        for context in contexts.values():
            context.close()
        assert problems == []

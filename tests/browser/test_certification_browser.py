"""A whole certification session in Chromium, every person launched from the demo platform.

The certifier confirms the role and opens the session, convenes three candidates, appoints two
jury members (the candidates' trainer is refused); the jury times and marks the orals
independently (one divergence), deliberates (one certified, one partially, one not); every
member confirms the PV; the certificate's verification URL answers; the CPF export holds
exactly the certified holder; the demo LMS gradebook receives the results. Every page is
audited by axe-core (WCAG 2.1 AA) under the tool's CSP.

Épreuve 1 itself is taken in Chromium by tests/browser/test_exam_browser.py: here the three
candidates' submitted attempts are written to the database (their per-competency results are
what the deliberation reads).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from lti_tool.certification.referentiel import EPREUVE_2, criteria
from lti_tool.clock import now
from lti_tool.extensions import db
from lti_tool.models.core import ResourceLink, User
from lti_tool.models.exam import ExamAttempt
from tests.browser.conftest import LiveServer, assert_accessible, watch_page_errors

pytestmark = pytest.mark.browser

GRID = [line.id for line in criteria(EPREUVE_2)]


def launch(browser, live, role):
    """A new browser context launched as ``role`` to the course hub; its CSP/script errors."""
    context = browser.new_context(accept_downloads=True)
    errors = watch_page_errors(context)
    page = context.new_page()
    page.goto(f"{live.base}/demo/")
    href = page.eval_on_selector(f"a[href*='lti_message_hint={role}%7Chub']", "e => e.href")
    page.goto(href)
    page.wait_for_url(re.compile(r"/s/[^/]+/$"))
    return page, errors


def open_certification(page):
    page.get_by_role("link", name="Certification : sessions, jury, résultats").click()
    page.wait_for_url(re.compile(r"/certification/$"))


def sit_exam(live, sub, per_competency):
    with live.app.app_context():
        user = db.session.scalar(select(User).where(User.sub == sub))
        link = db.session.scalar(
            select(ResourceLink).where(ResourceLink.lti_resource_link_id == "demo-hub")
        )
        points = sum(p for p, _ in per_competency.values())
        items = sum(m for _, m in per_competency.values())
        db.session.add(
            ExamAttempt(
                context_id=link.context_id,
                resource_link_id=link.id,
                user_id=user.id,
                status="submitted",
                seed="browser",
                content_version="v",
                paper=[],
                duration_minutes=60,
                started_at=now(),
                deadline_at=now(),
                finished_at=now(),
                score_points=points,
                score_maximum=items,
                per_competency=per_competency,
                passed=True,
            )
        )
        db.session.commit()
        db.session.remove()


def mark(page, levels):
    """Fill the grid: every line acquis unless ``levels`` says otherwise (with a comment)."""
    for line in GRID:
        level = levels.get(line, "acquis")
        page.locator(f'input[name="level_{line}"][value="{level}"]').check()
        if level != "acquis":
            page.fill(f'textarea[name="comment_{line}"]', f"Observation du jury sur {line}.")
    page.get_by_role("button", name="Soumettre ma grille").click()
    expect(page.get_by_text("Grille soumise")).to_be_visible()


def test_a_whole_certification_session(browser, tmp_path):
    with LiveServer(tmp_path) as live:
        live.app.config.update(
            DEMO_LMS_STORE="memory",
            CPF_ID_CLIENT="AB12CD34",
            CPF_ID_CONTRAT="CTR-2026-01",
            CPF_CERTIFICATION_CODE="RS6000",
        )
        problems: dict[str, list[str]] = {}
        pages = {}
        hubs = {}
        # Everyone launches once (the tool knows people from their launches).
        for role in ("trainer", "trainee", "trainee2", "trainee3", "jury1", "jury2", "certifier"):
            pages[role], problems[role] = launch(browser, live, role)
            hubs[role] = pages[role].url

        # --- The certifier: role confirmed once, session opened, candidates, jury ----------
        certifier = pages["certifier"]
        open_certification(certifier)
        assert_accessible(certifier, "certification, administrateur")
        certifier.get_by_label("Je représente le certificateur").check()
        certifier.get_by_role("button", name="Confirmer le rôle de certificateur").click()
        expect(certifier.get_by_text("Rôle de certificateur confirmé")).to_be_visible()
        assert_accessible(certifier, "ouverture de session")
        certifier.get_by_label("Intitulé").fill("Session de décembre 2026")
        certifier.get_by_label("Date et heure des oraux (UTC)").fill("2026-12-10T09:00")
        certifier.get_by_label("Salle ou lien de visioconférence").fill("Salle 2, Lyon")
        certifier.get_by_role("button", name="Ouvrir la session").click()
        expect(certifier.get_by_role("heading", name="Session de décembre 2026")).to_be_visible()
        for name in ("Camille Stagiaire", "Sacha Durand", "Inès Moreau"):
            certifier.get_by_label(name, exact=True).check()
        certifier.get_by_role("button", name="Convoquer").click()
        expect(certifier.get_by_text("Candidats convoqués")).to_be_visible()
        # The candidates' trainer is refused.
        certifier.get_by_label("Personne (déjà connue de l'outil").select_option(
            label="Dominique Formateur"
        )
        certifier.get_by_label("Extérieur au certificateur").check()
        certifier.get_by_role("button", name="Nommer", exact=True).click()
        expect(certifier.get_by_text("a été formateur dans le cours des candidats")).to_be_visible()
        for name in ("Alex Jurée", "Yanis Juré"):
            certifier.get_by_label("Personne (déjà connue de l'outil").select_option(label=name)
            certifier.get_by_label("Extérieur au certificateur").check()
            certifier.get_by_role("button", name="Nommer", exact=True).click()
            expect(certifier.get_by_text("Membre du jury nommé")).to_be_visible()
        expect(certifier.locator("#composition")).to_contain_text("Composition conforme")
        assert_accessible(certifier, "session du certificateur")
        session_url = certifier.url

        # The candidates see their convocation.
        candidate = pages["trainee2"]
        open_certification(candidate)
        expect(candidate.get_by_text("Salle 2, Lyon")).to_be_visible()
        assert_accessible(candidate, "convocation")

        # Épreuve 1 (see the module's docstring): A and B above the thresholds, C below.
        sit_exam(live, "demo-stagiaire", {"C1": [9, 10], "C2": [8, 10]})
        sit_exam(live, "demo-stagiaire-2", {"C1": [8, 10], "C2": [7, 10]})
        sit_exam(live, "demo-stagiaire-3", {"C1": [3, 10], "C2": [2, 10]})

        # --- The orals: each member marks alone; one divergence ---------------------------
        nothing = {line: "non_acquis" for line in GRID}
        plans = {
            "jury1": {
                "Camille Stagiaire": {},
                "Sacha Durand": {"C6.1": "non_acquis"},
                "Inès Moreau": nothing,
            },
            "jury2": {
                "Camille Stagiaire": {"C5.1": "partiel"},
                "Sacha Durand": {"C6.1": "non_acquis"},
                "Inès Moreau": nothing,
            },
        }
        jury_sessions = {}
        for member in ("jury1", "jury2"):
            page = pages[member]
            open_certification(page)
            page.get_by_role("link", name="Session de décembre 2026").click()
            assert_accessible(page, f"session du jury ({member})")
            jury_sessions[member] = jury_session = page.url
            for name, levels in plans[member].items():
                page.goto(jury_session)
                page.get_by_role("link", name=name, exact=True).click()
                if member == "jury1":
                    page.get_by_role("button", name="Démarrer l'oral").click()
                    expect(page.locator("#oral-timer .elapsed")).to_have_text(
                        re.compile(r"\d\d:\d\d")
                    )
                    assert_accessible(page, "page d'oral avec chronomètre")
                mark(page, levels)
        # Once both have submitted, the divergence on C5 is shown to the members.
        page = pages["jury2"]
        page.goto(jury_sessions["jury2"])
        page.get_by_role("link", name="Camille Stagiaire", exact=True).click()
        expect(page.get_by_role("alert")).to_contain_text(
            "Divergence entre les membres sur la compétence C5"
        )
        assert_accessible(page, "grilles révélées et divergence")

        # --- Deliberation ----------------------------------------------------------------
        decisions = {
            "Camille Stagiaire": ({}, {"C5": "Outils justifiés à l'oral : divergence levée."}),
            "Sacha Durand": ({"C6": "non_acquise"}, {}),
            "Inès Moreau": (
                {c: "non_acquise" for c in ("C1", "C2", "C3", "C4", "C5", "C6", "C7")},
                {},
            ),
        }
        page = pages["jury1"]
        for name, (choices, reasons) in decisions.items():
            page.goto(jury_sessions["jury1"])
            page.get_by_role("link", name=re.compile(rf"délibérer — {name}")).click()
            assert_accessible(page, f"délibération {name}")
            for n in range(1, 8):
                value = choices.get(f"C{n}", "acquise")
                page.locator(f'input[name="decision_C{n}"][value="{value}"]').check()
            for competency, text in reasons.items():
                page.fill(f'textarea[name="justification_{competency}"]', text)
            page.get_by_role("button", name="Consigner la décision").click()
            expect(page.get_by_text("Délibération consignée")).to_be_visible()
        expect(page.locator("tbody")).to_contain_text("certifié")
        expect(page.locator("tbody")).to_contain_text("certification partielle")
        expect(page.locator("tbody")).to_contain_text("non certifié")

        # --- PV: drawn up, confirmed by every member -----------------------------------
        certifier.goto(session_url)
        certifier.get_by_role("button", name="Clore la session et établir le PV").click()
        expect(certifier.get_by_text("PV n° 1 établi")).to_be_visible()
        with certifier.expect_download() as download:
            certifier.get_by_role("link", name="PV n° 1 (PDF)").click()
        assert download.value.suggested_filename.endswith(".pdf")
        for member in ("jury1", "jury2"):
            page = pages[member]
            page.goto(jury_sessions[member])
            page.get_by_label("J'ai relu le PV").check()
            page.get_by_role("button", name="Confirmer le PV").click()
        expect(
            pages["jury2"].get_by_text("PV signé par tous les membres : définitif.")
        ).to_be_visible()
        assert_accessible(pages["jury2"], "PV signé")

        # --- The certified holder: result, certificate, verification, CPF data -------------
        holder = pages["trainee"]
        open_certification(holder)
        holder.get_by_role("link", name="Voir mon résultat").click()
        expect(
            holder.get_by_text("Toutes les compétences du référentiel sont acquises")
        ).to_be_visible()
        assert_accessible(holder, "résultat du titulaire")
        verification = holder.locator("a[href*='/certificat/']").get_attribute("href")
        holder.get_by_label("mon nom").check()
        holder.get_by_role("button", name="Enregistrer mes choix").click()
        holder.get_by_label("Numéro de sécurité sociale").fill("1 84 05 2A 123 456 82")
        holder.get_by_label("Nom de naissance").fill("Stagiaire")
        holder.get_by_role("button", name="Enregistrer mes données CPF").click()
        expect(holder.get_by_text("Données CPF enregistrées")).to_be_visible()
        assert "456 82" not in holder.content() and "184052A" not in holder.content()
        public = browser.new_context()
        public_page = public.new_page()
        public_page.goto(verification)
        expect(public_page.get_by_role("status")).to_contain_text("Certificat valide")
        expect(public_page.get_by_text("Camille Stagiaire")).to_be_visible()
        assert_accessible(public_page, "page de vérification")
        public.close()
        # The partially certified candidate sees the decision and the grid comments.
        partial = pages["trainee2"]
        partial.reload()
        partial.get_by_role("link", name="Voir mon résultat").click()
        expect(partial.get_by_text("Observation du jury sur C6.1.").first).to_be_visible()
        assert_accessible(partial, "résultat partiel")

        # --- CPF export: exactly the certified holder -------------------------------------
        certifier.goto(session_url)
        with certifier.expect_download() as download:
            certifier.get_by_role("button", name="Télécharger le fichier XML").click()
        xml = open(download.value.path(), encoding="utf-8").read()
        assert xml.count("<cpf:passageCertification>") == 1
        assert "<cpf:nir>184052A123456</cpf:nir>" in xml
        assert "<cpf:nomNaissance>STAGIAIRE</cpf:nomNaissance>" in xml
        certifier.reload()
        assert_accessible(certifier, "session close, certificats et CPF")

        # --- The LMS gradebook has the results ------------------------------------------
        with live.app.app_context():
            from lti_tool.grades.sender import send_due

            send_due(now())
            db.session.remove()
        trainer = pages["trainer"]
        trainer.goto(f"{live.base}/demo/ags/demo-course/carnet")
        body = trainer.locator("main")
        expect(body).to_contain_text("Certification — Session de décembre 2026")
        for sub in ("demo-stagiaire", "demo-stagiaire-2", "demo-stagiaire-3"):
            expect(body).to_contain_text(sub)
        # The trainer of the course now sees the results (never the grids).
        trainer.goto(hubs["trainer"] + "certification/resultats")
        expect(trainer.locator("main")).to_contain_text("certification partielle")
        expect(trainer.locator("main")).not_to_contain_text("Observation du jury")
        assert_accessible(trainer, "résultats du cours (formateur)")
        for page in pages.values():
            page.context.close()
        assert all(not found for found in problems.values()), problems

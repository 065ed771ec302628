"""A whole certification session in Chromium, every person launched from the demo platform.

The certifier confirms the role and opens the session, convenes three candidates, appoints two
jury members (the candidates' trainer is refused); the three candidates sit épreuve 1 in the
browser (launch, answer with the keyboard, submit: one right throughout, one wrong on C2's
items, one wrong throughout, from the bank's keys the course loader gives) and upload their
dossiers; the jury times and marks two orals independently (one divergence) and records the
third candidate absent; it deliberates (one certified, one partially, one not); every member
confirms the PV; the holder enters the CPF data with the keyboard (a wrong NIR key is refused
in French first); the certificate's verification URL answers; the CPF export holds exactly the
certified holder; the demo LMS gradebook receives the results. Every page is audited by
axe-core (WCAG 2.1 AA) under the tool's CSP.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from lti_tool.certification.referentiel import EPREUVE_2, criteria
from lti_tool.clock import now
from lti_tool.extensions import db
from tests.browser.conftest import LiveServer, assert_accessible, watch_page_errors
from tests.browser.helpers import (
    answer_key,
    choose_dossier,
    open_dossier,
    run_analysis,
    send_dossier,
    show_report,
    sit_exam,
)
from tests.browser.helpers import launch as launch_page
from tests.unit.dossier_fixtures import complete, to_markdown

pytestmark = pytest.mark.browser

GRID = [line.id for line in criteria(EPREUVE_2)]


def launch(browser, live, role):
    """A new browser context launched as ``role`` to the course hub; its CSP/script errors."""
    context = browser.new_context(accept_downloads=True)
    errors = watch_page_errors(context)
    page = launch_page(context, live, role)
    page.wait_for_url(re.compile(r"/s/[^/]+/$"))
    return page, errors


def open_certification(page):
    page.get_by_role("link", name="Certification : sessions, jury, résultats").click()
    page.wait_for_url(re.compile(r"/certification/$"))


#: Épreuve 1 per candidate: the competencies whose items are answered wrong.
EXAM_PLANS = {
    "trainee": ("demo-stagiaire", set()),
    "trainee2": ("demo-stagiaire-2", {"C2"}),
    "trainee3": ("demo-stagiaire-3", {"C1", "C2", "C3", "C4", "C5", "C6", "C7"}),
}


def take_exam(live, context, role):
    """The candidate launches épreuve 1, answers every item as planned, hands in the paper."""
    sub, failed = EXAM_PLANS[role]
    page = launch_page(context, live, role, "exam")
    page.wait_for_url(re.compile(r"/examen/$"))
    key = {}

    def choose(item_id):
        if not key:  # the paper exists once the attempt has started
            key.update(answer_key(live, sub))
        right, wrong, competency = key[item_id]
        return wrong[:1] if competency in failed else right

    sit_exam(page, choose)
    return page


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

        # --- Épreuve 1 in the browser: right throughout, wrong on C2, wrong throughout ------
        for role in EXAM_PLANS:
            result = take_exam(live, pages[role].context, role)
            expect(result.get_by_text("Résultat par compétence")).to_be_visible()
            if role == "trainee2":
                assert_accessible(result, "épreuve 1 : résultat")
            result.close()

        # --- Dossiers uploaded in the browser, analysed by the worker's task ----------------
        for role in EXAM_PLANS:
            page = pages[role]
            page.goto(hubs[role])
            open_dossier(page)
            choose_dossier(page, "dossier.md", to_markdown(complete()))
            send_dossier(page)
        analysed = 0  # (the worker's task takes what is waiting, in batches)
        while (done := run_analysis(live)) != "rien":
            analysed += done.count("analysée")
        assert analysed == 3
        for role in EXAM_PLANS:
            show_report(pages[role])
        assert_accessible(pages["trainee3"], "dossier : rapport")

        # --- Two orals, each member marks alone (one divergence); the third one absent -------
        plans = {
            "jury1": {"Camille Stagiaire": {}, "Sacha Durand": {"C6.1": "non_acquis"}},
            "jury2": {
                "Camille Stagiaire": {"C5.1": "partiel"},
                "Sacha Durand": {"C6.1": "non_acquis"},
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
                expect(
                    page.get_by_role("link", name=re.compile("Télécharger le dossier"))
                ).to_be_visible()
                if member == "jury1":
                    page.get_by_role("button", name="Démarrer l'oral").click()
                    expect(page.locator("#oral-timer .elapsed")).to_have_text(
                        re.compile(r"\d\d:\d\d")
                    )
                    assert_accessible(page, "page d'oral avec chronomètre")
                mark(page, levels)
        # Inès Moreau does not come to the oral: recorded with the keyboard.
        page = pages["jury1"]
        page.goto(jury_sessions["jury1"])
        page.get_by_role("link", name="Inès Moreau", exact=True).click()
        page.get_by_label("Le candidat ne s'est pas présenté à l'oral.").focus()
        page.keyboard.press("Space")
        page.get_by_role("button", name="Consigner l'absence à l'oral").focus()
        page.keyboard.press("Enter")
        expect(page.get_by_text("Absence à l'oral consignée")).to_be_visible()
        assert_accessible(page, "oral : candidat absent")
        # Once both have submitted, the divergence on C5 (and only there) is shown.
        page = pages["jury2"]
        page.goto(jury_sessions["jury2"])
        page.get_by_role("link", name="Camille Stagiaire", exact=True).click()
        expect(page.get_by_role("alert")).to_contain_text(
            "Divergence entre les membres sur la compétence C5"
        )
        assert_accessible(page, "grilles révélées et divergence")
        page.goto(jury_sessions["jury2"])
        page.get_by_role("link", name="Sacha Durand", exact=True).click()
        expect(page.get_by_text("Observation du jury sur C6.1.").first).to_be_visible()
        expect(page.get_by_role("alert")).to_have_count(0)

        # --- Deliberation: épreuve 1's per-competency results are the evidence --------------
        decisions = {
            "Camille Stagiaire": ({}, {"C5": "Outils justifiés à l'oral : divergence levée."}),
            "Sacha Durand": ({"C2": "non_acquise", "C6": "non_acquise"}, {}),
            "Inès Moreau": (
                {c: "non_acquise" for c in ("C1", "C2", "C3", "C4", "C5", "C6", "C7")},
                {},
            ),
        }
        exam_rows = {
            "Camille Stagiaire": ("atteint", "atteint"),
            "Sacha Durand": ("atteint", "non atteint"),
            "Inès Moreau": ("non atteint", "non atteint"),
        }
        page = pages["jury1"]
        for name, (choices, reasons) in decisions.items():
            page.goto(jury_sessions["jury1"])
            page.get_by_role("link", name=re.compile(rf"délibérer — {name}")).click()
            rows = page.locator("table.deliberation tbody tr")
            for n, state in enumerate(exam_rows[name]):
                expect(rows.nth(n).locator("td").first).to_contain_text(f": {state}")
            assert_accessible(page, f"délibération {name}")
            for n in range(1, 8):
                value = choices.get(f"C{n}", "acquise")
                page.locator(f'input[name="decision_C{n}"][value="{value}"]').check()
            for competency, text in reasons.items():
                page.fill(f'textarea[name="justification_{competency}"]', text)
            page.get_by_role("button", name="Consigner la décision").click()
            expect(page.get_by_text("Délibération consignée")).to_be_visible()
        body = page.locator("tbody")
        for name, result in (
            ("Camille Stagiaire", "certifié"),
            ("Sacha Durand", "certification partielle"),
            ("Inès Moreau", "non certifié"),
        ):
            expect(body.locator("tr", has_text=name)).to_contain_text(result)
        expect(body.locator("tr", has_text="Inès Moreau")).to_contain_text("absent")

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
        holder.goto(hubs["trainee"])
        open_certification(holder)
        holder.get_by_role("link", name="Voir mon résultat").click()
        expect(
            holder.get_by_text("Toutes les compétences du référentiel sont acquises")
        ).to_be_visible()
        assert_accessible(holder, "résultat du titulaire")
        verification = holder.locator("a[href*='/certificat/']").get_attribute("href")
        holder.get_by_label("mon nom").check()
        holder.get_by_role("button", name="Enregistrer mes choix").click()
        # The CPF entry, with the keyboard: a wrong key is refused in French, nothing stored.
        assert_accessible(holder, "saisie des données CPF")
        for nir in ("1 84 05 2A 123 456 83", "1 84 05 2A 123 456 82"):
            field = holder.get_by_label("Numéro de sécurité sociale")
            field.focus()
            holder.keyboard.press("Control+A")
            holder.keyboard.type(nir)
            holder.get_by_label("Nom de naissance").focus()
            holder.keyboard.press("Control+A")
            holder.keyboard.type("Stagiaire")
            holder.get_by_role("button", name="Enregistrer mes données CPF").focus()
            holder.keyboard.press("Enter")
            holder.wait_for_load_state()
            if nir.endswith("83"):
                expect(holder.locator(".flashes")).to_contain_text(
                    "La clé du numéro ne correspond pas : vérifiez chaque chiffre."
                )
                expect(holder.get_by_text("Numéro enregistré")).to_have_count(0)
                assert_accessible(holder, "données CPF : clé du NIR refusée")
        expect(holder.get_by_text("Données CPF enregistrées")).to_be_visible()
        assert_accessible(holder, "données CPF enregistrées (masquées)")
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
        partial.goto(hubs["trainee2"])
        open_certification(partial)
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
        # One certification row per candidate (épreuve 1's own rows are there too).
        column = body.locator("tr", has_text="Certification — Session de décembre 2026")
        for sub, grade, comment in (
            ("demo-stagiaire", "7 / 7", "Certifié : toutes les compétences sont acquises."),
            ("demo-stagiaire-2", "5 / 7", "à repasser C2, C6"),
            ("demo-stagiaire-3", "0 / 7", "Non certifié : aucune compétence acquise."),
        ):
            row = column.filter(has=trainer.get_by_role("rowheader", name=sub, exact=True))
            expect(row).to_have_count(1)
            expect(row).to_contain_text(grade)
            expect(row).to_contain_text(comment)
        # The trainer of the course now sees the results (never the grids).
        trainer.goto(hubs["trainer"] + "certification/resultats")
        expect(trainer.locator("main")).to_contain_text("certification partielle")
        expect(trainer.locator("main")).not_to_contain_text("Observation du jury")
        assert_accessible(trainer, "résultats du cours (formateur)")
        for page in pages.values():
            page.context.close()
        assert all(not found for found in problems.values()), problems

"""Authoring in the tool, in Chromium: a trainer writes a case study with the checker beside the
text, publishes it, a trainee plays it while v2 is published, a newcomer gets v2, another
course's trainer does not see it, and the course space exported re-imports identically."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from course.templates import CASE_TEMPLATE
from lti_tool.clock import now
from lti_tool.extensions import db
from lti_tool.launch_session import create_launch_session
from lti_tool.models.core import Context, Enrollment, User
from lti_tool.models.learning import CasePlay
from lti_tool.models.lti import Deployment, Registration
from tests.browser.conftest import LiveServer, assert_accessible

pytestmark = pytest.mark.browser
SLUG = "nouvelle-etude-de-cas"
ORPHAN = "\n## Une étape oubliée {#oubliee}\n\nPersonne n'arrive ici.\n\n### Débriefing\n\nRien.\n"


def launch_as(live: LiveServer, role: str, sub: str, course: str = "course-1") -> str:
    """A launch session of ``sub`` in ``course`` (as the LTI launch would create), its URL base."""
    with live.app.app_context():
        registration = db.session.scalar(select(Registration).where(Registration.client_id == "c1"))
        if registration is None:
            registration = Registration(
                issuer="https://lms.example.org",
                client_id="c1",
                name="LMS",
                active=True,
                auth_login_url="https://lms.example.org/auth",
                auth_token_url="https://lms.example.org/token",
                key_set_url="https://lms.example.org/jwks",
                platform_profile="moodle",
                created_at=now(),
            )
            db.session.add(registration)
            db.session.add(
                Deployment(
                    registration=registration, deployment_id="1", active=True, created_at=now()
                )
            )
            db.session.flush()
        deployment = db.session.scalar(
            select(Deployment).where(Deployment.registration_id == registration.id)
        )
        user = User(issuer=registration.issuer, sub=sub, name=sub.title(), created_at=now())
        context = db.session.scalar(select(Context).where(Context.lti_context_id == course))
        if context is None:
            context = Context(
                registration_id=registration.id,
                deployment_id=deployment.id,
                lti_context_id=course,
                title=course,
                created_at=now(),
            )
        db.session.add_all([user, context])
        db.session.flush()
        db.session.add(
            Enrollment(user_id=user.id, context_id=context.id, role=role, last_launch_at=now())
        )
        token = create_launch_session(user_id=user.id, context_id=context.id, role=role)
        db.session.commit()
    return f"{live.base}/s/{token}"


def play_first_choice(page: Any, base: str, label: re.Pattern[str]) -> None:
    page.goto(f"{base}/cas/{SLUG}")
    page.get_by_role("button", name="Commencer").click()
    page.wait_for_selector("#etape")
    # (labels are typeset: typographic apostrophes, so the choice is found by its start)
    page.get_by_label(label).check()
    page.get_by_role("button", name=re.compile("Valider")).click()
    page.wait_for_selector("#etape")


def test_a_trainer_writes_publishes_and_learners_keep_their_version(browser, tmp_path):
    with LiveServer(tmp_path) as live:
        trainer = launch_as(live, "trainer", "formatrice")
        context = browser.new_context(accept_downloads=True)
        page = context.new_page()
        page.goto(f"{trainer}/auteur/")
        assert_accessible(page, context="auteur : liste")
        page.get_by_label("Étude de cas à embranchements").check()
        page.get_by_role("button", name="Créer le brouillon").click()
        page.wait_for_url(re.compile(r"/auteur/contenus/\d+$"))
        expect(page.locator("#check-summary")).to_contain_text("Aucune erreur")
        # An unreachable step, typed in: the error appears beside its line while typing.
        text = page.get_by_label("Fichier Markdown, en-tête compris")
        text.focus()
        page.keyboard.press("Control+End")
        page.keyboard.insert_text(ORPHAN)
        line = (CASE_TEMPLATE + ORPHAN).splitlines().index("## Une étape oubliée {#oubliee}") + 1
        button = page.get_by_role("button", name=f"Ligne {line}")
        expect(button).to_be_visible()
        expect(page.locator("#problems")).to_contain_text("oubliee")
        expect(page.locator("#gutter .has-error")).to_contain_text(str(line))
        expect(page.locator("#check-summary")).to_contain_text("erreur")
        assert_accessible(page, context="auteur : éditeur avec une erreur")
        # The keyboard takes the trainer to the line.
        button.focus()
        page.keyboard.press("Enter")
        expect(text).to_be_focused()
        start = text.evaluate("t => t.value.slice(0, t.selectionStart).split('\\n').length")
        assert start == line
        # Fixed, then published.
        text.fill(CASE_TEMPLATE)
        expect(page.locator("#check-summary")).to_contain_text("Aucune erreur")
        page.get_by_role("button", name="Enregistrer et publier").click()
        expect(page.locator(".flashes")).to_contain_text("Version 1 publiée")

        # A trainee starts v1 and makes the first choice.
        learner = context.new_page()
        first = launch_as(live, "trainee", "premiere")
        play_first_choice(
            learner,
            first,
            re.compile("^Je lui explique que le bilan ne se fait"),
        )
        # Meanwhile the trainer publishes v2 (the step renamed).
        v2 = CASE_TEMPLATE.replace("#analyse-demande", "#comprendre-la-demande")
        page.get_by_label("Fichier Markdown, en-tête compris").fill(v2)
        page.get_by_role("button", name="Enregistrer et publier").click()
        expect(page.locator(".flashes")).to_contain_text("Version 2 publiée")
        # The trainee finishes on v1 with a coherent score.
        learner.reload()
        learner.get_by_label(re.compile("^Je reformule")).check()
        learner.get_by_role("button", name=re.compile("Valider")).click()
        learner.get_by_role("heading", name="Débriefing").first.wait_for()
        assert "Score : 100" in learner.content()
        # A newcomer gets v2.
        newcomer = launch_as(live, "trainee", "nouveau")
        play_first_choice(
            learner,
            newcomer,
            re.compile("^Je lui explique que le bilan ne se fait"),
        )
        with live.app.app_context():
            versions = dict(
                db.session.execute(
                    select(User.sub, CasePlay.authored_version).join(
                        User, User.id == CasePlay.user_id
                    )
                ).all()
            )
        assert versions == {"premiere": 1, "nouveau": 2}

        # History with the diff, keyboard reachable and accessible.
        page.get_by_role("link", name="Versions publiées et différences").click()
        expect(
            page.get_by_role("heading", name=re.compile("Changements de la version 2"))
        ).to_be_visible()
        expect(page.locator("ol.diff ins").first).to_contain_text("comprendre-la-demande")
        assert_accessible(page, context="auteur : versions")

        # Another course's trainer sees nothing of it.
        stranger = launch_as(live, "trainer", "autre", course="course-2")
        other = context.new_page()
        other.goto(f"{stranger}/auteur/")
        assert "Karim, orienté" not in other.content()
        assert other.goto(f"{stranger}/cas/{SLUG}").status == 404

        # The course space exported, imported in the other course, exports identically.
        page.goto(f"{trainer}/auteur/")
        with page.expect_download() as download:
            page.get_by_role("link", name="Exporter tous les contenus (zip)").click()
        archive = download.value.path().read_bytes()
        # (ids are unique on a platform: the original gives way to its imported copy)
        page.get_by_role("link", name=re.compile("Karim, orienté")).click()
        page.get_by_label(re.compile("Je confirme la suppression")).check()
        page.get_by_role("button", name="Supprimer ce contenu").click()
        other.goto(f"{stranger}/auteur/")
        other.get_by_label(re.compile("Fichier .md, ou zip")).set_input_files(
            files=[{"name": "contenus.zip", "mimeType": "application/zip", "buffer": archive}]
        )
        other.get_by_role("button", name="Importer en brouillon").click()
        expect(other.locator(".flashes")).to_contain_text("importé")
        with other.expect_download() as download:
            other.get_by_role("link", name="Exporter tous les contenus (zip)").click()
        again = download.value.path().read_bytes()
        before, after = zipfile.ZipFile(io.BytesIO(archive)), zipfile.ZipFile(io.BytesIO(again))
        assert {n: before.read(n) for n in before.namelist()} == {
            n: after.read(n) for n in after.namelist()
        }
        context.close()


def test_the_question_import_report_lists_what_was_left_out(browser, tmp_path):
    """A GIFT file with types our checks do not have: the report names each one with its line,
    the page opens on it (the keyboard continues from there), and it is axe-clean."""
    fixtures = Path(__file__).resolve().parents[1] / "fixtures" / "question_import"
    with LiveServer(tmp_path) as live:
        trainer = launch_as(live, "trainer", "formatrice")
        context = browser.new_context()
        page = context.new_page()
        page.goto(f"{trainer}/auteur/")
        page.get_by_label("Module de formation").check()
        page.get_by_role("button", name="Créer le brouillon").click()
        page.wait_for_url(re.compile(r"/auteur/contenus/\d+$"))
        page.get_by_label("Fichier GIFT ou Moodle XML").set_input_files(
            str(fixtures / "banque-c1.gift")
        )
        submit = page.get_by_role("button", name="Ajouter les questions au brouillon")
        submit.focus()
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/questions#rapport-import$"))
        report = page.locator("#rapport-import")
        expect(report.get_by_role("heading", name="Import de questions")).to_be_visible()
        expect(report).to_contain_text("4 questions importées, 4 non importées")
        for left_out in ("réponse courte", "numérique", "appariement", "composition"):
            expect(report.get_by_role("listitem").filter(has_text=left_out)).to_have_count(1)
        expect(report.get_by_role("listitem").filter(has_text="ligne 27")).to_contain_text(
            "Destinataire de la synthèse"
        )
        assert_accessible(page, context="auteur : rapport d'import de questions")
        # The keyboard goes on from the report to the editor holding the imported questions.
        page.keyboard.press("Tab")
        editor = page.get_by_label("Fichier Markdown, en-tête compris")
        expect(editor).to_be_focused()
        assert "<!-- question: duree-maximale competency=C1 -->" in editor.input_value()
        context.close()

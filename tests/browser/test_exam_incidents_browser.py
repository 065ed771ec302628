"""Incidents on the monitoring page in Chromium (issue 16 point 4, issue 18): the trainer grants
the time a detected outage cost in one click, then records an incident seen in the room with the
time granted — keyboard only, every state audited by axe-core."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from lti_tool.clock import now
from lti_tool.exam.incidents import ExamIncident
from lti_tool.extensions import db
from lti_tool.models.exam import ExamAttempt
from tests.browser.conftest import LiveServer, assert_accessible, watch_page_errors
from tests.browser.test_exam_session_browser import _launch

pytestmark = pytest.mark.browser


def test_trainer_grants_an_outage_and_records_an_incident_with_the_keyboard(browser, tmp_path):
    with LiveServer(tmp_path) as live:
        context = browser.new_context()
        problems = watch_page_errors(context)
        candidate = _launch(context, live, "Lancer en tant que stagiaire")
        candidate.get_by_role("button", name="Commencer l'épreuve").focus()
        candidate.keyboard.press("Enter")
        candidate.wait_for_url(re.compile(r"/examen/passer$"))
        with live.app.app_context():
            attempt = db.session.scalar(select(ExamAttempt))
            deadline = attempt.deadline_at
            # What the candidate's page reports after 95 s without being able to save.
            db.session.add(
                ExamIncident(
                    attempt_id=attempt.id,
                    kind="outage",
                    started_at=now(),
                    ended_at=now(),
                    seconds_lost=95,
                    compensated_seconds=0,
                    note="",
                )
            )
            db.session.commit()
            attempt_id = attempt.id

        trainer = _launch(context, live, "Lancer en tant que formateur")
        trainer.wait_for_url(re.compile(r"/examen/suivi$"))
        expect(trainer.locator("#incident-table")).to_contain_text("panne ou coupure détectée")
        assert_accessible(trainer, context="épreuve : suivi, incident détecté")
        grant = trainer.get_by_role("button", name=re.compile(r"^Accorder 1 min 35 s à "))
        grant.focus()
        with trainer.expect_navigation():
            trainer.keyboard.press("Enter")
        status = trainer.locator(".flashes[role=status]")
        assert "Temps accordé : 1 min 35 s." in status.inner_text()
        assert trainer.get_by_role("button", name=re.compile(r"^Accorder ")).count() == 0
        assert_accessible(trainer, context="épreuve : suivi, temps accordé")

        summary = trainer.get_by_text("Inscrire un incident", exact=True)
        summary.focus()
        trainer.keyboard.press("Enter")
        kind = trainer.get_by_label("Nature de l'incident")
        kind.focus()
        kind.select_option(label="malaise ou indisposition")
        minutes = trainer.get_by_label("Temps accordé (minutes)")
        minutes.focus()
        trainer.keyboard.press("Control+A")
        trainer.keyboard.type("10")
        note = trainer.get_by_label("Description (obligatoire)")
        note.focus()
        trainer.keyboard.type("Malaise à 10 h 20, sortie accompagnée, retour à 10 h 30.")
        assert_accessible(trainer, context="épreuve : suivi, formulaire d'incident ouvert")
        trainer.get_by_role("button", name="Inscrire l'incident").focus()
        with trainer.expect_navigation():
            trainer.keyboard.press("Enter")
        assert "Incident enregistré pour" in trainer.locator(".flashes[role=status]").inner_text()
        table = trainer.locator("#incident-table")
        expect(table).to_contain_text("malaise ou indisposition")
        expect(table).to_contain_text("10 min 00 s")
        # The audit log names the action in French (its code is not shown).
        assert "Incident pendant l’épreuve" in trainer.content() or "Incident pendant l'épreuve" in trainer.content()
        assert_accessible(trainer, context="épreuve : suivi, incident inscrit")

        with live.app.app_context():
            attempt = db.session.get(ExamAttempt, attempt_id)
            assert (attempt.deadline_at - deadline).total_seconds() == 95 + 600
        assert problems == []
        context.close()

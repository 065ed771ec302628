"""Closing the exam session in Chromium: the trainer publishes, a candidate finds it closed,
the trainer reopens it for that candidate, who can then start (keyboard only)."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import LiveServer, assert_accessible
from tests.browser.helpers import launch

pytestmark = pytest.mark.browser


def test_closing_and_reopening_the_session_with_the_keyboard(browser, tmp_path):
    with LiveServer(tmp_path) as live:
        context = browser.new_context()
        candidate = launch(context, live, "trainee", "exam")
        assert candidate.get_by_role("button", name="Commencer l'épreuve").is_visible()
        assert_accessible(candidate, context="épreuve : introduction (session ouverte)")
        trainer = launch(context, live, "trainer", "exam")
        trainer.wait_for_url(re.compile(r"/examen/suivi$"))
        assert "Publier la correction clôt la session" in trainer.content()
        assert_accessible(trainer, context="épreuve : suivi formateur")
        publish = trainer.get_by_role("button", name="Clore la session et publier la correction")
        publish.focus()
        with trainer.expect_navigation():
            trainer.keyboard.press("Enter")
        status = trainer.locator(".flashes[role=status]")
        assert "La session est close" in status.inner_text()
        assert_accessible(trainer, context="épreuve : suivi, session close")

        candidate.reload()
        candidate.get_by_role("heading", name="Épreuve 1 : session close").wait_for()
        assert (
            "aucune épreuve ne peut plus commencer"
            in candidate.locator("[role=status]").inner_text()
        )
        assert candidate.get_by_role("button", name="Commencer l'épreuve").count() == 0
        assert_accessible(candidate, context="épreuve : session close (candidat)")

        summary = trainer.get_by_text("Rouvrir la session pour ce candidat")
        summary.focus()
        trainer.keyboard.press("Enter")
        reason = trainer.get_by_label("Motif (obligatoire)").last
        reason.focus()
        trainer.keyboard.type("Arrivé en retard : train supprimé, justificatif fourni")
        assert_accessible(trainer, context="épreuve : suivi, formulaire de réouverture ouvert")
        trainer.get_by_role("button", name="Rouvrir pour ce candidat").focus()
        with trainer.expect_navigation():
            trainer.keyboard.press("Enter")
        assert "Session rouverte pour" in trainer.locator(".flashes[role=status]").inner_text()
        assert "Session rouverte pour un candidat" in trainer.content()
        assert_accessible(trainer, context="épreuve : suivi, session rouverte pour un candidat")

        candidate.reload()
        start = candidate.get_by_role("button", name="Commencer l'épreuve")
        start.focus()
        candidate.keyboard.press("Enter")
        candidate.wait_for_url(re.compile(r"/examen/passer$"))
        assert candidate.locator("form.exam-item").count() >= 30
        context.close()

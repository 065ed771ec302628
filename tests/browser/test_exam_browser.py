"""The whole questionnaire in Chromium with the keyboard only, offline in the middle."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from lti_tool.extensions import db
from lti_tool.models.exam import ExamAnswer, ExamAttempt
from tests.browser.conftest import LiveServer

pytestmark = pytest.mark.browser


def test_exam_with_keyboard_only_and_a_network_drop(browser, tmp_path):
    with LiveServer(tmp_path) as live:
        context = browser.new_context()
        page = context.new_page()
        page.goto(f"{live.base}/demo/")
        page.get_by_role("link", name="Épreuve 1 : questionnaire de certification").first.click()
        page.wait_for_url(re.compile(r"/examen/$"))
        start = page.get_by_role("button", name="Commencer l'épreuve")
        start.focus()
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/examen/passer$"))
        forms = page.locator("form.exam-item")
        total = forms.count()
        assert total >= 30
        status = page.locator("#save-status")
        for index in range(total):
            if index == total // 2:
                context.set_offline(True)
            first_choice = forms.nth(index).locator('input[name="choice"]').first
            first_choice.focus()
            page.keyboard.press("Space")
            if index == total // 2 + 2:
                assert "Hors ligne" in status.inner_text()
        context.set_offline(False)
        page.evaluate("window.dispatchEvent(new Event('online'))")
        page.wait_for_function(
            "document.getElementById('save-status').textContent.includes('Toutes vos réponses sont enregistrées')",
            timeout=60000,
        )
        with live.app.app_context():
            attempt = db.session.scalar(select(ExamAttempt))
            saved = db.session.scalars(
                select(ExamAnswer).where(ExamAnswer.attempt_id == attempt.id)
            ).all()
            assert len(saved) == total
        submit = page.get_by_role("button", name="Remettre ma copie")
        submit.focus()
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/examen/resultat$"))
        assert "Résultat par compétence" in page.content()
        context.close()

"""The whole questionnaire in Chromium with the keyboard only, offline in the middle."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from lti_tool.extensions import db
from lti_tool.models.exam import ExamAnswer, ExamAttempt
from tests.browser.conftest import LiveServer, assert_accessible, watch_page_errors
from tests.browser.helpers import EXAM, start_exam, submit_exam, wait_all_saved

pytestmark = pytest.mark.browser


def test_exam_with_keyboard_only_and_a_network_drop(browser, tmp_path):
    with LiveServer(tmp_path) as live:
        context = browser.new_context()
        problems = watch_page_errors(context)
        page = context.new_page()
        page.goto(f"{live.base}/demo/")
        assert_accessible(page, context="plateforme de démonstration")
        page.get_by_role("link", name=EXAM).first.click()
        page.wait_for_url(re.compile(r"/examen/$"))
        assert_accessible(page, context="épreuve : introduction")
        start_exam(page)
        forms = page.locator("form.exam-item")
        total = forms.count()
        assert total >= 30
        assert_accessible(page, context="épreuve : copie vierge")
        status = page.locator("#save-status")
        for index in range(total):
            if index == total // 2:
                context.set_offline(True)
            first_choice = forms.nth(index).locator('input[name="choice"]').first
            first_choice.focus()
            page.keyboard.press("Space")
            if index == total // 2 + 2:
                assert "Hors ligne" in status.inner_text()
                assert_accessible(page, context="épreuve : copie hors ligne")
        context.set_offline(False)
        page.evaluate("window.dispatchEvent(new Event('online'))")
        wait_all_saved(page)
        with live.app.app_context():
            attempt = db.session.scalar(select(ExamAttempt))
            saved = db.session.scalars(
                select(ExamAnswer).where(ExamAnswer.attempt_id == attempt.id)
            ).all()
            assert len(saved) == total
        assert_accessible(page, context="épreuve : copie remplie, tout enregistré")
        submit_exam(page)
        assert "Résultat par compétence" in page.content()
        assert_accessible(page, context="épreuve : résultat")
        # The demo platform's auto-submitted forms, the exam's scripts and its JSON messages
        # block all run under script-src 'self' without a single violation.
        assert problems == []
        context.close()


def test_an_injected_inline_script_or_handler_never_runs(browser, tmp_path):
    with LiveServer(tmp_path) as live:
        context = browser.new_context()
        problems = watch_page_errors(context)
        page = context.new_page()
        page.goto(f"{live.base}/demo/")
        # What an XSS that slipped through the escaping would add to a page of the tool.
        page.evaluate(
            """() => {
              const script = document.createElement("script");
              script.textContent = "window.injected = 'script'";
              document.body.appendChild(script);
              const image = document.createElement("div");
              image.innerHTML = '<img src="data:," onerror="window.handler = 1">';
              document.body.appendChild(image);
            }"""
        )
        page.wait_for_timeout(200)  # let the image's load or error event fire
        assert page.evaluate("window.injected") is None
        assert page.evaluate("window.handler") is None
        assert any("script-src" in problem for problem in problems), problems
        context.close()

"""A module read and a knowledge check answered with the keyboard only, in Chromium."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import LiveServer, assert_accessible

pytestmark = pytest.mark.browser


def test_module_and_knowledge_check_with_the_keyboard(browser, tmp_path):
    with LiveServer(tmp_path) as live:
        context = browser.new_context()
        page = context.new_page()
        page.goto(f"{live.base}/demo/")
        page.get_by_role("link", name="Modules de formation").first.click()
        page.wait_for_url(re.compile(r"/modules/$"))
        assert_accessible(page, context="modules : liste")
        link = page.locator("main a[href*='/modules/c1-']").first
        link.focus()
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/modules/c1-"))
        assert page.get_by_role("navigation", name="Sommaire du module").count() == 1
        assert_accessible(page, context="module : lecture")
        form = page.locator("form.check").first
        form.locator('input[name="choice"]').first.focus()
        page.keyboard.press("Space")
        form.get_by_role("button", name="Valider ma réponse").focus()
        page.keyboard.press("Enter")
        page.wait_for_load_state()
        status = page.locator("form.check [role=status]").first
        status.wait_for()
        assert re.search(r"Bonne réponse|Ce n'est pas la bonne réponse", status.inner_text())
        # The page came back on the question just answered, its feedback focused (read at once).
        assert page.evaluate("document.activeElement.classList.contains('check-feedback')"), page.evaluate("document.activeElement.outerHTML.slice(0, 300)")
        assert_accessible(page, context="module : réponse au test de connaissances")
        context.close()


def test_module_title_first_and_feedback_after_the_options(browser, tmp_path):
    """Issue 15, point 15: the h1 opens the page (before « Objectifs » and « Sommaire »), and a
    question's feedback comes after all its options, in the announced status region."""
    with LiveServer(tmp_path) as live:
        context = browser.new_context()
        page = context.new_page()
        page.goto(f"{live.base}/demo/")
        page.get_by_role("link", name="Modules de formation").first.click()
        page.wait_for_url(re.compile(r"/modules/$"))
        page.locator("main a[href*='/modules/c1-']").first.click()
        page.wait_for_url(re.compile(r"/modules/c1-"))
        headings = page.locator("article.module h1, article.module h2").all_inner_texts()
        assert page.locator("h1").count() == 1
        assert headings[0] == page.locator("h1").inner_text()
        assert headings.index("Objectifs") == 1 and "Sommaire" in headings
        form = page.locator("form.check").first
        last_option = form.locator(".proposition").last
        form.locator('input[name="choice"]').last.focus()
        page.keyboard.press("Space")
        form.get_by_role("button", name="Valider ma réponse").focus()
        with page.expect_navigation():
            page.keyboard.press("Enter")
        form = page.locator("form.check").first
        feedback = form.locator(".check-feedback")
        feedback.wait_for()
        assert feedback.get_attribute("role") == "status"
        # Nothing between the options: every option precedes the feedback in the document.
        assert form.locator(".proposition + .feedback, .proposition ~ .feedback").count() == 0
        follows = page.evaluate(
            """() => { const f = document.querySelector('form.check');
                 const last = [...f.querySelectorAll('.proposition')].pop();
                 const fb = f.querySelector('.check-feedback');
                 return !!(last.compareDocumentPosition(fb) & Node.DOCUMENT_POSITION_FOLLOWING); }"""
        )
        assert follows and last_option.count() == 1
        assert page.evaluate("document.activeElement.classList.contains('check-feedback')")
        assert_accessible(page, context="module : retour après les options")
        context.close()

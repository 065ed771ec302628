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
        # The page came back on the question just answered, focused for screen readers.
        assert page.evaluate("document.activeElement.tagName") == "FORM"
        assert_accessible(page, context="module : réponse au test de connaissances")
        context.close()

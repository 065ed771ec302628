"""A case study played to its end with the keyboard only."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import LiveServer

pytestmark = pytest.mark.browser


def test_case_study_to_the_end_with_the_keyboard(browser, tmp_path):
    from tests.integration.test_case_player import best_choices, real_case

    best = best_choices(real_case())
    with LiveServer(tmp_path) as live:
        context = browser.new_context()
        page = context.new_page()
        page.goto(f"{live.base}/demo/")
        page.get_by_role("link", name=re.compile("Étude de cas : Claire")).first.click()
        page.wait_for_url(re.compile(r"/cas/cas-reconversion-comptable$"))
        page.get_by_role("button", name="Commencer").focus()
        page.keyboard.press("Enter")
        for number, index in enumerate(best):
            page.wait_for_selector("#etape")
            # Focus sits on the new step after each choice (announced to screen readers).
            if number:
                assert page.evaluate("document.activeElement.id") == "etape"
            radio = page.locator(f'input[name="choice"][value="{index}"]')
            radio.focus()
            page.keyboard.press("Space")
            page.keyboard.press("Tab")
            page.keyboard.press("Enter")
            page.wait_for_load_state()
        page.get_by_role("heading", name="Débriefing").first.wait_for()
        assert "Score : 100" in page.content()
        context.close()

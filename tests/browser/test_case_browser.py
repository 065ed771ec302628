"""A case study played to its end with the keyboard only."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from course.render import typeset
from tests.browser.conftest import LiveServer, assert_accessible

pytestmark = pytest.mark.browser


def test_case_study_to_the_end_with_the_keyboard(browser, tmp_path):
    from tests.integration.test_case_player import best_choices, real_case

    case = real_case()
    best = best_choices(case)
    path = case.best_path
    # Shown with French typography (’, no-break spaces), as every content text.
    labels = [typeset(case.step(path[n]).choice_by_id(c).label) for n, c in enumerate(best)]
    with LiveServer(tmp_path) as live:
        context = browser.new_context()
        page = context.new_page()
        page.goto(f"{live.base}/demo/")
        page.get_by_role("link", name=re.compile("Étude de cas : Claire")).first.click()
        page.wait_for_url(re.compile(r"/cas/cas-reconversion-comptable$"))
        assert_accessible(page, context="étude de cas : introduction")
        page.get_by_role("button", name="Commencer").focus()
        page.keyboard.press("Enter")
        for number in range(len(best)):
            page.wait_for_selector("#etape")
            # Focus sits on the new step after each choice (announced to screen readers).
            if number:
                # (a retrying assertion: right after Enter the previous step may still be shown)
                expect(page.locator("#etape")).to_be_focused()
            assert_accessible(page, context=f"étude de cas : étape {number + 1}")
            # The order is the run's own: the choice is found by its label, not its place.
            radio = page.get_by_label(labels[number], exact=True)
            radio.focus()
            page.keyboard.press("Space")
            page.keyboard.press("Tab")
            page.keyboard.press("Enter")
            page.wait_for_load_state()
        page.get_by_role("heading", name="Débriefing").first.wait_for()
        assert "Score : 100" in page.content()
        assert_accessible(page, context="étude de cas : débriefing")
        context.close()

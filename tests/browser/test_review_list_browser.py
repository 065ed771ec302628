"""The trainers' list of content to confirm (review flags with date and place), in Chromium."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import LiveServer, assert_accessible

pytestmark = pytest.mark.browser


def test_the_trainer_review_list_is_accessible_down_to_320_px(browser, tmp_path):
    with LiveServer(tmp_path) as live:
        context = browser.new_context()
        page = context.new_page()
        page.goto(f"{live.base}/demo/")
        section = page.locator("h2", has_text="Lancer en tant que formateur").locator(
            "xpath=following-sibling::ul[1]"
        )
        section.get_by_role("link", name="Modules de formation").first.click()
        page.wait_for_url(re.compile(r"/modules/"))
        page.goto(page.url.split("/modules/")[0] + "/modules/suivi")
        assert (
            page.get_by_role("heading", name="Contenus à faire valider par un formateur").count()
            == 1
        )
        table = page.locator("table.review-table")
        assert re.search(r"\d+ points à faire valider", table.locator("caption").inner_text())
        rows = table.locator("tbody tr")
        assert rows.count() >= 20
        text = table.inner_text()
        assert "Item d'examen « c1-reste-a-charge »" in text
        assert "questionnaire/items/c1.md:" in text and "2026-12-07" in text
        assert "Vignette d'examen" in text
        assert_accessible(page, context="formateur : contenus à faire valider")
        page.set_viewport_size({"width": 320, "height": 800})
        assert_accessible(page, context="formateur : contenus à faire valider (320 px)")
        context.close()

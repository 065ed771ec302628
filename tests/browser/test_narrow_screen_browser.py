"""At 320 px nothing scrolls sideways but a table's own box; radio buttons and checkboxes keep
their size when their label wraps; no glyph that Debian's fonts lack (issue 15, point 10)."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import LiveServer, assert_accessible

pytestmark = pytest.mark.browser

PAGE_WIDTH = "document.documentElement.scrollWidth"


def test_exam_and_module_pages_at_320_px(browser, tmp_path):
    with LiveServer(tmp_path) as live:
        context = browser.new_context(viewport={"width": 320, "height": 640})
        page = context.new_page()
        page.goto(f"{live.base}/demo/")
        page.get_by_role("link", name="Épreuve 1 : questionnaire de certification").first.click()
        page.wait_for_url(re.compile(r"/examen/$"))
        page.get_by_role("button", name="Commencer l'épreuve").click()
        page.wait_for_url(re.compile(r"/examen/passer$"))
        assert page.evaluate(PAGE_WIDTH) <= 320
        sizes = page.evaluate(
            """[...document.querySelectorAll('.proposition input')].map(i => {
                 const r = i.getBoundingClientRect(); return [r.width, r.height]; })"""
        )
        assert sizes and min(w for w, _ in sizes) >= 18 and min(h for _, h in sizes) >= 18, sizes[:5]
        for box in page.locator(".table-scroll").all():
            # A table wider than the screen scrolls in its box, which the keyboard can reach.
            assert box.get_attribute("tabindex") == "0"
        assert_accessible(page, context="épreuve à 320 px")

        page.goto(f"{live.base}/demo/")
        page.get_by_role("link", name="Modules de formation").first.click()
        page.wait_for_url(re.compile(r"/modules/$"))
        page.locator("main a[href*='/modules/c1-']").first.click()
        page.wait_for_url(re.compile(r"/modules/c1-"))
        boxes = page.locator(".table-scroll")
        assert boxes.count() >= 1
        assert page.evaluate(PAGE_WIDTH) <= 320
        widest = page.evaluate(
            "Math.max(...[...document.querySelectorAll('.table-scroll')].map(b => b.scrollWidth - b.clientWidth))"
        )
        assert widest > 0  # at least one table is wider than the screen and scrolls in its box
        assert_accessible(page, context="module à 320 px")
        context.close()

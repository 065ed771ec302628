"""The blueprint report in Chromium: reached from the monitoring page with the keyboard,
0 axe-core violations, the chart doubled by a table (issue 14, point 5)."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import LiveServer, assert_accessible
from tests.browser.helpers import launch

pytestmark = pytest.mark.browser


def test_blueprint_report_from_the_monitoring_page(browser, tmp_path):
    with LiveServer(tmp_path) as live:
        context = browser.new_context()
        trainer = launch(context, live, "trainer", "exam")
        trainer.wait_for_url(re.compile(r"/examen/suivi$"))
        link = trainer.get_by_role("link", name="Plan et seuil de réussite")
        link.focus()
        with trainer.expect_navigation():
            trainer.keyboard.press("Enter")
        trainer.wait_for_url(re.compile(r"/examen/plan$"))
        assert (
            trainer.get_by_role("heading", level=1).inner_text().startswith("Plan de l'épreuve 1")
        )
        assert "ont exactement la même composition" in trainer.content()
        # The chart has a text alternative and its values are in a table.
        assert trainer.locator("svg[role=img][aria-label]").count() == 1
        assert trainer.get_by_role(
            "table", name="Copies qui contiennent chaque étude de cas"
        ).is_visible()
        # The wide tables scroll inside a focusable region (reflow at 320 px).
        region = trainer.get_by_role("region", name=re.compile("^Par item"))
        region.focus()
        assert region.evaluate("e => e === document.activeElement")
        assert_accessible(trainer, context="plan de l'épreuve : copies simulées et seuil")
        trainer.set_viewport_size({"width": 320, "height": 640})
        assert_accessible(trainer, context="plan de l'épreuve à 320 px")
        context.close()

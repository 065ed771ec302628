"""Trainer pages in Chromium, keyboard only, axe clean (issue 15): extra time asked with a
confirmation that shows the new end time (point 11)."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import LiveServer, assert_accessible
from tests.browser.helpers import launch

pytestmark = pytest.mark.browser


def _launch(context, live, role, url=r"/examen/(suivi)?$"):
    page = launch(context, live, role, "exam")
    page.wait_for_url(re.compile(url))
    return page


def test_extra_time_is_typed_then_confirmed_with_the_new_end_time(browser, tmp_path):
    with LiveServer(tmp_path) as live:
        # Point 5: the trainer's browser is in London: times shown there, the zone named.
        context = browser.new_context(timezone_id="Europe/London")
        candidate = _launch(context, live, "trainee")
        candidate.get_by_role("button", name="Commencer l'épreuve").click()
        candidate.wait_for_url(re.compile(r"/examen/passer$"))
        trainer = _launch(context, live, "trainer")
        field = trainer.get_by_label("Pourcentage").first
        assert field.input_value() == ""
        field.focus()
        trainer.keyboard.type("33,33")
        trainer.keyboard.press("Tab")
        with trainer.expect_navigation():
            trainer.keyboard.press("Enter")
        trainer.get_by_role("heading", name="Confirmer le temps supplémentaire").wait_for()
        effect = trainer.locator("#accommodation-effect").inner_text()
        assert "80 minutes" in effect and "elle se terminera" in effect
        assert_accessible(trainer, context="épreuve : confirmation du temps supplémentaire")
        trainer.get_by_role("button", name="Confirmer").focus()
        with trainer.expect_navigation():
            trainer.keyboard.press("Enter")
        assert "Temps supplémentaire enregistré" in trainer.locator(".flashes").inner_text()
        assert "actuel : +33,33 %" in trainer.content()
        audit_time = trainer.locator("table time").first
        utc = audit_time.get_attribute("datetime")
        assert utc.endswith("Z")
        london = trainer.evaluate(
            "(iso) => new Intl.DateTimeFormat('fr', {hour: '2-digit', minute: '2-digit', timeZone: 'Europe/London'}).format(new Date(iso))",
            utc,
        )
        text = audit_time.inner_text()
        assert "(Europe/London)" in text and london in text, text
        assert_accessible(trainer, context="épreuve : suivi après temps supplémentaire")
        context.close()


def test_root_page_and_exam_pages_from_the_hub(browser, tmp_path):
    """Point 4: the root page, and the exam's trainer pages reached from the course hub."""
    with LiveServer(tmp_path) as live:
        context = browser.new_context()
        root = context.new_page()
        root.goto(f"{live.base}/")
        root.get_by_role("heading", level=1).wait_for()
        assert "make registration-url" in root.content()
        assert_accessible(root, context="racine de l'outil")
        trainer = _launch(context, live, "trainer")
        trainer.get_by_role("link", name="Accueil du cours").click()
        trainer.wait_for_url(re.compile(r"/s/[^/]+/$"))
        link = trainer.get_by_role("link", name="Analyse des items de l'épreuve 1")
        link.focus()
        with trainer.expect_navigation():
            trainer.keyboard.press("Enter")
        trainer.get_by_role("heading", name="Analyse des items de l'épreuve 1").wait_for()
        assert_accessible(trainer, context="analyse des items depuis l'accueil du cours")
        context.close()


def test_submission_review_from_the_gradebook(browser, tmp_path):
    """Point 6: the trainer's « click on a grade » (LtiSubmissionReviewRequest) opens the
    trainee's work at the exam; keyboard only, axe clean."""
    with LiveServer(tmp_path) as live:
        context = browser.new_context()
        candidate = _launch(context, live, "trainee")
        candidate.get_by_role("button", name="Commencer l'épreuve").click()
        candidate.wait_for_url(re.compile(r"/examen/passer$"))
        page = context.new_page()
        page.goto(f"{live.base}/demo/")
        link = page.get_by_role("link", name=re.compile("^Submission Review"))
        link.focus()
        with page.expect_navigation(url=re.compile(r"/revue\?pour=")):
            page.keyboard.press("Enter")
        page.get_by_role("heading", level=1).wait_for()
        assert page.get_by_role("heading", level=1).inner_text().startswith("Travail de ")
        assert "Tentatives à l'épreuve 1" in page.content()
        assert_accessible(page, context="Submission Review : travail du stagiaire")
        context.close()

"""The exam page for a keyboard user (issue 15, point 9): skip links, « aller au récapitulatif »
from each question, the question list jumps to a question and each question back to the list."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import LiveServer, assert_accessible, watch_page_errors

pytestmark = pytest.mark.browser


def focused(page) -> str:
    return page.evaluate(
        "(() => { const e = document.activeElement; return (e.id || '') + '|' + e.tagName + '|' + (e.textContent || '').trim().slice(0, 60); })()"
    )


def test_keyboard_jumps_through_the_paper(browser, tmp_path):
    with LiveServer(tmp_path) as live:
        context = browser.new_context()
        problems = watch_page_errors(context)
        page = context.new_page()
        page.goto(f"{live.base}/demo/")
        page.get_by_role("link", name="Épreuve 1 : questionnaire de certification").first.click()
        page.wait_for_url(re.compile(r"/examen/$"))
        page.get_by_role("button", name="Commencer l'épreuve").click()
        page.wait_for_url(re.compile(r"/examen/passer$"))

        # From question 2 to « Remettre ma copie »: a handful of key presses, not 134.
        second = page.locator("form.exam-item").nth(1)
        second.locator('input[name="choice"]').first.focus()
        presses = 0
        for _ in range(12):
            if "submit-button" in focused(page):
                break
            text = focused(page)
            presses += 1
            page.keyboard.press("Enter" if "Aller au récapitulatif" in text else "Tab")
            if "Aller au récapitulatif" in text:
                expect(page.locator("#summary")).to_be_focused()
        assert "submit-button" in focused(page), focused(page)
        assert presses <= 6, presses

        # Skip links at the top of the paper.
        skip = page.get_by_role("navigation", name="Accès rapide")
        skip.get_by_role("link", name="Aller à la liste des questions").focus()
        page.keyboard.press("Enter")
        expect(page.locator("#item-nav")).to_be_focused()

        # The list jumps straight to question 7, and question 7 leads back to its number.
        nav = page.get_by_role("navigation", name="Questions")
        nav.get_by_role("link", name=re.compile(r"^7\b")).focus()
        page.keyboard.press("Enter")
        expect(page.locator("#q-7")).to_be_focused()
        back = page.locator("#q-7").get_by_role("link", name="Retour à la liste des questions")
        back.focus()
        page.keyboard.press("Enter")
        item_id = page.locator("#q-7").get_attribute("data-item")
        expect(page.locator(f'[id="nav-{item_id}"]')).to_be_focused()
        assert_accessible(page, context="épreuve : navigation au clavier")
        skip.get_by_role("link", name="Aller à « Remettre ma copie »").focus()
        page.keyboard.press("Enter")
        expect(page.locator("#submit-button")).to_be_focused()
        assert problems == []
        context.close()

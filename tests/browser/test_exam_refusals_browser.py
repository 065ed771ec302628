"""Nothing lost (lti_tool/static/exam.js): an answer leaves the page's queue only once saved,
or when the server says ``final: true`` (it can never be saved). A 4xx without the marker, a
5xx, an HTML error page: kept (in the page and its local storage), retried, announced."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from lti_tool.extensions import db
from lti_tool.models.exam import ExamAnswer
from tests.browser.conftest import LiveServer, assert_accessible, watch_page_errors
from tests.browser.helpers import open_demo_paper

pytestmark = pytest.mark.browser

QUEUED = """(() => Object.keys(localStorage).filter((k) => k.startsWith("exam-queue-"))
  .flatMap((k) => Object.keys(JSON.parse(localStorage.getItem(k)))))()"""


def answered_items(live) -> set[str]:
    with live.app.app_context():
        db.session.remove()
        return set(db.session.scalars(select(ExamAnswer.item_id)).all())


def test_a_refused_save_without_the_final_marker_is_kept_and_lands(browser, tmp_path):
    with LiveServer(tmp_path) as live:
        context = browser.new_context()
        problems = watch_page_errors(context)
        page = context.new_page()
        open_demo_paper(page, live)
        forms = page.locator("form.exam-item")
        status = page.locator("#save-status")
        expect(status).to_have_attribute("aria-live", "polite")

        # 1. The server refuses with a 4xx JSON that does not say « final », then an HTML 502
        #    page: the answer stays queued, the candidate is told, and it lands afterwards.
        refusals = iter(
            [
                {
                    "status": 422,
                    "content_type": "application/json",
                    "body": json.dumps(
                        {"ok": False, "error": "busy", "message": "Serveur occupé."}
                    ),
                },
                {"status": 502, "content_type": "text/html", "body": "<h1>Bad gateway</h1>"},
            ]
        )
        seen: list[str] = []
        hold = {"refuse": True}

        def flaky(route):
            seen.append(route.request.method)
            answer = next(refusals, None) if hold["refuse"] else None
            if answer is None and hold["refuse"]:
                answer = {"status": 429, "content_type": "application/json", "body": "{}"}
            if answer is None:
                route.continue_()
            else:
                route.fulfill(**answer)

        page.route("**/examen/enregistrer", flaky)
        first = forms.nth(0)
        item = first.get_attribute("data-item")
        first.locator('input[name="choice"]').first.focus()
        page.keyboard.press("Space")
        expect(status).to_contain_text("Serveur occupé.")
        expect(status).to_contain_text("pas encore accepté par le serveur")
        expect(status).to_contain_text("1 réponse conservée")
        assert page.evaluate(QUEUED) == [item]
        # The 502 page, then the 429 without a body: still kept, still retried.
        expect(status).not_to_contain_text("Serveur occupé.", timeout=15000)
        expect(status).to_contain_text("pas encore accepté par le serveur")
        assert len(seen) >= 2 and page.evaluate(QUEUED) == [item]
        assert item not in answered_items(live)
        assert_accessible(page, context="épreuve : enregistrement refusé, nouvel essai")

        hold["refuse"] = False
        expect(status).to_contain_text("Toutes vos réponses sont enregistrées", timeout=40000)
        assert page.evaluate(QUEUED) == []
        assert item in answered_items(live)

        # 2. The server says the answer can never be saved (« final »): dropped and said.
        page.unroute("**/examen/enregistrer")
        page.route(
            "**/examen/enregistrer",
            lambda route: route.fulfill(
                status=400,
                content_type="application/json",
                body=json.dumps(
                    {
                        "ok": False,
                        "error": "bad_choice",
                        "message": "Réponse invalide pour cette question.",
                        "final": True,
                    }
                ),
            ),
        )
        second = forms.nth(1)
        second.locator('input[name="choice"]').first.focus()
        page.keyboard.press("Space")
        expect(status).to_contain_text("Réponse invalide pour cette question.")
        assert page.evaluate(QUEUED) == []
        assert second.get_attribute("data-item") not in answered_items(live)
        assert problems == []
        context.close()


def test_answers_queued_before_a_reload_are_sent_by_the_new_page(browser, tmp_path):
    """Each load of the exam page is a new page version; the answers an earlier load could not
    send (the network down, then the candidate reloads) are taken over, shown and sent."""
    with LiveServer(tmp_path) as live:
        context = browser.new_context()
        problems = watch_page_errors(context)
        page = context.new_page()
        open_demo_paper(page, live)
        forms = page.locator("form.exam-item")
        status = page.locator("#save-status")
        # Saves cannot get through (the network to the server is down for them).
        page.route("**/examen/enregistrer", lambda route: route.abort())
        chosen = {}
        for n in (0, 2):
            form = forms.nth(n)
            option = form.locator('input[name="choice"]').nth(1)
            option.focus()
            page.keyboard.press("Space")
            chosen[form.get_attribute("data-item")] = option.get_attribute("value")
        expect(status).to_contain_text("2 réponses")
        assert sorted(page.evaluate(QUEUED)) == sorted(chosen)

        # The candidate reloads: a new page version; the old queue is taken over and shown.
        page.reload()
        page.wait_for_url(re.compile(r"/examen/passer$"))
        for item, value in chosen.items():
            box = page.locator(f'form.exam-item[data-item="{item}"] input[value="{value}"]')
            expect(box).to_be_checked()
        assert sorted(page.evaluate(QUEUED)) == sorted(chosen)
        assert not answered_items(live) & set(chosen)
        assert_accessible(page, context="épreuve rechargée avec des réponses en attente")

        page.unroute("**/examen/enregistrer")
        expect(status).to_contain_text("Toutes vos réponses sont enregistrées", timeout=40000)
        assert page.evaluate(QUEUED) == []
        with live.app.app_context():
            db.session.remove()
            stored = {
                a.item_id: list(a.choices)
                for a in db.session.scalars(select(ExamAnswer)).all()
                if a.item_id in chosen
            }
        assert set(stored) == set(chosen) and all(len(c) == 1 for c in stored.values())
        # What the server holds is what the candidate chose (choice ids are opaque in the page:
        # the next load, from the server's state alone, shows the same boxes ticked).
        page.reload()
        page.wait_for_url(re.compile(r"/examen/passer$"))
        for item, value in chosen.items():
            box = page.locator(f'form.exam-item[data-item="{item}"] input[value="{value}"]')
            expect(box).to_be_checked()
        assert problems == []
        context.close()

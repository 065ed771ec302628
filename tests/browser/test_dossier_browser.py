"""Uploading a dossier in Chromium: the sending, then the analysis, are shown and announced.

Chromium keeps running the page while the upload request is pending, but Playwright cannot
evaluate in it until the navigation ends: a small recorder in the page notes what a user would
perceive in that time (in sessionStorage, which survives the navigation), then tells the test
server to let the held upload finish. No sleeping: the upload waits for that signal. The
analysis itself runs in the worker (here: the test runs its task), and the page, which polls
the version's state, announces that the report is ready.
"""

from __future__ import annotations

import json
import re
import threading

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from lti_tool.dossier import service
from lti_tool.extensions import db
from lti_tool.models.dossier import DossierUpload
from tests.browser.conftest import LiveServer, assert_accessible
from tests.browser.helpers import (
    choose_dossier,
    launch,
    open_dossier,
    run_analysis,
    send_dossier,
    show_report,
)
from tests.unit.dossier_fixtures import complete, to_markdown

pytestmark = pytest.mark.browser

RECORDER = """() => {
  const form = document.querySelector("form.upload");
  const status = document.getElementById("upload-status");
  const bar = form.querySelector("progress");
  const button = form.querySelector("button[type=submit]");
  new MutationObserver(() => {
    if (!status.textContent || sessionStorage.getItem("seen")) { return; }
    const seen = {
      status: status.textContent,
      role: status.getAttribute("role"),
      button: button.getAttribute("aria-disabled"),
      busy: form.getAttribute("aria-busy"),
      bar: !bar.hidden && bar.getBoundingClientRect().height > 0,
      focus: document.activeElement === button,
    };
    // Trying again while waiting (a second click, a second Enter) must send nothing.
    button.click();
    form.requestSubmit();
    sessionStorage.setItem("seen", JSON.stringify(seen));
    fetch("/test/release");
  }).observe(status, { childList: true, characterData: true, subtree: true });
}"""


def open_page(live, browser):
    context = browser.new_context()
    page = launch(context, live, "trainee")
    open_dossier(page)
    return context, page


def uploads(live) -> int:
    with live.app.app_context():
        count = db.session.scalar(select(func.count(DossierUpload.id)))
        db.session.remove()
        return count


def test_upload_shows_and_announces_the_analysis_then_the_report(browser, tmp_path, monkeypatch):
    release = threading.Event()
    real = service.store

    def held(*args, **kwargs):
        assert release.wait(120), "the page never signalled what it showed"
        return real(*args, **kwargs)

    monkeypatch.setattr(service, "store", held)
    live = LiveServer(tmp_path)
    live.app.add_url_rule("/test/release", "test_release", lambda: release.set() or "")
    with live:
        context, page = open_page(live, browser)
        assert page.locator("#upload-status").inner_text() == ""
        assert page.locator("form.upload progress").is_hidden()
        assert_accessible(page, context="dossier : avant dépôt")
        page.evaluate(RECORDER)
        choose_dossier(page, "d.md", to_markdown(complete()))
        send_dossier(page)
        seen = json.loads(page.evaluate("sessionStorage.getItem('seen')"))
        assert "Envoi du fichier en cours" in seen["status"] and seen["role"] == "status"
        assert seen["button"] == "true" and seen["busy"] == "true" and seen["bar"]
        assert seen["focus"]  # the keyboard user is not thrown back to the top of the page
        assert "Version 1 déposée : analyse en cours" in page.locator(".flashes").inner_text()
        status = page.locator("#analysis-status")
        assert status.get_attribute("role") == "status"
        assert status.get_attribute("aria-live") == "polite"
        assert "Analyse en cours…" in status.inner_text()
        assert page.get_by_role("button", name="Analyser").is_enabled()
        assert_accessible(page, context="dossier : analyse en cours")
        assert uploads(live) == 1  # the second click and Enter sent nothing
        assert run_analysis(live) == "1 version(s) : analysée"
        status.get_by_role("link", name="Afficher le rapport").wait_for(timeout=30000)
        assert "le rapport de la version 1 est prêt" in status.inner_text()
        assert_accessible(page, context="dossier : rapport prêt (annoncé)")
        show_report(page)
        assert page.locator("#analysis-status").count() == 0
        assert_accessible(page, context="dossier : rapport affiché")
        context.close()


def test_a_file_over_the_limit_is_refused_before_it_is_sent(browser, tmp_path):
    with LiveServer(tmp_path) as live:
        live.app.config["DOSSIER_MAX_BYTES"] = 1024 * 1024
        context, page = open_page(live, browser)
        choose_dossier(page, "gros.pdf", bytes(1_100_000), "application/pdf")
        page.get_by_role("button", name="Analyser").focus()
        page.keyboard.press("Enter")
        status = page.locator("#upload-status")
        expect(status).not_to_be_empty()  # (a string predicate is an eval the CSP forbids)
        assert "dépasse 1 Mo" in status.inner_text() and "pas été envoyé" in status.inner_text()
        assert page.evaluate("document.activeElement.id") == "file"
        assert page.locator("#file").get_attribute("aria-invalid") == "true"
        assert page.get_by_role("button", name="Analyser").is_enabled()
        assert re.search(r"/dossier/$", page.url) and uploads(live) == 0
        assert_accessible(page, context="dossier : fichier trop gros refusé")
        context.close()

"""Every page a trainee or a trainer can reach from the demo platform passes axe-core
(WCAG 2.1 A and AA), under the tool's real Content-Security-Policy."""

from __future__ import annotations

import re
from urllib.parse import urldefrag, urlsplit

import pytest

from tests.browser.conftest import (
    LiveServer,
    accessibility_violations,
    assert_accessible,
    format_violations,
)

pytestmark = pytest.mark.browser

#: Links followed from a launch: at most this many clicks away from the landing page.
DEPTH = 3
DOWNLOADS = (".csv", ".pdf", ".odt", ".docx", ".md", ".zip", ".json")


def _launch_links(page) -> list[tuple[str, str]]:
    """The demo platform's launch links, as (section heading, link text, href)."""
    return page.eval_on_selector_all(
        "main ul a[href*='/lti/login']",
        """els => els.map(e => [
            e.closest('ul').previousElementSibling.textContent.trim() + ' / '
              + e.textContent.trim(),
            e.href])""",
    )


def _crawl(page, origin: str, start: str, seen: set[str], failures: list[str]) -> None:
    """Visit every same-origin HTML page linked from ``start`` (breadth first) and audit it."""
    queue = [(start, 0)]
    while queue:
        url, depth = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = page.goto(url)
        if response is None or "text/html" not in response.headers.get("content-type", ""):
            continue
        violations = accessibility_violations(page)
        if violations:
            failures.append(f"{page.url}:\n{format_violations(violations)}")
        if depth >= DEPTH:
            continue
        # (files for download - CSV, PDF, ODT, DOCX - are not pages)
        hrefs = page.eval_on_selector_all("a[href]:not([download])", "els => els.map(e => e.href)")
        for href in hrefs:
            link = urldefrag(href).url
            path = urlsplit(link).path
            if (
                urlsplit(link).netloc == origin
                and "/lti/login" not in link
                and not path.endswith(DOWNLOADS)
            ):
                queue.append((link, depth + 1))


# Crawls and audits some 230 pages (every module grew this session): minutes, not seconds, on a
# busy 2-core machine. Its own bound, still finite, so a stuck page fails it with a traceback.
@pytest.mark.timeout(1200)
def test_every_page_reachable_after_a_demo_launch_is_accessible(browser, tmp_path):
    with LiveServer(tmp_path) as live:
        context = browser.new_context()
        page = context.new_page()
        page.goto(f"{live.base}/demo/")
        failures: list[str] = []
        violations = accessibility_violations(page)
        if violations:
            failures.append(f"{page.url}:\n{format_violations(violations)}")
        launches = _launch_links(page)
        assert len(launches) >= 10
        seen: set[str] = set()
        origin = urlsplit(live.base).netloc
        _crawl(page, origin, f"{live.base}/demo/", seen, failures)  # the platform's own pages
        for name, href in launches:
            page.goto(f"{live.base}/demo/")
            page.goto(href)  # the platform's auto-submitted forms land on the activity
            page.wait_for_load_state()
            landing = urldefrag(page.url).url
            seen.discard(landing)  # a trainer's landing differs from a trainee's: audit both
            before = len(seen)
            _crawl(page, origin, landing, seen, failures)
            assert len(seen) > before or landing in seen, name
        print(f"{len(seen)} pages audited")
        context.close()
        assert not failures, "\n\n".join(failures)


def test_the_audit_reports_what_it_finds(browser):
    """The helper is not a no-op: an unlabelled field and low contrast text make it fail."""
    context = browser.new_context()
    page = context.new_page()
    page.set_content(
        '<!doctype html><html lang="fr"><title>t</title><main><h1>t</h1>'
        '<p style="color:#bbb;background:#fff">pâle</p><input id="x"></main></html>'
    )
    with pytest.raises(pytest.fail.Exception) as failure:
        assert_accessible(page, context="page piège")
    message = str(failure.value)
    assert "color-contrast (serious)" in message and "label (critical)" in message
    assert "page piège" in message and "https://dequeuniversity.com/rules/axe/" in message
    assert "#x" in message
    context.close()


def test_error_pages_and_the_content_selection_round_trip_are_accessible(browser, tmp_path):
    with LiveServer(tmp_path) as live:
        context = browser.new_context()
        page = context.new_page()
        page.goto(f"{live.base}/demo/")
        page.get_by_role("link", name="Accueil du cours").first.click()  # as a trainee
        page.get_by_role("link", name="Modules de formation").first.wait_for()
        hub = urldefrag(page.url).url
        assert page.goto(hub + "examen/suivi").status == 403
        assert_accessible(page, context="erreur 403 (stagiaire sur une page formateur)")
        assert page.goto(hub + "page-inexistante").status == 404
        assert_accessible(page, context="erreur 404")
        expired = f"{live.base}/s/{'x' * 43}/"
        assert page.goto(expired).status in (401, 403, 404)
        assert_accessible(page, context="lancement inconnu ou expiré")

        page.goto(f"{live.base}/demo/")
        page.get_by_role("link", name="Ajouter une activité").click()
        page.get_by_role("button", name="Ajouter au cours").wait_for()
        page.get_by_role("button", name="Ajouter au cours").click()  # nothing chosen
        page.wait_for_load_state()
        assert_accessible(page, context="sélection de contenu : erreur, rien de choisi")
        page.locator("input[name=item]").first.check()
        page.get_by_role("button", name="Ajouter au cours").click()
        page.wait_for_load_state()
        page.wait_for_url(re.compile(r"/demo/"))
        assert_accessible(page, context="sélection de contenu : retour à la plateforme")
        context.close()

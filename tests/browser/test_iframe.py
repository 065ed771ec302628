"""The tool inside an iframe of another site, with third-party cookies blocked."""

from __future__ import annotations

import re
import threading
from urllib.parse import quote

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from tests.browser.conftest import ARGS, CHROMIUM, LiveServer, _free_port, assert_accessible

pytestmark = pytest.mark.browser


def lms_app(tool_base: str):
    @Request.application
    def app(request: Request) -> Response:
        target = request.args.get("launch", "")
        html = f'<!doctype html><html lang="fr"><title>LMS</title><h1>LMS</h1><iframe id="tool" title="Outil" src="{target}" width="900" height="700"></iframe></html>'
        return Response(html, mimetype="text/html")

    return app


@pytest.fixture()
def blocked_browser():
    from pathlib import Path

    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium absent") if __import__("os").environ.get("CI") else pytest.skip(
            "Chromium absent"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[*ARGS, "--test-third-party-cookie-phaseout"],
        )
        yield instance
        instance.close()


def launch_in_iframe(browser, live: LiveServer, lms_port: int):
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{live.base}/demo/")
    href = page.get_by_role("link", name="Accueil du cours").first.get_attribute("href")
    page.goto(f"http://lms.localhost:{lms_port}/course?launch={quote(href, safe='')}")
    frame = page.frame_locator("#tool")
    return context, frame


def tool_frame(context, live: LiveServer):
    """The tool's frame inside the LMS page (axe-core runs in it as in a page)."""
    return next(f for f in context.pages[0].frames if f.url.startswith(live.base))


@pytest.mark.parametrize("secure", [True, False])
def test_launch_inside_a_foreign_iframe(blocked_browser, tmp_path, secure):
    lms_port = _free_port()
    with LiveServer(tmp_path, host="tool.localhost", secure_cookies=secure) as live:
        lms = make_server("127.0.0.1", lms_port, lms_app(live.base), threaded=True)
        thread = threading.Thread(target=lms.serve_forever, daemon=True)
        thread.start()
        try:
            context, frame = launch_in_iframe(blocked_browser, live, lms_port)
            if secure:
                # CHIPS: a partitioned cookie is accepted inside the iframe; the launch lands.
                frame.get_by_text("Bienvenue").wait_for(timeout=60000)
                links = frame.get_by_role("link", name="Accueil du cours")
                assert links.count() >= 1
                assert re.search(r"/s/[A-Za-z0-9_-]{32,}/", links.first.get_attribute("href"))
                assert_accessible(tool_frame(context, live), context="accueil dans l'iframe du LMS")
            else:
                # Without a partitioned cookie the browser blocks it: a clear way out is shown.
                frame.get_by_role("link", name="Ouvrir dans une nouvelle fenêtre").wait_for(
                    timeout=60000
                )
                assert_accessible(
                    tool_frame(context, live), context="cookie bloqué : ouvrir dans une fenêtre"
                )
            context.close()
        finally:
            lms.shutdown()

"""A platform offering the LTI postMessage storage: the launch lands in a cookieless iframe."""

from __future__ import annotations

import html
import threading
from datetime import UTC, datetime
from urllib.parse import urlencode

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from lti_tool.extensions import db
from lti_tool.lti import validation
from lti_tool.models.lti import Deployment, Registration
from tests.browser.conftest import (
    ARGS,
    CHROMIUM,
    LiveServer,
    _free_port,
    assert_accessible,
    watch_page_errors,
)
from tests.lti.platform import CLIENT_ID, LEARNER, TestPlatform

pytestmark = pytest.mark.browser

# The platform frame answers lti.put_data / lti.get_data for the tool's origin only.
STORAGE_JS = """
const store = {};
window.addEventListener("message", (event) => {
  const d = event.data || {};
  if (event.origin !== TOOL_ORIGIN) { return; }
  if (d.subject === "lti.put_data") {
    store[d.key] = d.value; window.putCalls = (window.putCalls || 0) + 1;
    event.source.postMessage({subject: "lti.put_data.response", message_id: d.message_id,
                              key: d.key, value: d.value}, event.origin);
  } else if (d.subject === "lti.get_data") {
    window.getCalls = (window.getCalls || 0) + 1;
    const answer = () => event.source.postMessage({subject: "lti.get_data.response",
      message_id: d.message_id, key: d.key, value: store[d.key]}, event.origin);
    // A platform (or a loaded machine) that takes a while to answer.
    if (GET_DELAY_MS) { setTimeout(answer, GET_DELAY_MS); } else { answer(); }
  }
});
"""


def lms_app(issuer: str, tool_base: str, platform: TestPlatform, get_delay_ms: int = 0):
    @Request.application
    def app(request: Request) -> Response:
        if request.path == "/course":
            login = f"{tool_base}/lti/login?" + urlencode(
                {
                    "iss": issuer,
                    "client_id": CLIENT_ID,
                    "login_hint": "u1",
                    "target_link_uri": f"{tool_base}/lti/launch",
                    "lti_storage_target": "_parent",
                }
            )
            page = (
                '<!doctype html><html lang="fr"><title>LMS</title><h1>LMS</h1>'
                f"<script>const TOOL_ORIGIN = {tool_base!r}; const GET_DELAY_MS = {get_delay_ms};"
                f"{STORAGE_JS}</script>"
                f'<iframe id="tool" title="Outil" src="{html.escape(login)}" width="900" '
                'height="700"></iframe></html>'
            )
            return Response(page, mimetype="text/html")
        if request.path == "/auth":
            claims = platform.claims(
                request.args["nonce"],
                iss=issuer,
                roles=[LEARNER],
                target_link_uri=f"{tool_base}/lti/launch",
            )
            token = platform.sign(claims)
            form = (
                f'<form method="post" action="{html.escape(request.args["redirect_uri"])}">'
                f'<input type="hidden" name="id_token" value="{token}">'
                f'<input type="hidden" name="state" value="{html.escape(request.args["state"])}">'
                "</form><script>document.forms[0].submit()</script>"
            )
            return Response(form, mimetype="text/html")
        return Response("not found", status=404)

    return app


@pytest.fixture()
def blocked_browser():
    """Chromium blocking third-party cookies, its frames kept in the page's process.

    The flow moves the tool's frame between the two sites five times (login, platform auth,
    launch, storage page, welcome). With one process per site, each move swaps the frame to
    another renderer and Playwright must re-attach to it: on a loaded machine it once lost the
    frame (its URL stayed at the platform's auth page while the tool had served the welcome).
    Cookie blocking is decided by the top-level site, not the process: the test still proves it
    (the platform storage is read once).
    """
    import os
    from pathlib import Path

    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("Chromium absent")
        pytest.skip("Chromium absent")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                *ARGS,
                "--test-third-party-cookie-phaseout",
                "--disable-site-isolation-trials",
                "--disable-features=IsolateOrigins,site-per-process",
            ],
        )
        yield instance
        instance.close()


def _frames_text(page) -> str:
    """What each frame shows, each read bounded in time (frame.content() has no timeout: when a
    frame was gone or stuck it waited forever, and the whole suite with it)."""
    shown = []
    for f in page.frames:
        try:
            text = f.locator("body").inner_text(timeout=5000)[:600]
        except Exception as error:  # a frame detached or navigating: say so
            text = f"<{type(error).__name__}>"
        shown.append((f.url, text))
    return repr(shown)


@pytest.mark.parametrize("get_delay_ms", [0, 4000], ids=["prompt", "platform-answers-in-4s"])
def test_postmessage_storage_replaces_the_blocked_cookie(
    blocked_browser,
    tmp_path,
    monkeypatch,
    get_delay_ms,
):
    assert CHROMIUM
    lms_port = _free_port()
    issuer = f"http://lms.localhost:{lms_port}"
    platform = TestPlatform(client=None)
    monkeypatch.setattr(validation, "FETCH_JWKS", [platform.jwks])
    with LiveServer(tmp_path, host="tool.localhost", secure_cookies=False) as live:
        with live.app.app_context():
            moment = datetime.now(UTC)
            registration = Registration(
                issuer=issuer,
                client_id=CLIENT_ID,
                name="LMS postMessage",
                auth_login_url=f"{issuer}/auth",
                auth_token_url=f"{issuer}/token",
                key_set_url=f"{issuer}/jwks",
                platform_profile="canvas",
                active=True,
                created_at=moment,
            )
            db.session.add_all(
                [
                    registration,
                    Deployment(
                        registration=registration,
                        deployment_id="1",
                        active=True,
                        created_at=moment,
                    ),
                ]
            )
            db.session.commit()
        lms = make_server(
            "127.0.0.1",
            lms_port,
            lms_app(issuer, live.base, platform, get_delay_ms),
            threaded=True,
        )
        thread = threading.Thread(target=lms.serve_forever, daemon=True)
        thread.start()
        try:
            context = blocked_browser.new_context()
            context.set_default_timeout(60000)  # every call bounded, generous for a loaded CI
            problems = watch_page_errors(context)
            page = context.new_page()
            page.goto(f"{issuer}/course")
            frame = page.frame_locator("#tool")
            # Without CHIPS (secure=False) the tool's cookie is blocked in the frame: only the
            # platform storage can carry the state binding.
            try:
                frame.get_by_text("Bienvenue").wait_for(timeout=60000)
            except Exception:
                pytest.fail("no welcome in the tool's frame; frames: " + _frames_text(page))
            page.wait_for_function("window.putCalls === 1", timeout=10000)
            tool = next(f for f in page.frames if f.url.startswith(live.base))
            assert_accessible(tool, context="accueil dans l'iframe (stockage postMessage)")
            page.wait_for_function("window.getCalls === 1", timeout=10000)
            assert problems == []  # the storage page's script is a file of the tool
            context.close()
        finally:
            lms.shutdown()
            thread.join(timeout=10)

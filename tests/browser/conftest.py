"""Real Chromium (Debian's) driven by Playwright, against the tool served by a threaded server.

Never ``playwright install``: the browser is /usr/bin/chromium. In CI a missing browser is a
failure, not a skip.
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from lti_tool import create_app
from lti_tool.extensions import db

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--host-resolver-rules=MAP *.localhost 127.0.0.1",
]


#: Reports every Content-Security-Policy violation of a document (and its frames) to the console,
#: where ``watch_page_errors`` collects it: Chromium's own CSP messages never reach Playwright.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error("csp-violation " + event.effectiveDirective + " " + (event.blockedURI || "inline")
                + " at " + event.documentURI);
});
"""


def watch_page_errors(context: Any) -> list[str]:
    """Collect CSP violations and uncaught script errors of every page of a browser context.

    Call it before opening the context's pages; a test asserts the list stays empty.
    """
    problems: list[str] = []
    context.add_init_script(CSP_LISTENER)

    def on_console(message: Any) -> None:
        if message.type == "error" and message.text.startswith("csp-violation"):
            problems.append(message.text)

    def on_page(page: Any) -> None:
        page.on("console", on_console)
        page.on("pageerror", lambda error: problems.append(f"pageerror {error}"))

    context.on("page", on_page)
    return problems


#: The standard audited: WCAG 2.1 levels A and AA (axe-core's own tags).
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def accessibility_violations(page: Any) -> list[dict[str, Any]]:
    """Run axe-core (bundled by axe-playwright-python) on the page's current state.

    ``page.evaluate`` goes through the DevTools protocol, which the page's CSP
    (``script-src 'self'``) does not apply to: the tool's real policy stays in force.
    """
    from axe_playwright_python.sync_playwright import Axe

    options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
    return list(Axe().run(page, options=options).response["violations"])


def format_violations(violations: list[dict[str, Any]]) -> str:
    """One readable block per rule: id, impact, help, URL, then every target selector."""
    lines = []
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']}"
            f" <{violation['helpUrl']}>"
        )
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            lines.append(f"    {target}: {node.get('failureSummary', '').splitlines()[-1:]}")
    return "\n".join(lines)


def assert_accessible(page: Any, context: str) -> None:
    """Fail with the list of axe-core WCAG 2.1 A/AA violations of the page, if any."""
    page.wait_for_load_state()
    violations = accessibility_violations(page)
    if violations:
        pytest.fail(
            f"{len(violations)} violation(s) axe-core (WCAG 2.1 AA) — {context} ({page.url}):\n"
            + format_violations(violations),
            pytrace=False,
        )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(
                "Chromium absent : installez les paquets Debian chromium et chromium-driver"
            )
        pytest.skip("Chromium absent (/usr/bin/chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield instance
        instance.close()


class LiveServer:
    def __init__(self, tmp: Path, host: str = "127.0.0.1", secure_cookies: bool = False) -> None:
        self.port = _free_port()
        self.base = f"http://{host}:{self.port}"
        database = os.environ.get("BILAN_TEST_DATABASE_URL") or f"sqlite:///{tmp / 'live.sqlite3'}"
        self.app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": database,
                "SECRET_KEY": "browser-tests",
                "TOOL_BASE_URL": self.base,
                "DEMO_PLATFORM": True,
                "SESSION_COOKIE_SECURE": secure_cookies,
                "GRADES_SEND_AFTER_COMMIT": False,
                "FRAME_ANCESTORS_EXTRA": ["http://lms.localhost:*"],
            }
        )
        with self.app.app_context():
            db.drop_all()
            db.create_all()
        self.server = make_server("127.0.0.1", self.port, self.app, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        with self.app.app_context():
            db.session.remove()
            if os.environ.get("BILAN_TEST_DATABASE_URL"):
                db.drop_all()

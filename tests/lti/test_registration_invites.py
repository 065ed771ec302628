"""Dynamic registration invites against a real HTTP platform on the loopback interface.

One invite, one registration; internal addresses refused unless allowed; redirects checked hop
by hop; bounded answers; the browser always sees the same message, the log has the detail.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from lti_tool.extensions import db
from lti_tool.lti import outbound
from lti_tool.models import Registration
from tests.browser.conftest import _free_port

GENERIC = "pas abouti"


class Platform:
    """A dynamic-registration platform served over real sockets; ``mode`` changes its answers."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self.port = _free_port()
        self.base = f"http://{host}:{self.port}"
        self.mode = "ok"
        self.hits: list[tuple[str, str]] = []
        self.server = make_server(host, self.port, self.app, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def config_url(self) -> str:
        return f"{self.base}/conf"

    def configuration(self) -> dict:
        return {
            "issuer": self.base,
            "authorization_endpoint": f"{self.base}/auth",
            "token_endpoint": f"{self.base}/token",
            "jwks_uri": f"{self.base}/jwks",
            "registration_endpoint": f"{self.base}/register",
        }

    @Request.application
    def app(self, request: Request) -> Response:
        self.hits.append((request.method, request.path))
        if request.path == "/conf":
            if self.mode == "500":
                return Response("boom", status=500)
            if self.mode == "mismatch":
                return Response(
                    json.dumps({**self.configuration(), "issuer": "https://other.example"}),
                    mimetype="application/json",
                )
            if self.mode == "big":
                padded = {**self.configuration(), "padding": "x" * (2 * 1024 * 1024)}
                return Response(json.dumps(padded), mimetype="application/json")
            if self.mode.startswith("redirect:"):
                return Response(status=302, headers={"Location": self.mode[len("redirect:") :]})
            return Response(json.dumps(self.configuration()), mimetype="application/json")
        if request.path == "/register" and request.method == "POST":
            return Response(json.dumps({"client_id": "lab-client"}), mimetype="application/json")
        return Response("not found", status=404)

    def __enter__(self) -> Platform:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()


@pytest.fixture()
def platform() -> Iterator[Platform]:
    with Platform() as served:
        yield served


def new_invite(runner) -> str:
    url = runner.invoke(args=["lti", "registration-url"]).output.strip()
    return parse_qs(urlsplit(url).query)["invite"][0]


def register(client, invite: str, config_url: str):
    return client.get(
        "/lti/register",
        query_string={"invite": invite, "openid_configuration": config_url},
    )


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/conf"  # nothing listens there any more


def test_a_lab_platform_registers_once(app, client, runner, platform):
    app.config["REGISTRATION_ALLOW_PRIVATE"] = True
    invite = new_invite(runner)
    page = register(client, invite, platform.config_url)
    assert page.status_code == 200
    assert db.session.scalar(select(Registration.client_id)) == "lab-client"
    again = register(client, invite, platform.config_url)
    assert again.status_code == 410
    assert platform.hits == [("GET", "/conf"), ("POST", "/register")]


def test_the_invite_is_spent_by_the_first_attempt_that_reaches_the_platform(
    app, client, runner, platform
):
    app.config["REGISTRATION_ALLOW_PRIVATE"] = True
    invite = new_invite(runner)
    platform.mode = "500"
    assert register(client, invite, platform.config_url).status_code == 502
    platform.mode = "ok"  # even once the platform is fixed, the invite has served
    again = register(client, invite, platform.config_url)
    assert again.status_code == 410 and "déjà servi" in again.get_data(as_text=True)
    assert platform.hits == [("GET", "/conf")]
    assert db.session.scalar(select(Registration)) is None


def test_the_invite_is_spent_after_three_attempts_that_reach_nothing(app, client, runner, platform):
    app.config["REGISTRATION_ALLOW_PRIVATE"] = True
    invite = new_invite(runner)
    nowhere = closed_port_url()
    for _ in range(3):
        assert register(client, invite, nowhere).status_code == 502
    fourth = register(client, invite, platform.config_url)
    assert fourth.status_code == 410
    assert platform.hits == []


@pytest.mark.parametrize(
    "target",
    [
        "http://127.0.0.1:{port}/conf",
        "http://localhost:{port}/conf",
        "http://[::ffff:127.0.0.1]:{port}/conf",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.1.2.3/conf",
        "http://192.168.1.1/conf",
        "http://[fe80::1]/conf",
        "http://0.0.0.0:{port}/conf",
    ],
)
def test_internal_targets_are_refused_unless_allowed(app, client, runner, platform, target):
    app.config["REGISTRATION_ALLOW_PRIVATE"] = False
    page = register(client, new_invite(runner), target.format(port=platform.port))
    assert page.status_code == 502 and GENERIC in page.get_data(as_text=True)
    assert platform.hits == []


def test_a_redirect_to_an_internal_address_is_not_followed(
    app, client, runner, platform, monkeypatch
):
    # 127.0.0.1 plays a public platform here; 127.0.0.2 (also loopback) an internal service.
    public = outbound.address_allowed
    monkeypatch.setattr(
        outbound,
        "address_allowed",
        lambda address, allow_private: address == "127.0.0.1" or public(address, allow_private),
    )
    app.config["REGISTRATION_ALLOW_PRIVATE"] = False
    with Platform(host="127.0.0.2") as internal:
        platform.mode = f"redirect:{internal.config_url}"
        page = register(client, new_invite(runner), platform.config_url)
        assert page.status_code == 502 and GENERIC in page.get_data(as_text=True)
        assert platform.hits == [("GET", "/conf")]
        assert internal.hits == []


def test_a_public_redirect_is_followed_hop_by_hop(app, client, runner, platform):
    app.config["REGISTRATION_ALLOW_PRIVATE"] = True
    with Platform() as moved:
        platform.mode = f"redirect:{moved.config_url}"
        page = register(client, new_invite(runner), platform.config_url)
    # The configuration now comes from another host than the one asked: issuer mismatch.
    assert page.status_code == 502
    assert moved.hits == [("GET", "/conf")]


def test_an_oversized_answer_is_refused(app, client, runner, platform, caplog):
    app.config["REGISTRATION_ALLOW_PRIVATE"] = True
    platform.mode = "big"
    page = register(client, new_invite(runner), platform.config_url)
    assert page.status_code == 502
    assert db.session.scalar(select(Registration)) is None
    assert "trop grande" in caplog.text or "octets" in caplog.text


def test_the_browser_sees_one_message_whatever_failed(app, client, runner, platform, caplog):
    app.config["REGISTRATION_ALLOW_PRIVATE"] = True
    pages = []
    for mode, url in [
        ("ok", closed_port_url()),  # ConnectionError
        ("500", platform.config_url),  # HTTPError
        ("mismatch", platform.config_url),  # issuer mismatch
        ("big", platform.config_url),  # oversized
        ("ok", "http://unresolvable.invalid/conf"),  # DNS
    ]:
        platform.mode = mode
        page = register(client, new_invite(runner), url)
        assert page.status_code == 502
        pages.append(page.get_data(as_text=True))
    assert GENERIC in pages[0]
    assert all(text == pages[0] for text in pages)
    for detail in ("ConnectionError", "HTTP 500", "émetteur", "octets", "résolution"):
        assert detail in caplog.text


def test_no_transaction_is_open_during_the_network_calls(app, client, runner, monkeypatch):
    from tests.lti.fake_registration import CONFIG_URL, FakePlatform, resolve

    open_during_calls = []
    fake = FakePlatform()
    original = fake.request

    def request(*args, **kwargs):
        open_during_calls.append(db.session().in_transaction())
        return original(*args, **kwargs)

    fake.request = request
    monkeypatch.setattr(outbound, "TRANSPORT", [fake])
    monkeypatch.setattr(outbound, "RESOLVE", [resolve])
    invite = new_invite(runner)
    db.session.commit()
    db.session.close()
    assert register(client, invite, CONFIG_URL).status_code == 200
    assert open_during_calls == [False, False]


def test_a_name_resolving_to_loopback_at_connection_time_is_refused(platform, monkeypatch):
    # DNS rebinding: the check saw a public address, the socket reached a private one.
    monkeypatch.setattr(outbound, "RESOLVE", [lambda host, port: ["93.184.216.34"]])
    with pytest.raises(outbound.OutboundError) as excinfo:
        outbound.fetch_json("GET", platform.config_url, headers={}, allow_private=False)
    assert "adresse interne" in excinfo.value.detail
    assert excinfo.value.reached is False
    assert platform.hits == []


@pytest.mark.parametrize(
    ("mode", "setting", "expected"),
    [("development", None, True), ("production", None, False), ("production", "1", True)],
)
def test_internal_targets_allowed_by_default_in_development_only(
    monkeypatch, tmp_path, mode, setting, expected
):
    from lti_tool.config import from_environment

    monkeypatch.setenv("BILAN_ENV", mode)
    if setting is None:
        monkeypatch.delenv("BILAN_REGISTRATION_ALLOW_PRIVATE", raising=False)
    else:
        monkeypatch.setenv("BILAN_REGISTRATION_ALLOW_PRIVATE", setting)
    assert from_environment(str(tmp_path))["REGISTRATION_ALLOW_PRIVATE"] is expected

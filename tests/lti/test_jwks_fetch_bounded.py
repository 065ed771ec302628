"""The platform's key set is fetched like every platform-chosen URL (lti/outbound.py): bounded
in size and time, internal addresses refused unless allowed, redirects checked hop by hop.

A key set is a few KB; before, ``requests.get(...).json()`` read any size into the launch's
worker, followed any redirect and reached any address a registration named.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from lti_tool.lti import outbound
from lti_tool.lti.validation import JWKS_MAX_BYTES, http_fetch_jwks
from tests.browser.conftest import _free_port

KEYS = {"keys": [{"kty": "RSA", "kid": "k1", "n": "AQAB", "e": "AQAB"}]}


class KeySetServer:
    def __init__(self) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.server = make_server("127.0.0.1", self.port, self.app, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @Request.application
    def app(self, request: Request) -> Response:
        if request.path == "/jwks":
            return Response(json.dumps(KEYS), mimetype="application/json")
        if request.path == "/huge":
            # Streamed, no Content-Length: only counting what is read stops it.
            def chunks() -> Iterator[bytes]:
                yield b'{"keys": [], "padding": "'
                for _ in range(64):
                    yield b"x" * 65536
                yield b'"}'

            return Response(chunks(), mimetype="application/json")
        if request.path == "/to-metadata":
            return Response(status=302, headers={"Location": "http://169.254.169.254/latest/"})
        return Response("not found", status=404)


@pytest.fixture()
def keyset() -> Iterator[KeySetServer]:
    served = KeySetServer()
    served.thread.start()
    yield served
    served.server.shutdown()


def test_a_key_set_is_read_when_its_address_is_allowed(app, keyset):
    app.config["REGISTRATION_ALLOW_PRIVATE"] = True
    assert http_fetch_jwks(f"{keyset.base}/jwks") == KEYS


def test_an_oversized_key_set_is_refused_before_it_is_all_read(app, keyset):
    app.config["REGISTRATION_ALLOW_PRIVATE"] = True
    with pytest.raises(outbound.OutboundError) as excinfo:
        http_fetch_jwks(f"{keyset.base}/huge")
    assert f"{JWKS_MAX_BYTES} octets" in excinfo.value.detail


def test_an_internal_key_set_address_is_refused_in_production(app, keyset):
    app.config["REGISTRATION_ALLOW_PRIVATE"] = False
    with pytest.raises(outbound.OutboundError) as excinfo:
        http_fetch_jwks(f"{keyset.base}/jwks")
    assert "interne" in excinfo.value.detail


def test_a_redirect_of_the_key_set_to_an_internal_address_is_not_followed(app, keyset, monkeypatch):
    app.config["REGISTRATION_ALLOW_PRIVATE"] = False
    # The key set's host looks public to the check; its redirect points at the metadata service.
    monkeypatch.setattr(
        outbound,
        "RESOLVE",
        [lambda host, port: ["169.254.169.254"] if host == "169.254.169.254" else ["93.184.216.34"]],
    )
    monkeypatch.setattr(outbound, "TRANSPORT", [lambda allow_private: _Redirecting()])
    with pytest.raises(outbound.OutboundError) as excinfo:
        http_fetch_jwks("https://platform.example/jwks")
    assert "169.254.169.254" in excinfo.value.detail


class _Redirecting:
    """A transport whose every answer is a redirect to the cloud metadata address."""

    def request(self, *args, **kwargs):
        class _Answer:
            status_code = 302
            headers = {"Location": "http://169.254.169.254/latest/"}

            def close(self) -> None:
                pass

        return _Answer()

    def close(self) -> None:
        pass


def test_a_refused_key_set_is_a_clean_502_launch_refusal(lms, app, monkeypatch, caplog):
    """Through a launch: the guard's refusal is the « clés inaccessibles » page, logged."""
    from lti_tool.lti import validation

    app.config["REGISTRATION_ALLOW_PRIVATE"] = False
    monkeypatch.setattr(validation, "FETCH_JWKS", [http_fetch_jwks])
    monkeypatch.setattr(validation, "LOCAL_KEY_SETS", [])
    monkeypatch.setattr(outbound, "RESOLVE", [lambda host, port: ["10.0.0.5"]])  # no network
    response = lms.full_launch()
    assert response.status_code == 502
    assert "clés publiques de la plateforme sont inaccessibles" in response.get_data(as_text=True)
    assert "jwks_fetch_failed" in caplog.text and "OutboundError" in caplog.text

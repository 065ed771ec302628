"""The login/launch flow under hostile traffic: bounded storage, purge, rate limit, the state
bound to its platform, and no network call inside a database transaction (issue 13)."""

from __future__ import annotations

import json
import re
import threading
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from sqlalchemy import func, select

from lti_tool.extensions import db
from lti_tool.lti import validation
from lti_tool.lti.keys import public_jwk, public_pem_of
from lti_tool.lti.store import DatabaseStore
from lti_tool.lti.throttle import client_key
from lti_tool.models import Deployment, LaunchSession, Registration
from lti_tool.models.lti import JwksCache, OidcState, RateCounter, UsedNonce
from lti_tool.worker import run_once
from tests.lti.platform import CLIENT_ID, ISSUER, OTHER_PEM, TestPlatform

LOGIN = {
    "iss": ISSUER,
    "login_hint": "u1",
    "target_link_uri": "http://localhost/lti/launch",
    "client_id": CLIENT_ID,
}


def _state_of(response):
    assert response.status_code == 302, response.get_data(as_text=True)
    return parse_qs(urlsplit(response.headers["Location"]).query)["state"][0]


# --- 2. Unauthenticated requests must not grow the database ---------------------------------


def test_a_login_stores_only_the_parameters_the_flow_needs(lms, store, clock):
    junk = {f"field{n}": "x" * 20_000 for n in range(10)}  # 200 KB: under the body limit
    response = lms.client.post(
        "/lti/login",
        data={**LOGIN, "lti_message_hint": "hint-1", "lti_deployment_id": "1", **junk},
    )
    kept = store.peek_state(_state_of(response), clock())
    assert kept.login_params == {**LOGIN, "lti_message_hint": "hint-1", "lti_deployment_id": "1"}
    assert len(json.dumps(kept.login_params)) < 500


@pytest.mark.parametrize(
    ("name", "size"),
    [("login_hint", 2049), ("lti_message_hint", 4097), ("target_link_uri", 1025), ("iss", 256)],
)
def test_an_oversized_login_parameter_is_refused_before_anything_is_stored(lms, store, name, size):
    value = "http://localhost/lti/" + "a" * size if name == "target_link_uri" else "a" * size
    response = lms.client.post("/lti/login", data={**LOGIN, name: value})
    body = response.get_data(as_text=True)
    assert response.status_code == 400, body
    assert f"le paramètre « {name} » dépasse" in body and "Traceback" not in body
    assert "Location" not in response.headers
    assert db.session.scalar(select(func.count(OidcState.id))) == 0
    assert db.session.scalar(select(func.count(RateCounter.id))) == 0


def test_a_login_for_an_unknown_platform_writes_nothing(lms, store):
    for params in ({**LOGIN, "iss": "https://evil.example"}, {**LOGIN, "client_id": "other"}):
        response = lms.client.post("/lti/login", data=params)
        assert response.status_code == 403
    assert db.session.scalar(select(func.count(OidcState.id))) == 0
    assert db.session.scalar(select(func.count(RateCounter.id))) == 0


def test_the_worker_purges_what_expired(lms, app, clock):
    app.extensions["bilan_launch_store"] = DatabaseStore()
    assert lms.full_launch().status_code == 303  # a launch session and a consumed nonce
    lms.client.post("/lti/login", data=LOGIN)  # a login never finished
    db.session.add(
        RateCounter(key="login:192.0.2.1:0", count=1, expires_at=clock() + timedelta(minutes=1))
    )
    db.session.commit()
    counts = {
        model: db.session.scalar(select(func.count(model.id)))
        for model in (OidcState, UsedNonce, RateCounter, LaunchSession)
    }
    assert all(counts.values()), counts
    clock.advance(minutes=11)  # the login state and the rate counter expired
    fresh = _state_of(lms.client.post("/lti/login", data=LOGIN))
    assert run_once({"lti-purge"})["lti-purge"].startswith("lti_oidc_state=1")
    assert db.session.scalars(select(OidcState.state)).all() == [fresh]
    assert db.session.scalar(select(func.count(RateCounter.id))) == 1  # this minute's
    assert db.session.scalar(select(func.count(UsedNonce.id))) == 1  # still within its life
    assert db.session.scalar(select(func.count(LaunchSession.id))) == 1
    clock.advance(hours=12 + 24)
    run_once({"lti-purge"})
    for model in (OidcState, UsedNonce, RateCounter, LaunchSession):
        assert db.session.scalar(select(func.count(model.id))) == 0, model


def test_logins_are_rate_limited_per_client_address(lms, app, store, clock):
    app.config["LOGIN_RATE_LIMIT"] = 3
    for _ in range(3):
        _state_of(lms.client.post("/lti/login", data=LOGIN))
    # Without BILAN_TRUST_PROXY, X-Forwarded-For is the client's word, not its address.
    refused = lms.client.post("/lti/login", data=LOGIN, headers={"X-Forwarded-For": "198.51.100.9"})
    body = refused.get_data(as_text=True)
    assert refused.status_code == 429, body
    assert "Trop de demandes de connexion depuis cette adresse" in body
    assert refused.headers["Retry-After"] == "60" and "Location" not in refused.headers
    other = app.test_client()
    _state_of(other.post("/lti/login", data=LOGIN, environ_base={"REMOTE_ADDR": "192.0.2.7"}))
    clock.advance(seconds=60)
    _state_of(lms.client.post("/lti/login", data=LOGIN))


def test_an_exam_room_behind_one_address_gets_in_by_default(lms, app, tmp_path, monkeypatch):
    """300 candidates launching within the same minute from one NAT address (a certification
    room) are not refused by the default limit (it was 120 per minute: 180 were turned away)."""
    from lti_tool.config import from_environment

    monkeypatch.delenv("BILAN_LOGIN_RATE_LIMIT", raising=False)
    app.config["LOGIN_RATE_LIMIT"] = from_environment(str(tmp_path))["LOGIN_RATE_LIMIT"]
    for _ in range(300):
        _state_of(lms.client.post("/lti/login", data=LOGIN))


def test_behind_a_trusted_proxy_the_forwarded_address_is_counted(platform, clock, tmp_path):
    from lti_tool import create_app

    proxied = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key-not-for-production",
            "SQLALCHEMY_DATABASE_URI": db.engine.url.render_as_string(hide_password=False),
            "CLOCK": clock,
            "TOOL_BASE_URL": "http://localhost",
            "UPLOAD_ROOT": str(tmp_path / "up"),
            "TRUST_PROXY": 1,
            "LOGIN_RATE_LIMIT": 1,
        }
    )
    client = proxied.test_client()
    first = client.post("/lti/login", data=LOGIN, headers={"X-Forwarded-For": "198.51.100.1"})
    assert first.status_code == 302
    again = client.post("/lti/login", data=LOGIN, headers={"X-Forwarded-For": "198.51.100.1"})
    assert again.status_code == 429
    other = client.post("/lti/login", data=LOGIN, headers={"X-Forwarded-For": "198.51.100.2"})
    assert other.status_code == 302
    with proxied.app_context():
        for engine in db.engines.values():
            engine.dispose()


def test_client_addresses_are_counted_by_ipv4_or_ipv6_network():
    assert client_key("203.0.113.7") == "203.0.113.7"
    assert client_key("::ffff:203.0.113.7") == "203.0.113.7"
    assert client_key("2001:db8:1:2:aaaa::1") == client_key("2001:db8:1:2:bbbb::2")
    assert client_key("2001:db8:1:2::1") == "2001:db8:1:2::/64"
    assert client_key(None) == "inconnue"


# --- 9. The login state is bound to its platform ---------------------------------------------

OTHER_ISSUER = "https://other-lms.example.org"


@pytest.fixture()
def second_registration(platform, clock, monkeypatch, lms):
    """Another registered platform (an attacker's own), with its own key and deployment."""

    def make(issuer: str) -> Registration:
        registration = Registration(
            issuer=issuer,
            client_id="client-2",
            name="Autre plateforme",
            auth_login_url=f"{issuer}/auth",
            auth_token_url=f"{issuer}/token",
            key_set_url=f"{issuer}/jwks-2",
            active=True,
            created_at=clock(),
        )
        db.session.add_all(
            [
                registration,
                Deployment(
                    registration=registration, deployment_id="1", active=True, created_at=clock()
                ),
            ]
        )
        db.session.commit()
        other_keys = {"keys": [public_jwk(public_pem_of(OTHER_PEM), "other-key")]}
        monkeypatch.setattr(
            validation,
            "FETCH_JWKS",
            [lambda url: other_keys if url.endswith("/jwks-2") else lms.jwks(url)],
        )
        return registration

    return make


@pytest.mark.parametrize("issuer", [OTHER_ISSUER, ISSUER])
def test_a_login_started_for_one_registration_cannot_be_finished_by_another(
    lms, second_registration, issuer, caplog
):
    second_registration(issuer)
    state, nonce = lms.login()  # for the first registration, in this browser
    claims = lms.claims(nonce, sub="attacker")
    claims.update({"iss": issuer, "aud": "client-2"})
    token = lms.sign(claims, kid="other-key", pem=OTHER_PEM)
    response = lms.launch(token, state)
    body = response.get_data(as_text=True)
    assert response.status_code == 401, body
    assert "ne vient pas de la plateforme qui a ouvert la connexion" in body
    assert db.session.scalar(select(LaunchSession)) is None
    assert "reason=wrong_platform" in caplog.text
    # The same token through a login of its own registration is accepted: only the binding failed.
    fresh = lms.client.get(
        "/lti/login", query_string={**LOGIN, "iss": issuer, "client_id": "client-2"}
    )
    query = parse_qs(urlsplit(fresh.headers["Location"]).query)
    claims["nonce"] = query["nonce"][0]
    good = lms.launch(lms.sign(claims, kid="other-key", pem=OTHER_PEM), query["state"][0])
    assert good.status_code == 303, good.get_data(as_text=True)


# --- 13. No network call inside a database transaction ----------------------------------------


@pytest.fixture()
def db_lms(client, platform, monkeypatch, clock, app):
    """The test platform with the database store (where a transaction could hold the state)."""
    app.extensions["bilan_launch_store"] = DatabaseStore()
    test_platform = TestPlatform(client, clock)
    monkeypatch.setattr(validation, "FETCH_JWKS", [test_platform.jwks])
    return test_platform


def test_the_key_set_is_fetched_with_no_transaction_open(db_lms, monkeypatch):
    seen: list[bool] = []

    def fetch(url):
        seen.append(db.session().in_transaction())
        return db_lms.jwks(url)

    monkeypatch.setattr(validation, "FETCH_JWKS", [fetch])
    assert db_lms.full_launch().status_code == 303
    assert seen == [False]


def test_a_hanging_key_set_does_not_block_other_requests(db_lms, app, monkeypatch):
    """A platform whose JWKS hangs: while one launch waits for it, another request writes."""
    entered, release = threading.Event(), threading.Event()

    def hanging_fetch(url):
        entered.set()
        assert release.wait(timeout=30), "never released"
        return db_lms.jwks(url)

    monkeypatch.setattr(validation, "FETCH_JWKS", [hanging_fetch])
    state, nonce = db_lms.login()
    token = db_lms.sign(db_lms.claims(nonce))
    outcome: list[int] = []

    def waiting_launch():
        outcome.append(db_lms.launch(token, state).status_code)

    launching = threading.Thread(target=waiting_launch)
    launching.start()
    try:
        assert entered.wait(timeout=10), "the launch never fetched the keys"
        other = app.test_client().post("/lti/login", data=LOGIN)  # writes its state, commits
        assert other.status_code == 302, other.get_data(as_text=True)
    finally:
        release.set()
        launching.join(timeout=30)
    assert not launching.is_alive()
    assert outcome == [303]


def test_a_key_set_failure_is_remembered_for_a_minute(lms, monkeypatch, clock, caplog):
    calls: list[str] = []
    failing = [True]

    def fetch(url):
        calls.append(url)
        if failing[0]:
            raise requests.ConnectionError("timed out")
        return lms.jwks(url)

    monkeypatch.setattr(validation, "FETCH_JWKS", [fetch])
    for _ in range(3):
        refused = lms.full_launch()
        assert refused.status_code == 502, refused.get_data(as_text=True)
        assert "clés publiques de la plateforme sont inaccessibles" in refused.get_data(
            as_text=True
        )
    assert len(calls) == 1  # the next launches did not wait for the platform again
    cache = db.session.scalar(select(JwksCache))
    assert cache.error == "ConnectionError" and cache.jwks == {"keys": []}
    failing[0] = False
    clock.advance(seconds=61)
    assert lms.full_launch().status_code == 303
    assert len(calls) == 2
    db.session.expire_all()
    assert db.session.scalar(select(JwksCache)).error is None
    assert re.search(r"jwks_fetch_failed url=\S+ error=ConnectionError", caplog.text)


@pytest.mark.parametrize("path", ["/lti/login", "/lti/launch"])
def test_a_large_body_is_refused_before_it_is_parsed(lms, store, path):
    # 40 fields of 20 KB: each under the form parser's own field limit, 800 KB in all.
    fields = {f"f{n}": "x" * 20_000 for n in range(40)}
    response = lms.client.post(path, data={**LOGIN, **fields})
    assert response.status_code == 413
    # Nobody sent a file: the page speaks of the request, not of an upload.
    body = response.get_data(as_text=True)
    assert "Requête trop volumineuse" in body and "fichier" not in body.lower()
    assert db.session.scalar(select(func.count()).select_from(OidcState)) == 0
    # An ordinary login still goes through.
    _state_of(lms.client.post("/lti/login", data=LOGIN))

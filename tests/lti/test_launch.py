"""Launch validation: the 1EdTech known-bad payloads are refused, good launches accepted."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from lti_tool.extensions import db
from lti_tool.launch_session import load_launch, token_from_path
from lti_tool.models import LaunchSession, User
from lti_tool.models.lti import OidcState
from tests.lti.platform import ISSUER, OTHER_PEM, TestPlatform

LTI = "https://purl.imsglobal.org/spec/lti/claim/"


def refused(response, status, text):
    body = response.get_data(as_text=True)
    assert response.status_code == status, body
    assert text in body, body
    assert "Traceback" not in body


def test_student_launch_lands_in_the_course(lms):
    response = lms.full_launch()
    assert response.status_code == 303
    page = lms.client.get(response.headers["Location"])
    assert page.status_code == 200 and "Claire Martin" in page.get_data(as_text=True)
    # Read through the tool, whichever store keeps launch sessions (database or Redis).
    session = load_launch(token_from_path(urlsplit(response.headers["Location"]).path))
    assert session.role == "trainee" and session.locale == "fr"


def test_no_personal_data_and_no_context_are_accepted(lms):
    response = lms.full_launch(name=None, email=None, context=None)
    assert response.status_code == 303
    user = db.session.scalar(select(User))
    assert user.name is None and user.email is None
    assert "Participant" in lms.client.get(response.headers["Location"]).get_data(as_text=True)


def test_locale_from_launch_presentation(lms):
    response = lms.full_launch(launch_presentation={"locale": "en-US"})
    page = lms.client.get(response.headers["Location"]).get_data(as_text=True)
    assert '<html lang="en">' in page and "Welcome" in page


@pytest.mark.parametrize(
    ("overrides", "status", "text"),
    [
        ({"version": None}, 400, "Version LTI"),
        ({"version": "1.1"}, 400, "Version LTI"),
        ({"message_type": None}, 400, "type de message"),
        ({"message_type": "LtiFooRequest"}, 400, "type de message"),
        ({"roles": None}, 400, "rôles"),
        ({"deployment_id": None}, 400, "déploiement"),
        ({"resource_link": None}, 400, "resource_link.id"),
        ({"sub": None}, 400, "sub"),
        ({"aud": None}, 400, "destinataire"),
        ({"iss": None}, 400, "plateforme (iss)"),
        ({"iss": "https://evil.example"}, 403, "pas enregistrée"),
        ({"aud": "other-client"}, 403, "pas enregistrée"),
        ({"aud": ["client-1", "other"], "azp": "other"}, 401, "azp"),
        ({"aud": ["client-1", "other"]}, 401, "azp"),
        ("iat_future", 401, "émission du lancement"),
        ({"iat": 1}, 401, "expiré"),
        ("exp_past", 401, "expiré"),
        ({"deployment_id": "unknown-deployment"}, 403, "flask lti add-deployment"),
        ({"target_link_uri": "https://evil.example/launch"}, 400, "appartient pas"),
    ],
)
def test_known_bad_payloads_are_refused(lms, overrides, status, text, caplog, clock):
    now = int(clock().timestamp())
    if overrides == "iat_future":
        overrides = {"iat": now + 3600}
    elif overrides == "exp_past":
        overrides = {"exp": now - 3600}
    response = lms.full_launch(**overrides)
    refused(response, status, text)
    lines = [r.getMessage() for r in caplog.records if "lti_launch_refused" in r.getMessage()]
    assert lines and any(f"iss={ISSUER}" in line for line in lines), lines
    assert db.session.scalar(select(LaunchSession)) is None
    assert "Location" not in response.headers


def test_jwt_that_is_not_an_lti_message(lms):
    state, nonce = lms.login()
    base = lms.claims(nonce)
    token = lms.sign({k: base[k] for k in ("iss", "aud", "sub", "iat", "exp", "nonce")})
    refused(lms.launch(token, state), 400, "Version LTI")


def test_no_kid_wrong_kid_alg_none_and_hs256_with_public_key(lms):
    state, nonce = lms.login()
    refused(lms.launch(lms.sign(lms.claims(nonce), kid=None), state), 401, "kid")
    state, nonce = lms.login()
    refused(lms.launch(lms.sign(lms.claims(nonce), kid="wrong-kid"), state), 401, "clé inconnue")
    state, nonce = lms.login()
    header = (
        base64.urlsafe_b64encode(json.dumps({"alg": "none", "kid": lms.kid}).encode())
        .rstrip(b"=")
        .decode()
    )
    body = base64.urlsafe_b64encode(json.dumps(lms.claims(nonce)).encode()).rstrip(b"=").decode()
    refused(lms.launch(f"{header}.{body}.", state), 401, "RS256")
    state, nonce = lms.login()
    public = lms.jwks("x")["keys"][0]
    head = base64.urlsafe_b64encode(json.dumps({"alg": "HS256", "kid": lms.kid}).encode()).rstrip(
        b"="
    )
    payload = base64.urlsafe_b64encode(json.dumps(lms.claims(nonce)).encode()).rstrip(b"=")
    mac = hmac.new(json.dumps(public).encode(), head + b"." + payload, hashlib.sha256).digest()
    hs = (head + b"." + payload + b"." + base64.urlsafe_b64encode(mac).rstrip(b"=")).decode()
    refused(lms.launch(hs, state), 401, "RS256")
    state, nonce = lms.login()
    refused(lms.launch(lms.sign(lms.claims(nonce), pem=OTHER_PEM), state), 401, "Signature")


def test_replayed_id_token_is_refused(lms):
    state, nonce = lms.login()
    token = lms.sign(lms.claims(nonce))
    assert lms.launch(token, state).status_code == 303
    state2, _ = lms.login()
    refused(lms.launch(token, state2), 401, "nonce")
    # Same token, same state again: the state was consumed.
    refused(lms.launch(token, state), 401, "Connexion inconnue")


def test_replay_with_matching_nonce_store_is_refused(lms):
    """Even if a nonce check were bypassed, the used-nonce table refuses a second use."""
    from lti_tool.clock import now
    from lti_tool.lti.validation import LaunchRefused, consume_nonce

    consume_nonce("https://lms.example.org", "n-1", now())
    with pytest.raises(LaunchRefused):
        consume_nonce("https://lms.example.org", "n-1", now())


def test_state_mismatch_and_missing_cookie(lms, app):
    state, nonce = lms.login()
    token = lms.sign(lms.claims(nonce))
    other = TestPlatform(app.test_client(), lms.clock)
    refused(other.launch(token, state), 401, "nouvelle fenêtre")
    cookie_name = next(c.key for c in lms.client._cookies.values())
    lms.client.set_cookie(cookie_name, "forged", path="/lti/")
    refused(lms.launch(token, state), 401, "autre navigateur")


def test_jwks_refetched_once_on_unknown_kid_then_rate_limited(lms, clock):
    lms.full_launch()
    assert len(lms.fetches) == 1
    clock.advance(seconds=61)
    state, nonce = lms.login()
    lms.launch(lms.sign(lms.claims(nonce), kid="rotated"), state)
    assert len(lms.fetches) == 2
    state, nonce = lms.login()
    lms.launch(lms.sign(lms.claims(nonce), kid="rotated-again"), state)
    assert len(lms.fetches) == 2  # within 60 s: no new fetch


def test_trainee_cannot_open_a_trainer_page_and_courses_are_isolated(lms, launch, client):
    response = lms.full_launch(custom={"target": "exam:certification"})
    path = response.headers["Location"]
    token = path.split("/")[2]
    assert client.get(f"/s/{token}/examen/suivi").status_code == 403
    other_course_trainer = launch(
        "trainer", sub="t-2", context="course-2", target="exam:certification"
    )
    rows = client.get(other_course_trainer.url("/examen/suivi.json")).get_json()
    assert all(r["name"] != "Claire Martin" for r in rows)


def test_jwks_endpoint_and_rotation_publish_both_keys(client, runner):
    first = client.get("/lti/jwks").get_json()["keys"]
    assert len(first) == 1 and first[0]["kid"] and first[0]["alg"] == "RS256"
    assert "Nouvelle clé active" in runner.invoke(args=["lti", "rotate-key"]).output
    second = client.get("/lti/jwks").get_json()["keys"]
    assert {k["kid"] for k in second} == {first[0]["kid"], second[-1]["kid"]} and len(second) == 2
    runner.invoke(args=["lti", "rotate-key"])
    third = client.get("/lti/jwks").get_json()["keys"]
    assert first[0]["kid"] not in {k["kid"] for k in third} and len(third) == 2


def test_several_client_ids_without_client_id_are_refused_clearly(lms, app):
    from lti_tool.models import Registration
    from tests.lti.platform import ISSUER

    first = db.session.scalar(select(Registration))
    db.session.add(
        Registration(
            issuer=ISSUER,
            client_id="client-2",
            name="second",
            auth_login_url=first.auth_login_url,
            auth_token_url=first.auth_token_url,
            key_set_url=first.key_set_url,
            created_at=first.created_at,
        )
    )
    db.session.commit()
    response = lms.client.get("/lti/login", query_string={"iss": ISSUER, "login_hint": "u"})
    refused(response, 403, "doit envoyer client_id")
    assert lms.login()[0]  # with client_id, the login goes through


def test_login_refuses_a_foreign_target_link_uri(lms):
    from tests.lti.platform import CLIENT_ID

    response = lms.client.get(
        "/lti/login",
        query_string={
            "iss": ISSUER,
            "client_id": CLIENT_ID,
            "login_hint": "u",
            "target_link_uri": "https://evil.example/lti/launch",
        },
    )
    refused(response, 400, "appartient pas")
    assert db.session.scalar(select(OidcState)) is None

"""LTI Client Side postMessage storage: the state binding travels through the platform frame."""

from __future__ import annotations

import re
from html import unescape

from sqlalchemy import select

from lti_tool.extensions import db
from lti_tool.models import LaunchSession
from tests.lti.platform import CLIENT_ID, ISSUER

#: The form of the tool's own storage page posts from the tool's origin.
FROM_TOOL = {"Origin": "http://localhost"}


def _attr(page: str, name: str) -> str:
    match = re.search(rf'{name}="([^"]*)"', page)
    assert match, name
    return unescape(match.group(1))


def _storage_login(lms):
    response = lms.client.get(
        "/lti/login",
        query_string={
            "iss": ISSUER,
            "login_hint": "u1",
            "client_id": CLIENT_ID,
            "target_link_uri": "http://localhost/lti/launch",
            "lti_storage_target": "post_message_forwarding",
        },
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert _attr(page, "data-mode") == "put"
    assert _attr(page, "data-target") == "post_message_forwarding"
    assert _attr(page, "data-origin") == "https://lms.example.org"
    next_url = _attr(page, "data-next")
    assert next_url.startswith("https://lms.example.org/")
    state = re.search(r"state=([^&]+)", next_url).group(1)
    nonce = re.search(r"nonce=([^&]+)", next_url).group(1)
    assert _attr(page, "data-key") == f"lti_state_{state}"
    return state, nonce, _attr(page, "data-value")


def test_launch_without_cookie_uses_the_platform_storage(lms, app):
    state, nonce, stored = _storage_login(lms)
    token = lms.sign(lms.claims(nonce))
    frame = app.test_client()  # no cookie: third-party cookies blocked in the frame
    ask = frame.post("/lti/launch", data={"id_token": token, "state": state})
    page = ask.get_data(as_text=True)
    assert ask.status_code == 200 and _attr(page, "data-mode") == "get"
    assert _attr(page, "data-key") == f"lti_state_{state}"
    assert "/lti/storage.js" in page
    assert "lti.get_data" in frame.get("/lti/storage.js").get_data(as_text=True)
    done = frame.post(
        "/lti/launch",
        data={"id_token": token, "state": state, "lti_storage_value": stored},
        headers=FROM_TOOL,
    )
    assert done.status_code == 303, done.get_data(as_text=True)


def test_wrong_or_missing_stored_value_is_refused(lms, app):
    state, nonce, _ = _storage_login(lms)
    token = lms.sign(lms.claims(nonce))
    frame = app.test_client()
    forged = frame.post(
        "/lti/launch",
        data={"id_token": token, "state": state, "lti_storage_value": "forged"},
        headers=FROM_TOOL,
    )
    assert forged.status_code == 401 and "autre navigateur" in forged.get_data(as_text=True)
    state, nonce, _ = _storage_login(lms)
    token = lms.sign(lms.claims(nonce))
    empty = frame.post(
        "/lti/launch",
        data={"id_token": token, "state": state, "lti_storage_value": ""},
        headers=FROM_TOOL,
    )
    body = empty.get_data(as_text=True)
    assert empty.status_code == 401 and "nouvelle fenêtre" in body
    assert "lti_storage_target" not in body  # the new window restarts at top level, with cookies


def _no_session_opened(response):
    body = response.get_data(as_text=True)
    assert response.status_code == 401, body
    assert "nouvelle fenêtre" in body and "Location" not in response.headers
    assert db.session.scalar(select(LaunchSession)) is None


def test_an_attackers_login_cannot_be_finished_in_a_victims_browser(lms, app, caplog):
    """Login CSRF: the attacker starts a login in their own browser (plain cookie flow, no
    platform storage offered), signs in at the platform as themselves, then makes the victim's
    browser post the id_token, the state and the secret of their cookie as
    ``lti_storage_value``. The victim's uploads would land in the attacker's account."""
    attacker = lms.client
    response = attacker.get(
        "/lti/login",
        query_string={
            "iss": ISSUER,
            "login_hint": "attacker",
            "client_id": CLIENT_ID,
            "target_link_uri": "http://localhost/lti/launch",
        },
    )
    assert response.status_code == 302
    state = re.search(r"state=([^&]+)", response.headers["Location"]).group(1)
    nonce = re.search(r"nonce=([^&]+)", response.headers["Location"]).group(1)
    cookie = attacker.get_cookie("lti1p3-state-" + state[:12], path="/lti/")
    token = lms.sign(lms.claims(nonce, sub="attacker"))
    victim = app.test_client()
    for headers in ({}, FROM_TOOL, {"Origin": "https://attacker.example"}):
        finished = victim.post(
            "/lti/launch",
            data={"id_token": token, "state": state, "lti_storage_value": cookie.value},
            headers=headers,
        )
        _no_session_opened(finished)
    assert "lti_storage_value_ignored reason=storage_not_offered" in caplog.text


def test_the_stored_value_is_taken_only_from_the_tools_own_page(lms, app, caplog):
    """Even for a login that asked for the platform's storage, the secret in a form posted by
    another site (the attacker's page) is not the tool's storage flow."""
    state, nonce, stored = _storage_login(lms)
    token = lms.sign(lms.claims(nonce))
    victim = app.test_client()
    for headers in ({}, {"Origin": "https://attacker.example"}, {"Sec-Fetch-Site": "cross-site"}):
        forged = victim.post(
            "/lti/launch",
            data={"id_token": token, "state": state, "lti_storage_value": stored},
            headers=headers,
        )
        _no_session_opened(forged)
    assert "reason=foreign_origin" in caplog.text
    done = victim.post(
        "/lti/launch",
        data={"id_token": token, "state": state, "lti_storage_value": stored},
        headers={"Sec-Fetch-Site": "same-origin"},
    )
    assert done.status_code == 303, done.get_data(as_text=True)

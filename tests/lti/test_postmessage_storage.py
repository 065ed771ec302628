"""LTI Client Side postMessage storage: the state binding travels through the platform frame."""

from __future__ import annotations

import re
from html import unescape

from tests.lti.platform import CLIENT_ID, ISSUER


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
        "/lti/launch", data={"id_token": token, "state": state, "lti_storage_value": stored}
    )
    assert done.status_code == 303, done.get_data(as_text=True)


def test_wrong_or_missing_stored_value_is_refused(lms, app):
    state, nonce, _ = _storage_login(lms)
    token = lms.sign(lms.claims(nonce))
    frame = app.test_client()
    forged = frame.post(
        "/lti/launch", data={"id_token": token, "state": state, "lti_storage_value": "forged"}
    )
    assert forged.status_code == 401 and "autre navigateur" in forged.get_data(as_text=True)
    state, nonce, _ = _storage_login(lms)
    token = lms.sign(lms.claims(nonce))
    empty = frame.post(
        "/lti/launch", data={"id_token": token, "state": state, "lti_storage_value": ""}
    )
    body = empty.get_data(as_text=True)
    assert empty.status_code == 401 and "nouvelle fenêtre" in body
    assert "lti_storage_target" not in body  # the new window restarts at top level, with cookies

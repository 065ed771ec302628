"""Refused saves: ``final: true`` is the only answer that lets the page drop an answer.

The page (lti_tool/static/exam.js) keeps every answer in its queue and retries unless the
server says this answer can never be saved. The Flask view answers every refusal (the lean
path serves accepted saves only and hands refusals over): both launch-session stores.
"""

from __future__ import annotations

import pytest

from lti_tool.exam.incidents import ExamIncident
from lti_tool.extensions import db
from tests.exam.test_exam_autosave import begin, save, store, stored  # noqa: F401

pytestmark = pytest.mark.usefixtures("store")


@pytest.fixture()
def candidate(store, launch, small_bank):  # noqa: F811
    return launch("trainee", sub="cand-1", target="exam:certification", name="Alice Candidate")


def raw_save(client, candidate, payload):
    return client.post(candidate.url("/examen/enregistrer"), json=payload)


def refusal(response, status):
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert body["ok"] is False and isinstance(body["message"], str) and body["message"]
    return body


def test_a_choice_the_item_does_not_offer_is_final(client, candidate):
    attempt, version, _ = begin(client, candidate)
    item = attempt.paper[0]["item_id"]
    body = refusal(save(client, candidate, item, "zz", version, 1), 400)
    assert body["error"] == "bad_choice" and body["final"] is True
    assert stored(attempt.id) == {}


def test_an_item_outside_the_paper_is_final(client, candidate):
    _, version, _ = begin(client, candidate)
    body = refusal(
        raw_save(
            client,
            candidate,
            {"item_id": "not-on-this-paper", "choices": [], "page_version": version, "seq": 1},
        ),
        400,
    )
    assert body["error"] == "unknown_item" and body["final"] is True


@pytest.mark.parametrize(
    "payload",
    [
        {"choices": [], "page_version": 1, "seq": 1},  # no item
        {"item_id": "x", "choices": [], "seq": 1},  # no page version
        {"item_id": "x", "choices": [], "page_version": 1, "seq": "un"},
        {"item_id": "x", "choices": [], "page_version": 1, "seq": -1},
        ["not", "an", "object"],
    ],
)
def test_a_malformed_payload_is_final(client, candidate, payload):
    begin(client, candidate)
    body = refusal(raw_save(client, candidate, payload), 400)
    assert body["error"] == "bad_request" and body["final"] is True


def test_a_stale_page_or_a_late_save_is_not_final_but_stops_the_page(client, candidate, clock):
    """409 keeps its meaning (the page stops and says why), without the marker."""
    attempt, version, _ = begin(client, candidate)
    item = attempt.paper[0]["item_id"]
    stale = refusal(save(client, candidate, item, "a", version + 1, 1), 409)
    assert stale["error"] == "stale_page" and stale["final"] is False
    clock.advance(minutes=61)
    late = refusal(save(client, candidate, item, "a", version, 2), 409)
    assert late["error"] == "late" and late["final"] is False


def test_an_accepted_save_carries_no_refusal_marker(client, candidate):
    attempt, version, _ = begin(client, candidate)
    body = save(client, candidate, attempt.paper[0]["item_id"], "a", version, 1).get_json()
    assert body["ok"] is True and "final" not in body


def test_an_absurd_outage_report_does_not_lose_the_answer(client, candidate, app):
    """The answer is what counts: an outage length that is not a number (here Infinity, which
    JSON parsers accept) is ignored, not a 500 the page would retry forever."""
    attempt, version, _ = begin(client, candidate)
    item = attempt.paper[0]["item_id"]
    response = client.post(
        candidate.url("/examen/enregistrer"),
        data=(
            f'{{"item_id": "{item}", "choices": [], "flagged": true, "page_version": {version},'
            ' "seq": 1, "offline_ms": Infinity}'
        ),
        content_type="application/json",
    )
    assert response.status_code == 200 and response.get_json()["ok"] is True
    assert stored(attempt.id) == {item: []}
    assert db.session.query(ExamIncident).count() == 0


def test_refusals_speak_the_launch_s_language(client, candidate, store):  # noqa: F811
    from lti_tool.models import LaunchSession

    if store != "database":
        pytest.skip("the launch's language is set here through the database store's row")

    attempt, version, _ = begin(client, candidate)
    item = attempt.paper[0]["item_id"]
    french = refusal(save(client, candidate, item, "zz", version, 1), 400)
    assert french["message"] == "Réponse invalide pour cette question."
    db.session.query(LaunchSession).update({"locale": "en"})
    db.session.commit()
    from flask_babel import refresh

    refresh()  # the tests' app context outlives requests: forget the first request's locale
    english = refusal(save(client, candidate, item, "zz", version, 2), 400)
    assert english["message"] == "Invalid answer for this question."
    stale = refusal(save(client, candidate, item, "zz", version - 1, 3), 409)
    assert stale["message"].startswith("The exam was opened in another tab")

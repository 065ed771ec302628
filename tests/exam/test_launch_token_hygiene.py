"""Launch tokens (issue 13, point 12) at the exam: the lean autosave in front of Flask ends with
the session like every page, and no response under ``/s/<token>/`` is cached.

Each test runs with launch sessions in the database and in Redis. A session ends when the same
person is launched into the same course with another role: ``create_launch_session`` is what
every launch calls (tests/lti/test_launch_revocation.py does it with signed launches).
"""

from __future__ import annotations

from lti_tool.extensions import db
from lti_tool.launch_session import create_launch_session
from tests.exam.test_exam_autosave import (  # noqa: F401  (fixtures)
    begin,
    candidate,
    save,
    store,
    stored,
    view_calls,
)


def _relaunch(person, role):
    token = create_launch_session(
        user_id=person.user.id,
        context_id=person.context.id,
        role=role,
        resource_link_id=person.resource_link.id,
    )
    db.session.commit()
    return token


def test_the_lean_autosave_refuses_an_ended_session(client, candidate, view_calls):  # noqa: F811
    attempt, version, _ = begin(client, candidate)
    first, second = (p["item_id"] for p in attempt.paper[:2])
    assert save(client, candidate, first, "a", version, 1).get_json()["stored"]
    assert view_calls == []  # served by the lean path
    # The same person launched into the same course as a trainer: the candidate token ends.
    _relaunch(candidate, "trainer")
    refused = save(client, candidate, second, "b", version, 2)
    # The lean path stored nothing and handed the request to Flask, which answers 401.
    assert refused.status_code == 401
    assert stored(attempt.id) == {first: ["a"]}


def test_a_relaunch_as_candidate_keeps_the_lean_autosave_working(client, candidate, view_calls):  # noqa: F811
    attempt, version, _ = begin(client, candidate)
    _relaunch(candidate, "trainee")  # a second tab
    item = attempt.paper[0]["item_id"]
    assert save(client, candidate, item, "a", version, 1).get_json()["stored"]
    assert view_calls == []


def test_no_store_on_the_lean_autosave_the_pages_and_the_json(client, candidate, view_calls):  # noqa: F811
    attempt, version, _ = begin(client, candidate)
    lean = save(client, candidate, attempt.paper[0]["item_id"], "a", version, 1)
    assert view_calls == [] and lean.headers["Cache-Control"] == "no-store"
    for path in ("/", "/examen/", "/examen/passer", "/examen/temps"):
        response = client.get(candidate.url(path))
        assert response.status_code in (200, 302), path
        assert response.headers["Cache-Control"] == "no-store", path
    # Refusals and unknown tokens too (the URL itself is the credential).
    assert client.get(candidate.url("/examen/suivi")).headers["Cache-Control"] == "no-store"
    unknown = client.get("/s/" + "x" * 43 + "/examen/")
    assert unknown.status_code == 401 and unknown.headers["Cache-Control"] == "no-store"


def test_no_store_on_exports_and_downloads(client, candidate, launch, later):  # noqa: F811
    attempt, _, _ = begin(client, candidate)
    trainer = launch("trainer", sub="t-1", target="exam:certification")
    client.post(candidate.url("/examen/remettre"))
    for path in ("/examen/resultats.csv", f"/examen/journal/{attempt.id}.json", "/examen/suivi"):
        response = client.get(trainer.url(path))
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "no-store", path


def test_public_resources_stay_cacheable(client, store):  # noqa: F811
    assert client.get("/lti/jwks").headers["Cache-Control"] == "public, max-age=300"
    assert "no-store" not in client.get("/lti/storage.js").headers.get("Cache-Control", "")

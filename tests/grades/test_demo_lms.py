"""The sender against the demo LMS (real token check, line items, scores, NRPS) in-process."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lti_tool.extensions import db
from lti_tool.grades import demo_lms, roster, sender
from lti_tool.lti.keys import public_jwk, public_pem_of
from lti_tool.models.grades import ScoreOutbox
from lti_tool.models.lti import Registration
from tests.grades.flask_adapter import session_for
from tests.grades.test_outbox import PEM, queue

BASE = "http://localhost/demo/ags"


@pytest.fixture()
def lms(app, monkeypatch, platform):
    app.config["DEMO_LMS_STORE"] = "memory"
    monkeypatch.setattr(sender, "HTTP", [session_for(app)])
    monkeypatch.setattr("lti_tool.lti.keys.signing_key", lambda: ("kid-1", PEM))
    monkeypatch.setattr(
        "lti_tool.lti.keys.public_jwks",
        lambda: {"keys": [public_jwk(public_pem_of(PEM), "kid-1")]},
    )
    registration = db.session.scalar(select(Registration))
    registration.auth_token_url = f"{BASE}/token"
    db.session.commit()
    return app


def _launch(launch, sub, rl="rl-demo", role="trainee"):
    p = launch(role, sub=sub, target="exam:certification", resource_link=rl)
    p.resource_link.lineitems_url = f"{BASE}/course-1/lineitems"
    p.context.memberships_url = "http://localhost/demo/nrps/course-1"
    db.session.commit()
    return p


def test_scores_reach_the_demo_gradebook_with_one_token(lms, launch, clock, client):
    people = [_launch(launch, f"demo-l{n}") for n in range(12)]
    for n, p in enumerate(people):
        queue(p, clock, 50 + n)
    clock.advance(seconds=3)
    queue(people[0], clock, 99)  # supersedes the unsent 50
    teacher = _launch(launch, "demo-formateur")
    refused = queue(teacher, clock, 10)
    while sender.send_due(clock(), limit=5) != "0 envoi(s), 0 livrée(s)":
        pass
    counters = demo_lms.stats()
    assert counters["token_requests"] == 1 and counters["grades"] == 12
    assert counters["score_posts"] == 12  # each learner once (the teacher is refused earlier)
    assert db.session.get(ScoreOutbox, refused.id).state == "failed"
    page = client.get("/demo/ags/course-1/carnet").get_data(as_text=True)
    assert "99 / 100" in page and "50 / 100" not in page


def test_forged_assertion_is_refused(lms, launch, clock, monkeypatch):
    from lti_tool.lti.keys import generate_private_pem

    p = _launch(launch, "demo-l1")
    row = queue(p, clock, 5)
    other = generate_private_pem()
    monkeypatch.setattr("lti_tool.lti.keys.signing_key", lambda: ("kid-1", other))
    sender.send_due(clock())
    row = db.session.get(ScoreOutbox, row.id)
    assert row.state == "pending" and "jeton refusé" in row.last_error


def test_demo_roster_is_paginated(lms, launch, clock):
    t = _launch(launch, "demo-formateur", role="trainer")
    members = roster.roster(t.context, clock())
    assert {m.sub for m in members} >= {"demo-stagiaire", "demo-anonyme", "demo-stagiaire-3"}
    anonymous = next(m for m in members if m.sub == "demo-anonyme")
    assert anonymous.display_name.startswith("Participant sans nom") and anonymous.email is None


def test_demo_lms_is_off_without_the_demo_platform(lms, client):
    lms.config["DEMO_PLATFORM"] = False
    assert client.post("/demo/ags/token").status_code == 404

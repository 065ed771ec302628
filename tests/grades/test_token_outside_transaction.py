"""Access tokens are fetched with no database transaction open (issue 13, point 13): a token
endpoint that hangs must hold neither a SQLite write lock nor a PostgreSQL connection."""

from __future__ import annotations

import pytest

from lti_tool.extensions import db
from lti_tool.grades import roster, sender
from tests.grades.fake_lms import FakeMoodle
from tests.grades.test_outbox import PEM, queue

MEMBERSHIPS = "https://lms.example.org/nrps/course-1/memberships"


class WatchedMoodle(FakeMoodle):
    """Records, at each token request, whether the tool's session had a transaction open."""

    def __init__(self) -> None:
        super().__init__()
        self.in_transaction_at_token: list[bool] = []

    def post(self, url, data=None, timeout=None, **kw):  # type: ignore[no-untyped-def]
        self.in_transaction_at_token.append(db.session().in_transaction())
        return super().post(url, data=data, timeout=timeout, **kw)


@pytest.fixture()
def moodle(monkeypatch):
    fake = WatchedMoodle()
    monkeypatch.setattr(sender, "HTTP", [fake])
    monkeypatch.setattr("lti_tool.lti.keys.signing_key", lambda: ("kid-1", PEM))
    return fake


def test_the_grade_worker_fetches_its_token_outside_a_transaction(moodle, launch, clock):
    learner = launch(
        "trainee",
        sub="learner-1",
        target="exam:certification",
        lineitem_url="https://lms.example.org/li/exam",
    )
    queue(learner, clock, 80)
    assert sender.send_due(clock()).startswith("1 envoi")
    assert moodle.grades[("/li/exam", "learner-1")]["grade"] == 80
    assert moodle.in_transaction_at_token == [False]


def test_a_course_column_token_is_fetched_before_the_column_lock(moodle, launch, clock):
    learner = launch("trainee", sub="learner-1", target="exam:certification")
    learner.resource_link.lineitems_url = "https://lms.example.org/li"
    db.session.commit()
    queue(learner, clock, 55)
    assert sender.send_due(clock()).startswith("1 envoi")
    assert moodle.score_posts and moodle.in_transaction_at_token == [False]


def test_the_roster_fetches_its_token_outside_a_transaction(moodle, launch, clock):
    trainer = launch("trainer", sub="t-1", target="exam:x")
    trainer.context.memberships_url = MEMBERSHIPS
    db.session.commit()
    moodle.members = [{"user_id": "l-1", "name": "Alice", "roles": []}]
    assert [m.sub for m in roster.fetch_members(trainer.context, clock())] == ["l-1"]
    assert moodle.in_transaction_at_token == [False]

"""Grades reach the gradebook exactly once, in order, whatever the platform does."""

from __future__ import annotations

from datetime import timedelta

import pytest
from cryptography.hazmat.primitives import serialization
from sqlalchemy import select

from lti_tool.extensions import db
from lti_tool.grades import sender
from lti_tool.grades.profiles import adapt
from lti_tool.grades.service import COMPLETED, publish_score
from lti_tool.lti.keys import generate_private_pem
from lti_tool.models.grades import AccessToken, ScoreOutbox
from tests.grades.fake_lms import REFUSED, TIMEOUT, FakeMoodle

PEM = generate_private_pem()


@pytest.fixture()
def moodle(monkeypatch):
    fake = FakeMoodle()
    monkeypatch.setattr(sender, "HTTP", [fake])
    monkeypatch.setattr("lti_tool.lti.keys.signing_key", lambda: ("kid-1", PEM))
    return fake


@pytest.fixture()
def learner(launch):
    return launch(
        "trainee",
        sub="learner-1",
        target="exam:certification",
        lineitem_url="https://lms.example.org/li/exam",
    )


def queue(learner, clock, score, **kw):
    row = publish_score(
        user_id=learner.user.id,
        link=learner.resource_link,
        score_given=score,
        score_maximum=100,
        activity_progress=COMPLETED,
        now=clock(),
        **kw,
    )
    db.session.commit()
    return row


def test_score_delivered_with_a_correct_message_and_one_token(moodle, learner, clock):
    queue(
        learner,
        clock,
        72.5,
        comment="Bravo",
        started_at=clock() - timedelta(minutes=50),
        submitted_at=clock(),
    )
    assert sender.send_due(clock()).startswith("1 envoi")
    body = moodle.score_posts[0]
    assert (
        body["userId"] == "learner-1" and body["scoreGiven"] == 72.5 and body["scoreMaximum"] == 100
    )
    assert body["activityProgress"] == "Completed" and body["gradingProgress"] == "FullyGraded"
    assert body["submission"]["startedAt"].endswith("Z") and body["comment"] == "Bravo"
    assert moodle.grades[("/li/exam", "learner-1")]["grade"] == 72.5
    for n in range(5):
        clock.advance(seconds=5)
        queue(learner, clock, n)
        sender.send_due(clock())
    assert moodle.tokens_issued == 1
    assert db.session.scalar(select(AccessToken.token)) == "tok-1"


def test_timestamps_strictly_increase_one_second_apart(moodle, learner, clock):
    first = queue(learner, clock, 10)
    sender.send_due(clock())
    second = queue(learner, clock, 20)  # same second
    assert second.timestamp - first.timestamp == timedelta(seconds=1)
    sender.send_due(clock())  # not before its second has come: never a timestamp in the future
    assert moodle.grades[("/li/exam", "learner-1")]["grade"] == 10
    clock.advance(seconds=1)
    sender.send_due(clock())
    assert moodle.grades[("/li/exam", "learner-1")]["grade"] == 20
    sent = moodle.score_posts[-1]["timestamp"]
    assert sent <= clock().isoformat(timespec="milliseconds").replace("+00:00", "Z")
    assert db.session.get(ScoreOutbox, second.id).state == "delivered"


def test_newer_score_supersedes_an_unsent_one(moodle, learner, clock):
    old = queue(learner, clock, 10)
    new = queue(learner, clock, 90)
    assert new.state == "pending"
    clock.advance(seconds=1)  # the second score of a second is sent once its second has come
    sender.send_due(clock())
    assert db.session.get(ScoreOutbox, old.id).state == "superseded"
    assert [p["scoreGiven"] for p in moodle.score_posts] == [90]


def test_409_is_done_and_logged(moodle, learner, clock):
    row = queue(learner, clock, 50)
    moodle.grades[("/li/exam", "learner-1")] = {
        "grade": 60,
        "_stamp": row.timestamp + timedelta(hours=1),
    }
    sender.send_due(clock())
    row = db.session.get(ScoreOutbox, row.id)
    assert row.state == "delivered" and row.last_status == 409 and "plus récente" in row.last_error


def test_teacher_is_a_permanent_failure_shown_to_the_trainer(moodle, launch, clock, client):
    teacher = launch(
        "trainee",
        sub="teacher-sub",
        target="exam:certification",
        lineitem_url="https://lms.example.org/li/exam",
    )
    row = queue(teacher, clock, 50)
    sender.send_due(clock())
    row = db.session.get(ScoreOutbox, row.id)
    assert row.state == "failed" and row.last_status == 400
    trainer = launch("trainer", sub="trainer-1", target="exam:certification")
    page = client.get(trainer.url("/notes/")).get_data(as_text=True)
    assert "échec définitif" in page and "not gradable" in page
    client.post(trainer.url(f"/notes/renvoyer/{row.id}"))
    assert db.session.get(ScoreOutbox, row.id).state == "pending"


def test_401_refreshes_the_token_once(moodle, learner, clock):
    queue(learner, clock, 40)
    sender.send_due(clock())
    moodle.valid_tokens.clear()  # the platform expired our token early
    clock.advance(seconds=2)
    queue(learner, clock, 41)
    sender.send_due(clock())
    assert moodle.tokens_issued == 2
    assert moodle.grades[("/li/exam", "learner-1")]["grade"] == 41


@pytest.mark.parametrize("failure", [500, 503, 429, TIMEOUT, REFUSED])
def test_temporary_failures_back_off_then_arrive(moodle, learner, clock, failure):
    row = queue(learner, clock, 66)
    moodle.fail_next = [failure, failure, failure]
    delays = []
    for _ in range(3):
        sender.send_due(clock())
        row = db.session.get(ScoreOutbox, row.id)
        assert row.state == "pending" and row.last_error
        delays.append((row.next_attempt_at - clock()).total_seconds())
        assert sender.send_due(clock()).startswith("0 envoi")  # not due yet
        clock.advance(seconds=delays[-1] + 1)
    assert delays[0] < delays[2] <= sender.BACKOFF_CAP
    sender.send_due(clock())
    assert db.session.get(ScoreOutbox, row.id).state == "delivered" and row.attempts == 4
    assert moodle.grades[("/li/exam", "learner-1")]["grade"] == 66


def test_backoff_interval_is_capped(moodle, learner, clock):
    row = queue(learner, clock, 1)
    row.attempts = 40
    db.session.commit()
    moodle.fail_next = [500]
    sender.send_due(clock())
    assert (
        db.session.get(ScoreOutbox, row.id).next_attempt_at - clock()
    ).total_seconds() <= sender.BACKOFF_CAP


def test_worker_killed_mid_send_is_retaken_after_the_lease(moodle, learner, launch, clock):
    others = [
        launch(
            "trainee",
            sub=f"l-{n}",
            target="exam:certification",
            lineitem_url="https://lms.example.org/li/exam",
        )
        for n in range(3)
    ]
    rows = [queue(p, clock, 10 + n) for n, p in enumerate([learner, *others])]
    claimed = sender.claim(clock())  # a worker claims, then dies before sending
    assert len(claimed) == 4
    assert sender.send_due(clock()).startswith("0 envoi")  # still leased
    clock.advance(minutes=3)
    sender.send_due(clock())
    assert all(db.session.get(ScoreOutbox, r.id).state == "delivered" for r in rows)
    assert len(moodle.score_posts) == 4  # each exactly once


def test_line_item_found_through_pagination_or_created(moodle, launch, clock):
    p = launch("trainee", sub="l-x", target="case:c1", resource_link="rl-case")
    p.resource_link.lineitems_url = "https://lms.example.org/li"
    db.session.commit()
    moodle.lineitems.append(
        {
            "id": "https://lms.example.org/li/found",
            "resourceId": "case:c1",
            "resourceLinkId": "rl-case",
        }
    )
    queue(p, clock, 5)
    sender.send_due(clock())
    assert ("/li/found", "l-x") in moodle.grades
    q = launch("trainee", sub="l-y", target="case:c2", resource_link="rl-case-2")
    q.resource_link.lineitems_url = "https://lms.example.org/li"
    db.session.commit()
    queue(q, clock, 7, tag="C3")
    sender.send_due(clock())
    created = moodle.lineitems[-1]
    assert (
        created["resourceId"] == "case:c2:C3"
        and created["tag"] == "C3"
        and created["resourceLinkId"] == "rl-case-2"
    )


def test_platform_profiles():
    base = {
        "scoreGiven": 0,
        "scoreMaximum": 10,
        "gradingProgress": "PendingManual",
        "submission": {"submittedAt": "2026-11-22T10:00:00.000Z"},
    }
    pending = adapt("moodle", dict(base))
    assert pending["gradingProgress"] == "PendingManual" and "scoreGiven" not in pending
    assert adapt("moodle", {**base, "gradingProgress": "FullyGraded"})["scoreGiven"] == 0
    assert adapt("canvas", dict(base))["https://canvas.instructure.com/lti/submission"][
        "submitted_at"
    ]
    assert adapt("brightspace", {**base, "scoreGiven": 12})["scoreGiven"] == 10
    assert adapt("openedx", dict(base)) is None


def test_resend_failed_command(moodle, launch, clock, runner):
    teacher = launch(
        "trainee",
        sub="teacher-sub",
        target="exam:certification",
        lineitem_url="https://lms.example.org/li/exam",
    )
    row = queue(teacher, clock, 50)
    sender.send_due(clock())
    out = runner.invoke(
        args=["grades", "resend-failed", "--context", str(teacher.context.id)]
    ).output
    assert "1 note(s)" in out and db.session.get(ScoreOutbox, row.id).state == "pending"


def test_pem_is_valid_rsa():
    assert serialization.load_pem_private_key(PEM, password=None)


@pytest.mark.postgres
@pytest.mark.skipif(
    not __import__("os").environ.get("BILAN_TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="PostgreSQL only (run by .ci/run)",
)
def test_two_workers_never_send_the_same_row(moodle, launch, clock, app):
    import threading

    people = [
        launch(
            "trainee",
            sub=f"w-{n}",
            target="exam:certification",
            lineitem_url="https://lms.example.org/li/exam",
        )
        for n in range(40)
    ]
    for p in people:
        queue(p, clock, 1)
    barrier = threading.Barrier(2)
    claims: list[list[int]] = []
    errors: list[BaseException] = []

    def worker():
        try:
            with app.app_context():
                barrier.wait()
                claims.append(sender.claim(clock(), limit=15))
                # then both drain the rest concurrently, in small batches
                while not sender.send_due(clock(), limit=3).startswith("0 envoi"):
                    pass
                db.session.remove()
        except BaseException as error:  # surfaced below
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    first, second = claims
    assert set(first).isdisjoint(second) and len(first) + len(second) == 30
    clock.advance(minutes=3)  # the first claims were abandoned: retaken after the lease
    while not sender.send_due(clock()).startswith("0 envoi"):
        pass
    users = [post["userId"] for post in moodle.score_posts]
    assert sorted(users) == sorted(f"w-{n}" for n in range(40))  # each exactly once
    assert moodle.tokens_issued <= 2


def test_the_worker_task_drains_more_than_one_batch_per_run(moodle, launch, clock):
    """A cohort's grades leave in one run of the task, not 50 every 2 s."""
    from lti_tool.worker import run_once

    for n in range(120):
        learner = launch(
            "trainee",
            sub=f"learner-{n}",
            target="exam:certification",
            lineitem_url="https://lms.example.org/li/exam",
        )
        queue(learner, clock, n)
    summary = run_once({"grades"})["grades"]
    assert summary.startswith("120 envoi(s), 120 livrée(s) en 3 passage(s)"), summary
    assert len(moodle.score_posts) == 120


def test_draining_stops_at_its_time_budget(moodle, launch, clock, monkeypatch):
    elapsed = [0.0]
    deliver = sender.deliver

    def slow(row, at):  # each delivery takes 0.1 s of the budget
        elapsed[0] += 0.1
        deliver(row, at)

    monkeypatch.setattr(sender, "deliver", slow)
    for n in range(60):
        learner = launch(
            "trainee",
            sub=f"learner-{n}",
            target="exam:certification",
            lineitem_url="https://lms.example.org/li/exam",
        )
        queue(learner, clock, n)
    summary = sender.drain_due(clock, limit=10, budget_seconds=2, monotonic=lambda: elapsed[0])
    assert summary.startswith("20 envoi(s)"), summary  # two passes, then the budget is spent
    # Spent in the middle of a batch: the rows not sent go back to the queue at once.
    summary = sender.drain_due(clock, limit=10, budget_seconds=0.45, monotonic=lambda: elapsed[0])
    assert summary.startswith("5 envoi(s), 5 livrée(s)"), summary
    states = db.session.scalars(select(ScoreOutbox.state)).all()
    assert states.count("delivered") == 25 and states.count("pending") == 35
    assert "sending" not in states
    assert sender.drain_due(clock, limit=10).startswith("35 envoi(s)")


def test_a_batch_of_scores_is_queued_like_one_score_at_a_time(app, moodle, learner, clock):
    """publish_scores: same rows as publish_score in turn, in a few statements per learner."""
    from sqlalchemy import event

    from lti_tool.grades.service import publish_scores

    old = queue(learner, clock, 15, tag="C1")  # unsent: superseded by the batch's C1 (10)
    statements: list[str] = []

    def spy(conn, cursor, statement, *args):  # noqa: ANN001
        statements.append(statement)

    base = dict(
        user_id=learner.user.id,
        link=learner.resource_link,
        score_maximum=100,
        activity_progress=COMPLETED,
    )
    event.listen(db.engine, "before_cursor_execute", spy)
    try:
        rows = publish_scores(
            [dict(base, score_given=50)]
            + [dict(base, score_given=n * 10, tag=f"C{n}") for n in range(1, 8)]
            + [dict(base, score_given=55)],  # the same column twice: the last one wins
            now=clock(),
        )
    finally:
        event.remove(db.engine, "before_cursor_execute", spy)
    db.session.commit()
    # Not a lookup and an update per score (the rows' INSERTs are batched where the driver can).
    assert len([s for s in statements if not s.lstrip().startswith("INSERT")]) <= 4, statements
    assert db.session.get(ScoreOutbox, old.id).state == "superseded"
    assert rows[0].state == "superseded" and rows[-1].state == "pending"
    c1 = next(r for r in rows if r.tag == "C1")
    assert c1.timestamp - old.timestamp == timedelta(seconds=1)  # strictly later, Moodle's rule
    assert rows[-1].timestamp - rows[0].timestamp == timedelta(seconds=1)
    clock.advance(seconds=1)  # the batch's last score is stamped (and sent) one second later
    sender.send_due(clock())
    # The activity's own column gets the batch's last score only (this launch has no line
    # items service: the tagged columns are not the platform's to create here).
    assert [p["scoreGiven"] for p in moodle.score_posts] == [55]


def test_a_row_retried_within_one_drain_is_sent_again(moodle, learner, clock, monkeypatch):
    """Rows stay loaded between commits while draining: a re-claimed row is read afresh."""
    monkeypatch.setattr(sender, "BACKOFF_BASE", 0)  # due again at once after the failure
    row = queue(learner, clock, 42)
    moodle.fail_next = [TIMEOUT]
    summary = sender.drain_due(clock, limit=1, budget_seconds=60)
    assert summary.startswith("2 envoi(s), 1 livrée(s)"), summary
    assert db.session.get(ScoreOutbox, row.id).state == "delivered"
    assert [p["scoreGiven"] for p in moodle.score_posts] == [42]


def test_a_batch_is_claimed_in_one_statement_and_never_beyond_its_limit(moodle, launch, clock):
    from sqlalchemy import event

    people = [
        launch("trainee", sub=f"c-{n}", target="exam:certification", lineitem_url="https://x/li")
        for n in range(12)
    ]
    rows = [queue(p, clock, 1) for p in people]
    statements: list[str] = []

    def spy(conn, cursor, statement, *args):  # noqa: ANN001
        statements.append(statement.split()[0].upper())

    event.listen(db.engine, "before_cursor_execute", spy)
    try:
        first = sender.claim(clock(), limit=5)
    finally:
        event.remove(db.engine, "before_cursor_execute", spy)
    assert first == sorted(r.id for r in rows)[:5]
    assert [s for s in statements if s in {"UPDATE", "WITH", "SELECT"}] == ["WITH"]
    second = sender.claim(clock(), limit=5)
    third = sender.claim(clock(), limit=5)
    assert len(second) == 5 and len(third) == 2
    assert set(first).isdisjoint(second) and set(second).isdisjoint(third)
    assert sender.claim(clock(), limit=5) == []  # all leased


def test_each_grade_drained_costs_four_statements(moodle, launch, clock):
    """Per grade: is a newer score queued, the learner's role, the token, the outcome. The
    registration, the learner and the activity are read once per batch; the row is written
    once."""
    from sqlalchemy import event

    people = [
        launch("trainee", sub=f"s-{n}", target="exam:certification", lineitem_url="https://x/li")
        for n in range(11)
    ]
    queue(people[0], clock, 1)
    sender.drain_due(clock)  # the token, fetched once and stored
    for p in people[1:]:
        queue(p, clock, 2)
    db.session.expire_all()
    db.session.expunge_all()
    statements: list[str] = []

    def spy(conn, cursor, statement, *args):  # noqa: ANN001
        statements.append(" ".join(statement.split()[:6]))

    event.listen(db.engine, "before_cursor_execute", spy)
    try:
        summary = sender.drain_due(clock)
    finally:
        event.remove(db.engine, "before_cursor_execute", spy)
    assert summary.startswith("10 envoi(s), 10 livrée(s)"), summary
    assert sum(s.startswith("UPDATE") for s in statements) == 10  # one per grade (was two)
    # claim, rows, registrations, learners, activities; then 4 per grade (was 8)
    assert len(statements) <= 5 + 4 * 10, statements

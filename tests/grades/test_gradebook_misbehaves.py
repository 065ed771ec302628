"""A misbehaving gradebook cannot hold the worker (issue 13, point 7).

A platform answering ``GET …/lineitems`` with a ``rel="next"`` link to itself made the worker
send 161,626 GETs in 4 minutes; the lease expired, a second claim took the row, every worker
task stopped (the exam deadline sweep included) and two gradebook columns were created.
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from lti_tool import worker
from lti_tool.extensions import db
from lti_tool.grades import sender
from lti_tool.grades.service import COMPLETED, publish_score
from lti_tool.lti.keys import generate_private_pem
from lti_tool.models.exam import ExamAttempt
from lti_tool.models.grades import AccessToken, LineItemCache, ScoreOutbox
from tests.grades.fake_lms import FakeMoodle, Reply

PEM = generate_private_pem()
#: How long a test waits for a thread before failing (it never waits that long when it passes).
WAIT = 20.0


class LoopingMoodle(FakeMoodle):
    """Line items whose ``next`` link points to the page itself (or to ever new pages)."""

    def __init__(self, *, self_pointing: bool = True) -> None:
        super().__init__()
        self.self_pointing = self_pointing
        self.gets = 0
        self.creates = 0
        self.looping = True

    def request(self, method, url, headers=None, json=None, timeout=None):  # noqa: A002
        parts = urlsplit(url)
        if method == "GET" and parts.path.endswith("/lineitems") and self.looping:
            self.gets += 1
            # Before the fix the sender followed the loop forever: fail instead of hanging.
            assert self.gets <= 500, "the sender follows the loop"
            if self.self_pointing:
                return Reply(200, [], {"Link": f'<{url}>; rel="next"'})
            page = int(parse_qs(parts.query).get("page", ["0"])[0])
            return Reply(
                200,
                [],
                {
                    "Link": f'<{parts.scheme}://{parts.netloc}{parts.path}?page={page + 1}>; rel="next"'
                },
            )
        if method == "POST" and parts.path.endswith("/lineitems"):
            self.creates += 1
        return super().request(method, url, headers=headers, json=json, timeout=timeout)


@pytest.fixture()
def keys(monkeypatch):
    monkeypatch.setattr("lti_tool.lti.keys.signing_key", lambda: ("kid-1", PEM))


@pytest.fixture()
def learner(launch):
    """A graded activity whose column the tool must find (or create) through ``lineitems``."""
    learner = launch("trainee", sub="learner-1", target="module:c1")
    learner.resource_link.lineitems_url = "https://lms.example.org/ctx/1/lineitems"
    db.session.commit()
    return learner


def queue(learner, clock, score=50.0):
    row = publish_score(
        user_id=learner.user.id,
        link=learner.resource_link,
        score_given=score,
        score_maximum=100,
        activity_progress=COMPLETED,
        now=clock(),
    )
    db.session.commit()
    return row


@pytest.mark.usefixtures("keys")
def test_a_self_pointing_next_link_stops_with_a_logged_error_and_the_row_is_retried(
    monkeypatch, learner, clock, caplog
):
    lms = LoopingMoodle()
    monkeypatch.setattr(sender, "HTTP", [lms])
    row = queue(learner, clock)
    with caplog.at_level(logging.ERROR, logger="bilan.grades"):
        sender.drain_due(clock)
    assert lms.gets == 1  # the second page would be the first again: stopped at once
    assert "grade_lineitems_pagination_stopped" in caplog.text and "reason=loop" in caplog.text
    row = db.session.get(ScoreOutbox, row.id)
    assert row.state == "pending" and row.next_attempt_at > clock()
    assert "interrompue" in row.last_error
    assert lms.creates == 0 and lms.score_posts == []  # no column created on a partial lookup
    # The platform is fixed: the row goes out on its next attempt, into one new column.
    lms.looping = False
    clock.advance(hours=2)
    sender.drain_due(clock)
    assert db.session.get(ScoreOutbox, row.id).state == "delivered" and lms.creates == 1


@pytest.mark.usefixtures("keys")
def test_ever_new_next_links_stop_after_the_page_bound(monkeypatch, learner, clock, caplog):
    lms = LoopingMoodle(self_pointing=False)
    monkeypatch.setattr(sender, "HTTP", [lms])
    row = queue(learner, clock)
    with caplog.at_level(logging.ERROR, logger="bilan.grades"):
        sender.drain_due(clock)
    assert lms.gets == sender.MAX_LINEITEM_PAGES
    assert "reason=too_many_pages" in caplog.text
    assert db.session.get(ScoreOutbox, row.id).state == "pending" and lms.creates == 0


@pytest.mark.usefixtures("keys")
def test_one_score_stops_calling_the_platform_after_its_time_budget(
    monkeypatch, learner, clock, caplog
):
    """Each call has its timeout; the whole delivery of a row is time-boxed, under the lease."""
    assert timedelta(seconds=sender.ROW_BUDGET_SECONDS) < sender.LEASE
    elapsed = [0.0]
    monkeypatch.setattr(sender, "time", SimpleNamespace(monotonic=lambda: elapsed[0]))
    lms = LoopingMoodle(self_pointing=False)
    answer = lms.request

    def slow(*args, **kwargs):  # every answer takes 10 s
        elapsed[0] += 10
        return answer(*args, **kwargs)

    lms.request = slow  # type: ignore[method-assign]
    monkeypatch.setattr(sender, "HTTP", [lms])
    row = queue(learner, clock)
    with caplog.at_level(logging.ERROR, logger="bilan.grades"):
        sender.send_due(clock())
    assert lms.gets == sender.ROW_BUDGET_SECONDS // 10
    assert "grade_row_budget_spent" in caplog.text
    row = db.session.get(ScoreOutbox, row.id)
    assert row.state == "pending" and "délai" in row.last_error


class LaggingMoodle(FakeMoodle):
    """A gradebook whose list of line items does not show a new column yet, and that crashes
    the first score POST (the worker is killed, or its lease expires, after the creation)."""

    def __init__(self) -> None:
        super().__init__()
        self.creates = 0
        self.crash_next_score = True

    def request(self, method, url, headers=None, json=None, timeout=None):  # noqa: A002
        parts = urlsplit(url)
        if method == "GET" and parts.path.endswith("/lineitems"):
            return Reply(200, [], {})  # the platform's index lags: the new column is not listed
        if method == "POST" and parts.path.endswith("/lineitems"):
            self.creates += 1
        if parts.path.endswith("/scores") and self.crash_next_score:
            self.crash_next_score = False
            raise RuntimeError("worker killed while sending")
        return super().request(method, url, headers=headers, json=json, timeout=timeout)


@pytest.mark.usefixtures("keys")
def test_a_reclaimed_row_does_not_create_a_second_column(monkeypatch, learner, clock):
    lms = LaggingMoodle()
    monkeypatch.setattr(sender, "HTTP", [lms])
    row = queue(learner, clock)
    with pytest.raises(RuntimeError):
        sender.send_due(clock())
    db.session.rollback()  # what the worker does with a task that failed
    assert db.session.get(ScoreOutbox, row.id).state == "sending" and lms.creates == 1
    clock.advance(seconds=sender.LEASE.total_seconds() + 1)  # the lease expires: re-claimed
    sender.send_due(clock())
    assert db.session.get(ScoreOutbox, row.id).state == "delivered"
    assert lms.creates == 1  # the column recorded at its creation is reused
    assert len(db.session.scalars(select(LineItemCache)).all()) == 1


class BlockingMoodle(FakeMoodle):
    """A gradebook that never answers a score POST until the test lets it."""

    def __init__(self) -> None:
        super().__init__()
        self.entered = threading.Event()
        self.release = threading.Event()

    def request(self, method, url, headers=None, json=None, timeout=None):  # noqa: A002
        if urlsplit(url).path.endswith("/scores"):
            self.entered.set()
            self.release.wait(WAIT)
        return super().request(method, url, headers=headers, json=json, timeout=timeout)


@pytest.mark.usefixtures("keys")
def test_the_deadline_sweep_runs_while_the_grade_task_is_stuck(app, monkeypatch, launch, clock):
    from tests.exam.test_exam_service import start

    lms = BlockingMoodle()
    monkeypatch.setattr(sender, "HTTP", [lms])
    stuck = launch(
        "trainee", sub="learner-1", target="module:c1", lineitem_url="https://lms.example.org/li/m"
    )
    # A token already stored: the stuck call is the score POST itself (fetching a token inside
    # the delivery's transaction is point 13's matter).
    db.session.add(
        AccessToken(
            registration_id=stuck.context.registration_id,
            scopes=sender.SCOPES,
            token="tok-0",
            expires_at=clock() + timedelta(days=1),
        )
    )
    lms.valid_tokens.add("tok-0")
    queue(stuck, clock)
    candidate = launch("trainee", sub="cand-1", target="exam:certification")
    attempt, _page = start(candidate, clock)
    tasks = {name: (name, task, interval) for name, task, interval in worker.TASKS}
    swept = threading.Event()
    sweep = tasks["exam-sweep"][1]

    summaries: list[str] = []

    def sweep_and_tell(at):
        summary = sweep(at)
        summaries.append(summary)
        if lms.entered.is_set() and summary.startswith("1 "):
            swept.set()
        return summary

    stop = threading.Event()
    loops = worker.start_loops(
        app,
        stop,
        [("grades", tasks["grades"][1], 0.0), ("exam-sweep", sweep_and_tell, 0.0)],
    )
    try:
        assert lms.entered.wait(WAIT), "the grade task never reached the gradebook"
        clock.advance(hours=2)  # now stuck: the candidate's time and grace run out
        assert swept.wait(WAIT), f"no sweep while grades were stuck: {summaries[-3:]}"
        assert not lms.release.is_set() and loops[0].running_since is not None  # still stuck
    finally:
        lms.release.set()
        stop.set()
        for loop in loops:
            loop.thread.join(WAIT)
    assert not any(loop.thread.is_alive() for loop in loops)
    db.session.expire_all()
    assert db.session.get(ExamAttempt, attempt.id).status == "submitted"

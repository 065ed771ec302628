"""The web process sends right after its commit; a failed request sends nothing."""

from __future__ import annotations

import pytest

from lti_tool.extensions import db
from lti_tool.grades import sender
from lti_tool.grades.service import COMPLETED, publish_score
from lti_tool.models.grades import ScoreOutbox
from tests.grades.fake_lms import FakeMoodle
from tests.grades.test_outbox import PEM


@pytest.fixture()
def moodle(monkeypatch):
    fake = FakeMoodle()
    monkeypatch.setattr(sender, "HTTP", [fake])
    monkeypatch.setattr("lti_tool.lti.keys.signing_key", lambda: ("kid-1", PEM))
    return fake


def _routes(app, learner, clock):
    def publish(fail: bool = False):
        publish_score(
            user_id=learner.user.id,
            link=learner.resource_link,
            score_given=12,
            score_maximum=20,
            activity_progress=COMPLETED,
            now=clock(),
        )
        if fail:
            raise RuntimeError("the view fails after publishing")
        db.session.commit()
        return "ok"

    app.add_url_rule("/_t/publish", "t_publish", publish)
    app.add_url_rule("/_t/fail", "t_fail", lambda: publish(fail=True))


def test_sent_after_the_commit(app, moodle, launch, clock, client):
    learner = launch(
        "trainee", sub="l-1", target="exam:x", lineitem_url="https://lms.example.org/li/x"
    )
    _routes(app, learner, clock)
    app.config["GRADES_SEND_AFTER_COMMIT"] = True
    with client.get("/_t/publish") as response:
        assert response.status_code == 200
    assert moodle.grades[("/li/x", "l-1")]["grade"] == 12
    assert db.session.query(ScoreOutbox).one().state == "delivered"


def test_disabled_leaves_the_row_to_the_worker(app, moodle, launch, clock, client):
    learner = launch(
        "trainee", sub="l-1", target="exam:x", lineitem_url="https://lms.example.org/li/x"
    )
    _routes(app, learner, clock)
    with client.get("/_t/publish"):
        pass
    assert not moodle.score_posts and db.session.query(ScoreOutbox).one().state == "pending"


def test_a_failed_request_queues_and_sends_nothing(app, moodle, launch, clock, client):
    learner = launch(
        "trainee", sub="l-1", target="exam:x", lineitem_url="https://lms.example.org/li/x"
    )
    _routes(app, learner, clock)
    app.config["GRADES_SEND_AFTER_COMMIT"] = True
    app.config["PROPAGATE_EXCEPTIONS"] = False
    with client.get("/_t/fail") as response:
        assert response.status_code == 500
    db.session.rollback()
    assert not moodle.score_posts and db.session.query(ScoreOutbox).count() == 0


@pytest.mark.parametrize("command", [["grades", "sync", "--once"], ["worker", "run", "--once"]])
def test_worker_commands_deliver(moodle, launch, clock, runner, command):
    learner = launch(
        "trainee", sub="l-1", target="exam:x", lineitem_url="https://lms.example.org/li/x"
    )
    publish_score(
        user_id=learner.user.id,
        link=learner.resource_link,
        score_given=7,
        score_maximum=20,
        activity_progress=COMPLETED,
        now=clock(),
    )
    db.session.commit()
    result = runner.invoke(args=command)
    assert result.exit_code == 0, result.output
    assert moodle.grades[("/li/x", "l-1")]["grade"] == 7


def test_the_long_running_worker_lowers_its_priority(runner, monkeypatch):
    """Background work yields the CPU to pages and saves on a machine shared with the web."""
    import lti_tool.worker as worker_module

    class Stop(Exception):
        pass

    niced: list[int] = []
    monkeypatch.setattr(worker_module.os, "nice", niced.append)
    monkeypatch.setattr(worker_module, "start_loops", lambda app, stop: [])
    monkeypatch.setattr(worker_module.signal, "signal", lambda *args: None)

    def stop(_loops, _stop):
        raise Stop

    monkeypatch.setattr(worker_module, "watch", stop)
    result = runner.invoke(args=["worker", "run"])
    assert isinstance(result.exception, Stop)
    assert niced == [10]
    niced.clear()
    result = runner.invoke(args=["worker", "run", "--nice", "0"])
    assert isinstance(result.exception, Stop) and niced == []


def test_a_task_registered_without_a_pause_does_not_poll_without_end(app):
    """Every task pauses at least MIN_INTERVAL_SECONDS between runs (the dossier analysis was
    registered at 0 s: its thread queried the database without a pause, a core lost)."""
    import threading

    from lti_tool.worker import MIN_INTERVAL_SECONDS, TASKS, TaskLoop

    loop = TaskLoop(app, "t", lambda at: "", 0.0, threading.Event())
    assert loop.interval == MIN_INTERVAL_SECONDS >= 1.0
    assert all(interval >= MIN_INTERVAL_SECONDS for _name, _task, interval in TASKS)

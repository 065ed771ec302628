"""After the deadline, no new answer (issue 13, point 4).

The grace covers a save already in flight when time runs out (a few seconds of network
latency), never new work: after the deadline the paper page shows the end screen, a save is
accepted only within the bounded grace and is then logged as late; tiers temps is the only way
to give more time. The lean autosave path has its own tests in test_exam_autosave.py.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from grading.timing import MAX_GRACE_SECONDS
from lti_tool import config
from lti_tool.extensions import db
from lti_tool.models.core import AuditEvent
from lti_tool.models.exam import ExamAnswer, ExamAttempt, ExamEvent
from tests.exam.test_exam_web import begin, post_save


def _attempt(attempt_id):
    db.session.expire_all()
    return db.session.get(ExamAttempt, attempt_id)


def test_the_grace_defaults_to_ten_seconds(monkeypatch, tmp_path):
    monkeypatch.delenv("BILAN_EXAM_GRACE_SECONDS", raising=False)
    assert config.from_environment(str(tmp_path))["EXAM_GRACE_SECONDS"] == 10


def test_after_the_deadline_the_page_is_the_end_screen(client, people, clock):
    candidate, _ = people
    attempt, version, _ = begin(client, candidate)
    item = attempt.paper[0]["item_id"]
    assert post_save(client, candidate, item, "a", version, 1).status_code == 200
    clock.advance(minutes=60, seconds=15)  # the issue's « +75 s » of a one-minute exam
    page = client.get(candidate.url("/examen/passer"))
    assert page.status_code == 302 and page.headers["Location"].endswith("/examen/resultat")
    submitted = _attempt(attempt.id)
    assert submitted.status == "submitted" and submitted.submit_reason == "deadline"
    assert submitted.finished_at == submitted.deadline_at
    # No new page was opened (no new page version), and no answer is taken any more.
    assert submitted.page_version == version
    for seq, target in enumerate(p["item_id"] for p in attempt.paper[1:13]):
        refused = post_save(client, candidate, target, "a", version, seq + 2)
        assert refused.status_code == 409 and refused.get_json()["error"] == "submitted"
    answers = db.session.scalars(select(ExamAnswer).where(ExamAnswer.attempt_id == attempt.id))
    assert {a.item_id: a.choices for a in answers} == {item: ["a"]}
    result = client.get(candidate.url("/examen/resultat")).get_data(as_text=True)
    assert "remise automatiquement à l'échéance" in result


def test_the_page_closes_as_soon_as_the_deadline_passes_even_within_the_grace(
    client, people, clock
):
    candidate, _ = people
    attempt, _, _ = begin(client, candidate)
    clock.advance(minutes=60)
    assert client.get(candidate.url("/examen/passer")).status_code == 200  # at the deadline
    clock.advance(seconds=1)
    assert client.get(candidate.url("/examen/passer")).status_code == 302
    assert _attempt(attempt.id).status == "submitted"


def test_a_save_in_flight_at_the_deadline_is_accepted_and_logged_late(client, people, clock):
    candidate, _ = people
    attempt, version, _ = begin(client, candidate)
    item = attempt.paper[0]["item_id"]
    clock.advance(minutes=60, seconds=4)
    answer = post_save(client, candidate, item, "b", version, 1)
    assert answer.status_code == 200 and answer.get_json()["in_grace"] is True
    late = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "exam.late_save")).one()
    assert late.subject_user_id == candidate.user.id
    assert late.data == {
        "attempt_id": attempt.id,
        "item_id": item,
        "seconds_late": 4,
        "grace_seconds": 10,
    }
    assert "4.0 s après l'échéance" in late.detail
    event = db.session.scalars(
        select(ExamEvent).where(ExamEvent.attempt_id == attempt.id).order_by(ExamEvent.seq.desc())
    ).first()
    assert event.kind == "save" and event.payload["late_seconds"] == 4
    # Past the grace: refused, the attempt submitted with what was saved, the finish time the
    # deadline.
    clock.advance(seconds=7)
    refused = post_save(client, candidate, item, "c", version, 2)
    assert refused.status_code == 409 and refused.get_json()["error"] == "late"
    submitted = _attempt(attempt.id)
    assert submitted.status == "submitted" and submitted.finished_at == submitted.deadline_at
    stored = db.session.scalar(
        select(ExamAnswer.choices).where(ExamAnswer.attempt_id == attempt.id)
    )
    assert stored == ["b"]


def test_an_on_time_save_is_not_logged_late(client, people, clock):
    candidate, _ = people
    attempt, version, _ = begin(client, candidate)
    clock.advance(minutes=60)
    assert (
        post_save(client, candidate, attempt.paper[0]["item_id"], "a", version, 1).get_json()[
            "in_grace"
        ]
        is False
    )
    assert (
        db.session.scalar(select(AuditEvent).where(AuditEvent.action == "exam.late_save")) is None
    )


def test_a_long_grace_stored_or_configured_is_bounded(client, app, people, clock):
    """An attempt started under the former 60 s default, or a 10-minute setting, gets no more
    than the ceiling: a grace is never a way to give more time."""
    candidate, _ = people
    app.config["EXAM_GRACE_SECONDS"] = 600
    attempt, version, _ = begin(client, candidate)
    assert _attempt(attempt.id).grace_seconds == MAX_GRACE_SECONDS
    db.session.execute(update(ExamAttempt).values(grace_seconds=60))
    db.session.commit()
    clock.advance(minutes=60, seconds=MAX_GRACE_SECONDS + 1)
    refused = post_save(client, candidate, attempt.paper[0]["item_id"], "a", version, 1)
    assert refused.status_code == 409 and refused.get_json()["error"] == "late"
    assert db.session.scalar(select(ExamAnswer).where(ExamAnswer.attempt_id == attempt.id)) is None


def test_the_sweep_submits_once_the_bounded_grace_is_over(client, people, clock):
    from lti_tool.exam import service

    candidate, _ = people
    attempt, _, _ = begin(client, candidate)
    db.session.execute(update(ExamAttempt).values(grace_seconds=60))
    db.session.commit()
    clock.advance(minutes=60, seconds=MAX_GRACE_SECONDS)
    assert service.finalise_overdue(clock()) == 0
    clock.advance(seconds=1)
    assert service.finalise_overdue(clock()) == 1
    db.session.commit()
    assert _attempt(attempt.id).finished_at == _attempt(attempt.id).deadline_at
    assert clock() - timedelta(seconds=MAX_GRACE_SECONDS + 1) == _attempt(attempt.id).deadline_at

"""The certification questionnaire's rules, with an injected clock (no sleeping)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from grading.event_chain import ChainEntry, verify
from grading.exam import BankCase, BankItem, DrawRules, choice_id
from grading.timing import TIERS_TEMPS_PERCENT
from lti_tool.exam import service, starting
from lti_tool.exam.service import Bank, ExamError
from lti_tool.extensions import db
from lti_tool.models import AuditEvent
from lti_tool.models.exam import ExamAnswer, ExamAttempt, ExamEvent


def make_bank() -> Bank:
    items = [
        BankItem(f"c{c}-{n}", f"C{c}", ("a", "b", "c"), frozenset({"a"}))
        for c in range(1, 3)
        for n in range(4)
    ]
    ids = ("k-1", "k-2")
    items += [BankItem(i, "C2", ("a", "b", "c"), frozenset({"b"}), case_id="k") for i in ids]
    return Bank(
        items=items,
        cases=[BankCase("k", ids)],
        rules=DrawRules({"C1": 2, "C2": 2}, case_studies=1),
        duration_minutes=60,
        pass_mark=0.6,
        version="v1",
    )


@pytest.fixture()
def exam(launch, clock):
    candidate = launch("trainee", sub="cand-1", target="exam:certification")
    trainer = launch("trainer", sub="form-1", target="exam:certification")
    return candidate, trainer


def start(candidate, clock):
    attempt = service.start_or_resume(
        link=candidate.resource_link,
        user_id=candidate.user.id,
        bank=make_bank(),
        grace_seconds=10,
        now=clock(),
    )
    page = service.open_page(attempt, clock())
    db.session.commit()
    return attempt, page


def save(attempt, page, item, choice, seq, clock, flagged=False):
    locked = service.lock_attempt(attempt.id)
    result = service.save_answer(
        locked,
        item_id=item,
        choices=[choice_id(attempt.seed, item, choice)],
        flagged=flagged,
        page_version=page,
        client_seq=seq,
        now=clock(),
    )
    db.session.commit()
    return result


def test_deadline_at_the_second_and_grace(exam, clock):
    candidate, _ = exam
    attempt, page = start(candidate, clock)
    first = attempt.paper[0]["item_id"]
    assert attempt.deadline_at == clock() + timedelta(hours=1)
    clock.advance(minutes=60)
    assert save(attempt, page, first, "a", 1, clock).remaining_seconds == 0
    clock.advance(seconds=9)
    result = save(attempt, page, first, "b", 2, clock)
    assert result.stored and result.in_grace
    late = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "exam.late_save")).one()
    assert late.data["seconds_late"] == 9 and late.data["item_id"] == first
    clock.advance(seconds=2)
    with pytest.raises(ExamError) as excinfo:
        save(attempt, page, first, "c", 3, clock)
    db.session.commit()
    assert excinfo.value.code == "late"
    db.session.refresh(attempt)
    assert attempt.status == "submitted"
    assert attempt.finished_at == attempt.deadline_at
    assert db.session.scalar(select(ExamAnswer.choices).where(ExamAnswer.item_id == first)) == ["b"]


def test_tiers_temps_before_and_during_the_attempt(exam, clock):
    candidate, trainer = exam
    service.set_accommodation(
        context_id=candidate.context.id,
        user_id=candidate.user.id,
        percent=TIERS_TEMPS_PERCENT,
        actor_id=trainer.user.id,
        now=clock(),
    )
    db.session.commit()
    attempt, page = start(candidate, clock)
    assert attempt.deadline_at == clock() + timedelta(minutes=80)
    clock.advance(minutes=30)
    service.set_accommodation(
        context_id=candidate.context.id,
        user_id=candidate.user.id,
        percent=50,
        actor_id=trainer.user.id,
        now=clock(),
    )
    db.session.commit()
    db.session.refresh(attempt)
    assert attempt.deadline_at == attempt.started_at + timedelta(minutes=90)
    result = save(attempt, page, attempt.paper[0]["item_id"], "a", 1, clock)
    assert result.remaining_seconds == 60 * 60
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert actions.count("exam.accommodation") == 2


def test_sweep_finalises_an_abandoned_attempt(exam, clock):
    candidate, _ = exam
    attempt, page = start(candidate, clock)
    save(attempt, page, attempt.paper[0]["item_id"], "a", 1, clock)
    submitted = []
    hook = lambda a, now: submitted.append(a.id)  # noqa: E731
    service.ON_SUBMIT.append(hook)
    try:
        clock.advance(minutes=60, seconds=10)
        assert service.finalise_overdue(clock()) == 0  # still inside the grace
        clock.advance(seconds=1)
        assert service.finalise_overdue(clock()) == 1
        db.session.commit()
    finally:
        service.ON_SUBMIT.remove(hook)  # the exam's own grade hook stays registered
    db.session.refresh(attempt)
    assert attempt.status == "submitted" and attempt.submit_reason == "sweep"
    assert attempt.finished_at == attempt.deadline_at
    assert submitted == [attempt.id]
    assert service.finalise_overdue(clock()) == 0


def test_second_launch_resumes_and_second_attempt_is_impossible(exam, clock):
    candidate, trainer = exam
    attempt, _ = start(candidate, clock)
    clock.advance(minutes=10)
    again, _ = start(candidate, clock)
    assert again.id == attempt.id
    service.submit(service.lock_attempt(attempt.id), now=clock(), reason="candidate")
    db.session.commit()
    with pytest.raises(ExamError) as excinfo:
        start(candidate, clock)
    assert excinfo.value.code == "already_taken"
    db.session.rollback()
    # The database itself refuses a second attempt with the same number.
    duplicate = ExamAttempt(
        **{
            c.name: getattr(attempt, c.name)
            for c in ExamAttempt.__table__.columns
            if c.name != "id"
        }
    )
    db.session.add(duplicate)
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_two_tabs_starting_at_once_share_one_attempt(exam, clock, monkeypatch):
    """The other tab's attempt appears between this start's look and its insert: it is resumed."""
    candidate, _ = exam
    first, _ = start(candidate, clock)
    real_latest = starting.latest_attempt
    looks: list[object] = []

    def latest(*args):
        # This tab looked before the other tab's start was committed: it saw no attempt.
        looks.append(args)
        return None if len(looks) == 1 else real_latest(*args)

    monkeypatch.setattr(starting, "latest_attempt", latest)
    clock.advance(seconds=1)
    second, _ = start(candidate, clock)
    assert len(looks) == 2  # it tried to insert, found the number taken, looked again
    assert second.id == first.id
    assert db.session.scalar(select(func.count(ExamAttempt.id))) == 1
    events = db.session.scalars(select(ExamEvent).where(ExamEvent.attempt_id == first.id)).all()
    assert [e.kind for e in events].count("start") == 1


def test_the_start_is_the_chains_first_entry(exam, clock):
    candidate, _ = exam
    attempt, _ = start(candidate, clock)
    db.session.expire_all()
    stored = db.session.get(ExamAttempt, attempt.id)
    events = db.session.scalars(
        select(ExamEvent).where(ExamEvent.attempt_id == attempt.id).order_by(ExamEvent.seq)
    ).all()
    assert [e.kind for e in events] == ["start", "page"]
    assert events[0].previous_hash == "0" * 64
    assert events[0].payload["deadline"] == stored.deadline_at.isoformat()
    assert events[0].payload["seed"] == stored.seed
    assert (stored.event_count, stored.last_hash) == (2, events[1].hash)
    entries = [ChainEntry(e.seq, e.payload, e.previous_hash, e.hash) for e in events]
    assert verify(entries) == []


def test_stale_tab_late_retry_and_double_submit(exam, clock):
    candidate, _ = exam
    attempt, old_page = start(candidate, clock)
    item = attempt.paper[0]["item_id"]
    save(attempt, old_page, item, "b", 5, clock)
    # An older retry of the same tab arrives late: ignored.
    assert not save(attempt, old_page, item, "a", 4, clock).stored
    new_page = service.open_page(service.lock_attempt(attempt.id), clock())
    db.session.commit()
    with pytest.raises(ExamError) as excinfo:
        save(attempt, old_page, item, "c", 6, clock)
    db.session.rollback()
    assert excinfo.value.code == "stale_page"
    assert save(attempt, new_page, item, "c", 1, clock).stored
    assert db.session.scalar(select(ExamAnswer.choices).where(ExamAnswer.item_id == item)) == ["c"]
    locked = service.lock_attempt(attempt.id)
    assert service.submit(locked, now=clock(), reason="candidate") is True
    assert service.submit(locked, now=clock(), reason="candidate") is False
    db.session.commit()
    assert (
        db.session.scalar(
            select(func.count()).select_from(ExamEvent).where(ExamEvent.kind == "submit")
        )
        == 1
    )


def test_trainer_reset_requires_reason_and_is_audited(exam, clock):
    candidate, trainer = exam
    attempt, _ = start(candidate, clock)
    with pytest.raises(ExamError):
        service.reset_attempt(
            link=candidate.resource_link,
            user_id=candidate.user.id,
            actor_id=trainer.user.id,
            reason="",
            now=clock(),
        )
    db.session.rollback()
    service.reset_attempt(
        link=candidate.resource_link,
        user_id=candidate.user.id,
        actor_id=trainer.user.id,
        reason="Coupure de courant dans la salle d'examen",
        now=clock(),
    )
    db.session.commit()
    second, _ = start(candidate, clock)
    assert second.id != attempt.id and second.attempt_no == 2
    assert db.session.scalar(
        select(AuditEvent.detail).where(AuditEvent.action == "exam.reset")
    ).startswith("Coupure")


def test_event_log_is_a_valid_chain(exam, clock):
    candidate, _ = exam
    attempt, page = start(candidate, clock)
    for n, p in enumerate(attempt.paper[:3], start=1):
        save(attempt, page, p["item_id"], "a", n, clock)
    rows = db.session.scalars(
        select(ExamEvent).where(ExamEvent.attempt_id == attempt.id).order_by(ExamEvent.seq)
    ).all()
    entries = [ChainEntry(r.seq, r.payload, r.previous_hash, r.hash) for r in rows]
    assert [r.kind for r in rows] == ["start", "page", "save", "save", "save"]
    assert verify(entries) == []
    tampered = list(entries)
    tampered[2] = ChainEntry(
        3, {**entries[2].payload, "choices": ["b"]}, entries[2].previous_hash, entries[2].hash
    )
    assert verify(tampered)


def test_score_per_competency_on_submit(exam, clock):
    candidate, _ = exam
    attempt, page = start(candidate, clock)
    for n, p in enumerate(attempt.paper, start=1):
        right = p["correct_keys"][0]
        save(attempt, page, p["item_id"], right if p["competency"] == "C1" else "c", n, clock)
    service.submit(service.lock_attempt(attempt.id), now=clock(), reason="candidate")
    db.session.commit()
    assert attempt.per_competency == {"C1": [2.0, 2], "C2": [0.0, 4]}
    assert attempt.passed is False

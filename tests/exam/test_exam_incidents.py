"""Issue 16, point 4: the exam clock stays honest through an outage (lti_tool/exam/incidents.py)."""

from __future__ import annotations

from sqlalchemy import select

from lti_tool.exam.incidents import ExamIncident
from lti_tool.extensions import db
from lti_tool.models.core import AuditEvent
from lti_tool.models.exam import ExamAttempt, ExamEvent
from tests.exam.test_exam_web import begin, paper_choice


def save(client, candidate, attempt, n, version, seq, **extra):
    item = attempt.paper[n]["item_id"]
    return client.post(
        candidate.url("/examen/enregistrer"),
        json={
            "item_id": item,
            "choices": [paper_choice(candidate.user.id, item, "a")],
            "flagged": False,
            "page_version": version,
            "seq": seq,
            **extra,
        },
    )


def incidents(attempt_id):
    db.session.expire_all()
    return db.session.scalars(
        select(ExamIncident).where(ExamIncident.attempt_id == attempt_id).order_by(ExamIncident.id)
    ).all()


def test_an_outage_longer_than_the_threshold_is_recorded_and_the_deadline_stays(
    client, people, clock
):
    candidate, _ = people
    attempt, version, _ = begin(client, candidate)
    deadline = attempt.deadline_at
    clock.advance(minutes=10)
    short = save(client, candidate, attempt, 0, version, 1, offline_ms=20_000)
    assert short.get_json()["ok"] and incidents(attempt.id) == []  # 20 s: under 30 s, absorbed
    clock.advance(minutes=2)
    answer = save(client, candidate, attempt, 1, version, 2, offline_ms=95_000).get_json()
    assert answer["ok"] and answer["remaining_seconds"] == 3600 - 12 * 60  # the deadline stays
    [incident] = incidents(attempt.id)
    assert incident.kind == "outage" and incident.seconds_lost == 95
    assert incident.compensated_seconds == 0 and incident.recorded_by is None
    assert incident.ended_at == clock() and (incident.ended_at - incident.started_at).seconds == 95
    assert db.session.get(ExamAttempt, attempt.id).deadline_at == deadline
    # The queue's next saves of the same outage extend it rather than count it again.
    clock.advance(seconds=2)
    save(client, candidate, attempt, 2, version, 3, offline_ms=97_000)
    [incident] = incidents(attempt.id)
    assert incident.seconds_lost == 97
    kinds = db.session.scalars(
        select(ExamEvent.kind).where(ExamEvent.attempt_id == attempt.id).order_by(ExamEvent.seq)
    ).all()
    assert kinds.count("incident") == 2
    audit = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "exam.incident")).all()
    assert len(audit) == 2 and "1 min 35 s" in audit[0].detail


def test_an_outage_cannot_be_longer_than_the_attempt(client, people, clock):
    candidate, _ = people
    attempt, version, _ = begin(client, candidate)
    clock.advance(seconds=40)
    save(client, candidate, attempt, 0, version, 1, offline_ms=10**9)
    [incident] = incidents(attempt.id)
    assert incident.seconds_lost == 40 and incident.started_at == attempt.started_at


def test_the_trainer_grants_the_time_lost_in_one_click_once(client, people, clock):
    candidate, trainer = people
    attempt, version, _ = begin(client, candidate)
    clock.advance(minutes=5)
    save(client, candidate, attempt, 0, version, 1, offline_ms=125_000)
    [incident] = incidents(attempt.id)
    page = client.get(trainer.url("/examen/suivi")).get_data(as_text=True)
    assert "Accorder 2 min 05 s à Alice Candidate" in page
    response = client.post(trainer.url(f"/examen/incident/{incident.id}/accorder"))
    assert response.status_code == 303
    assert client.get(trainer.url("/examen/suivi.json")).get_json()[0]["remaining_seconds"] == (
        3600 - 300 + 125
    )
    again = client.post(trainer.url(f"/examen/incident/{incident.id}/accorder"))
    assert again.status_code == 303
    assert client.get(trainer.url("/examen/suivi.json")).get_json()[0]["remaining_seconds"] == (
        3600 - 300 + 125
    )
    [incident] = incidents(attempt.id)
    assert incident.compensated_seconds == 125
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions.count("exam.incident_compensated") == 1
    # The candidate's page learns the new deadline at its next save.
    assert save(client, candidate, attempt, 1, version, 2).get_json()["remaining_seconds"] == (
        3600 - 300 + 125
    )
    # A later change of extra time keeps the time granted for the incident.
    client.post(
        trainer.url("/examen/amenagement"), data={"user_id": candidate.user.id, "percent": "0"}
    )
    assert client.get(trainer.url("/examen/suivi.json")).get_json()[0]["remaining_seconds"] == (
        3600 - 300 + 125
    )


def test_the_trainer_records_an_incident_with_time_granted(client, people, clock):
    candidate, trainer = people
    attempt, _, _ = begin(client, candidate)
    form = {"user_id": candidate.user.id, "kind": "illness", "minutes": "10", "note": "court"}
    client.post(trainer.url("/examen/incident"), data=form)
    assert incidents(attempt.id) == []  # a description is required
    form["note"] = "Malaise à 10 h 20, sortie accompagnée, retour à 10 h 30."
    response = client.post(trainer.url("/examen/incident"), data=form)
    assert response.status_code == 303
    [incident] = incidents(attempt.id)
    assert incident.kind == "illness" and incident.recorded_by == trainer.user.id
    assert incident.seconds_lost == incident.compensated_seconds == 600
    rows = client.get(trainer.url("/examen/suivi.json")).get_json()
    assert rows[0]["remaining_seconds"] == 3600 + 600
    [audit] = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "exam.incident")
    ).all()
    assert audit.actor_id == trainer.user.id and "10 min 00 s" in audit.detail
    page = client.get(trainer.url("/examen/suivi")).get_data(as_text=True)
    assert "malaise ou indisposition" in page and "temps accordé" in page


def test_no_time_granted_on_a_submitted_paper_and_only_trainers_record(client, people, clock):
    candidate, trainer = people
    attempt, _, _ = begin(client, candidate)
    client.post(candidate.url("/examen/remettre"))
    form = {
        "user_id": candidate.user.id,
        "kind": "technical",
        "minutes": "5",
        "note": "Poste bloqué pendant cinq minutes.",
    }
    assert client.post(candidate.url("/examen/incident"), data=form).status_code == 403
    client.post(trainer.url("/examen/incident"), data=form)
    assert incidents(attempt.id) == []
    form["minutes"] = "0"  # recorded for the record, no time
    client.post(trainer.url("/examen/incident"), data=form)
    [incident] = incidents(attempt.id)
    assert incident.seconds_lost == 0
    assert client.post(candidate.url(f"/examen/incident/{incident.id}/accorder")).status_code == 403


def test_the_lean_autosave_path_hands_outage_reports_to_the_view():
    import pytest

    from lti_tool.exam.autosave import Refer, parse_save

    body = b'{"item_id":"i","choices":[],"flagged":false,"page_version":1,"seq":2}'
    assert parse_save(body)[0] == "i"
    with pytest.raises(Refer):
        parse_save(body[:-1] + b',"offline_ms":40000}')

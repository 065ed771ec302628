"""Extra time is never granted by one click (issue 15, point 11): the field is empty, and the
trainer confirms on a page showing the new end time before anything is recorded."""

from __future__ import annotations

import re

from sqlalchemy import select

from lti_tool.extensions import db
from lti_tool.models.core import AuditEvent, Enrollment
from tests.exam.test_exam_web import begin


def percent_field(page: str, user_id: int) -> str:
    return re.search(rf'<input id="pct-{user_id}"[^>]*>', page).group(0)


def extra_time(user_id: int) -> float:
    return db.session.scalar(select(Enrollment.extra_time_percent).where(Enrollment.user_id == user_id))


def test_the_field_is_empty_when_no_extra_time_is_granted(client, people):
    candidate, trainer = people
    page = client.get(trainer.url("/examen/suivi")).get_data(as_text=True)
    field = percent_field(page, candidate.user.id)
    assert "value=" not in field and "required" in field
    assert "tiers temps : 33,33" in page


def test_an_empty_submission_grants_nothing(client, people):
    candidate, trainer = people
    response = client.post(trainer.url("/examen/amenagement"), data={"user_id": candidate.user.id})
    assert response.status_code == 302
    assert not extra_time(candidate.user.id)
    page = client.get(trainer.url("/examen/suivi")).get_data(as_text=True)
    assert "Saisissez le pourcentage" in page


def test_confirmation_shows_the_new_end_time_and_records_nothing(client, people, clock):
    candidate, trainer = people
    attempt, _, _ = begin(client, candidate)  # started at the fake clock's time, 60 min
    page = client.post(
        trainer.url("/examen/amenagement"),
        data={"user_id": candidate.user.id, "percent": "33,33"},
    )
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Durée de l'épreuve : 80 minutes" in html
    old_end = attempt.deadline_at
    assert "elle se terminera" in html and 'name="confirm" value="1"' in html
    assert not extra_time(candidate.user.id)
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "exam.accommodation")) is None
    confirmed = client.post(
        trainer.url("/examen/amenagement"),
        data={"user_id": candidate.user.id, "percent": "33.33", "confirm": "1"},
    )
    assert confirmed.status_code == 303
    assert extra_time(candidate.user.id) == 33.33
    db.session.refresh(attempt)
    assert (attempt.deadline_at - old_end).total_seconds() == round(3600 * 0.3333)


def test_out_of_range_is_refused_before_the_confirmation(client, people):
    candidate, trainer = people
    response = client.post(
        trainer.url("/examen/amenagement"), data={"user_id": candidate.user.id, "percent": "500"}
    )
    assert response.status_code == 302 and not extra_time(candidate.user.id)

"""The result page writes its numbers as the page's language does (the ``number`` filter)."""

from __future__ import annotations

import re

from sqlalchemy import select

from lti_tool.extensions import db
from lti_tool.models import LaunchSession
from lti_tool.models.exam import ExamAttempt
from tests.exam.test_exam_web import begin


def half_point_result(client, candidate) -> str:
    begin(client, candidate)
    assert client.post(candidate.url("/examen/remettre")).status_code == 303
    attempt = db.session.scalar(select(ExamAttempt).where(ExamAttempt.user_id == candidate.user.id))
    attempt.score_points, attempt.score_maximum = 12.5, 20
    db.session.commit()
    page = client.get(candidate.url("/examen/resultat")).get_data(as_text=True)
    return re.sub(r"\s+", " ", page)


def test_the_score_has_a_decimal_comma_in_french(client, launch, small_bank):
    candidate = launch("trainee", sub="cand-fr", target="exam:certification")
    page = half_point_result(client, candidate)
    assert "Score : 12,5 / 20 (62 %)" in page
    assert "12.5" not in page


def test_the_score_has_a_decimal_point_in_english(client, launch, small_bank):
    candidate = launch("trainee", sub="cand-en", target="exam:certification")
    db.session.query(LaunchSession).update({"locale": "en"})
    db.session.commit()
    page = half_point_result(client, candidate)
    assert "12.5 / 20" in page and "12,5" not in page

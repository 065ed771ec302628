"""The exam intro tells the truth (issue 15, point 8): the paper's exact length, and a new
attempt granted by a trainer is not announced as « une seule tentative »."""

from __future__ import annotations

import re

from sqlalchemy import update

from grading.exam import draw_paper
from lti_tool.exam import bank as bank_module
from lti_tool.extensions import db
from lti_tool.models.core import LaunchSession
from tests.exam.test_exam_web import begin


def test_intro_gives_the_real_papers_exact_length(client, launch):
    candidate = launch("trainee", sub="cand-1", target="exam:certification")
    intro = client.get(candidate.url("/examen/")).get_data(as_text=True)
    bank = bank_module.current_bank()
    lengths = {len(draw_paper(bank.items, bank.cases, bank.rules, f"s{n}")) for n in range(5)}
    assert len(lengths) == 1  # every paper has the same length
    (length,) = lengths
    assert f"{length} situations professionnelles" in intro
    assert "Environ" not in intro
    cases = re.search(r"dont (\d+) études de cas", intro)
    assert cases and int(cases.group(1)) == bank.rules.case_studies


def test_intro_after_a_reset_announces_the_new_attempt(client, people):
    candidate, trainer = people
    intro = client.get(candidate.url("/examen/")).get_data(as_text=True)
    assert "Une seule tentative" in intro
    begin(client, candidate)
    client.post(candidate.url("/examen/remettre"))
    client.post(
        trainer.url("/examen/reinitialiser"),
        data={"user_id": candidate.user.id, "reason": "Malaise pendant l'épreuve, attesté"},
    )
    intro = client.get(candidate.url("/examen/")).get_data(as_text=True)
    assert "Une seule tentative" not in intro
    assert "tentative n° 2" in intro


def test_intro_in_english_uses_plurals(client, launch, small_bank):
    candidate = launch("trainee", sub="cand-2", target="exam:certification")
    db.session.execute(
        update(LaunchSession).where(LaunchSession.user_id == candidate.user.id).values(locale="en")
    )
    db.session.commit()
    intro = client.get(candidate.url("/examen/")).get_data(as_text=True)
    # small bank: 4 standalone items + one case whose 2 items are all given (average 2).
    assert "About 6 professional situations, including 1 case study." in intro

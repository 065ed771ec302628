"""The paper's cut score (modified Angoff) fixed at the draw, per-competency thresholds on the
result page and in the grades, and the blueprint report (issue 14, points 5 and 6)."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from sqlalchemy import select

from lti_tool.exam import bank as bank_module
from lti_tool.exam import service
from lti_tool.exam.thresholds import attempt_standard
from lti_tool.extensions import db
from lti_tool.models import ScoreOutbox
from lti_tool.models.exam import ExamAttempt
from tests.exam.test_exam_service import make_bank, save


@pytest.fixture()
def rated_bank(monkeypatch):
    """The small bank, every item rated 0.5 by one judge, C1 decided by épreuve 1."""
    bank = replace(
        make_bank(),
        ratings={i.id: (0.5,) for i in make_bank().items},
        judges=1,
        ratings_provisional=False,
        decisive=("C1",),
    )
    monkeypatch.setattr(bank_module, "_load", lambda: {"bank": bank, "display": {}})
    return bank


def _start(candidate, clock, bank):
    attempt = service.start_or_resume(
        link=candidate.resource_link,
        user_id=candidate.user.id,
        bank=bank,
        grace_seconds=10,
        now=clock(),
    )
    page = service.open_page(attempt, clock())
    db.session.commit()
    return attempt, page


def _answer(attempt, page, clock, right_unless):
    for n, item in enumerate(attempt.paper, start=1):
        wrong = next(k for k in item["proposition_keys"] if k not in item["correct_keys"])
        choice = wrong if item["competency"] == right_unless else item["correct_keys"][0]
        save(attempt, page, item["item_id"], choice, n, clock)


def test_a_decisive_competency_missed_fails_a_paper_above_its_cut(launch, clock, rated_bank):
    candidate = launch("trainee", sub="cand-1", target="exam:certification")
    candidate.resource_link.lineitems_url = "https://lms.example/api/lineitems"
    # The trainer chose per-competency columns at content selection (off by default).
    candidate.resource_link.competency_columns = True
    db.session.commit()
    attempt, page = _start(candidate, clock, rated_bank)
    # Fixed with the paper: 6 items rated 0.5 -> 3 points; C1 (2 items) -> 1 point.
    cut = attempt.cut_score
    assert cut["points"] == pytest.approx(3.0) and cut["decisive"] == ["C1"]
    assert cut["per_competency"]["C1"] == [pytest.approx(1.0), 2]
    _answer(attempt, page, clock, right_unless="C1")
    service.submit(service.lock_attempt(attempt.id), now=clock(), reason="candidate")
    db.session.commit()
    # 4/6 is above the cut (3), but 0/2 in C1, décisive: not passed.
    assert attempt.score_points == 4 and attempt.passed is False
    overall = db.session.scalars(select(ScoreOutbox).where(ScoreOutbox.tag.is_(None))).one()
    assert "seuil non atteint" in overall.comment
    assert "C1 0/2 (seuil 1, non atteint, décisif)" in overall.comment
    assert "seuil de la copie 3/6 (Angoff modifié, validé)" in overall.comment
    c1 = db.session.scalars(select(ScoreOutbox).where(ScoreOutbox.tag == "C1")).one()
    assert c1.comment == "C1 : 0 / 2 items ; seuil 1 : non atteint"


def test_the_same_paper_passes_when_the_decisive_competency_is_reached(launch, clock, rated_bank):
    candidate = launch("trainee", sub="cand-2", target="exam:certification")
    attempt, page = _start(candidate, clock, rated_bank)
    _answer(attempt, page, clock, right_unless="C2")  # C1 2/2, C2 0/4: 2/6 < 3
    service.submit(service.lock_attempt(attempt.id), now=clock(), reason="candidate")
    assert attempt.passed is False
    candidate = launch("trainee", sub="cand-3", target="exam:certification")
    attempt, page = _start(candidate, clock, rated_bank)
    _answer(attempt, page, clock, right_unless="none")
    service.submit(service.lock_attempt(attempt.id), now=clock(), reason="candidate")
    assert attempt.passed is True


def test_a_paper_drawn_before_the_cut_scores_keeps_the_global_pass_mark(launch, clock, rated_bank):
    candidate = launch("trainee", sub="cand-4", target="exam:certification")
    attempt, page = _start(candidate, clock, rated_bank)
    attempt.cut_score = None  # as every attempt stored before the migration
    db.session.commit()
    _answer(attempt, page, clock, right_unless="C1")
    service.submit(service.lock_attempt(attempt.id), now=clock(), reason="candidate", pass_mark=0.6)
    db.session.commit()
    # 4/6 = 67 % >= 60 %: passed, C1 is not decided separately for such a paper.
    assert attempt.passed is True
    overall = db.session.scalars(select(ScoreOutbox).where(ScoreOutbox.tag.is_(None))).one()
    assert "C1 0/2" in overall.comment and "seuil 1" not in overall.comment


def _text(response):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def test_the_result_page_says_which_competencies_are_reached(client, launch, clock, rated_bank):
    candidate = launch("trainee", sub="cand-5", target="exam:certification")
    attempt, page = _start(candidate, clock, rated_bank)
    _answer(attempt, page, clock, right_unless="C1")
    service.submit(service.lock_attempt(attempt.id), now=clock(), reason="candidate")
    db.session.commit()
    text = _text(client.get(candidate.url("/examen/resultat")))
    assert "Seuil de votre copie : 3 points sur 6" in text
    assert "C1 0 / 2 0 % 1 non atteint décisive" in text
    assert "C2 4 / 4 100 % 2 atteint indicative" in text
    assert "seuil de réussite non atteint" in text


def test_blueprint_report_page_for_trainers_only(client, launch):
    trainer = launch("trainer", sub="form-1", target="exam:certification")
    monitor = client.get(trainer.url("/examen/suivi")).get_data(as_text=True)
    assert "/examen/plan" in monitor
    text = _text(client.get(trainer.url("/examen/plan")))
    assert "Les 1000 copies ont exactement la même composition" in text
    assert "Seuil provisoire." in text
    assert "Seuil d'une copie = somme, sur ses items, de la note moyenne des juges" in text
    candidate = launch("trainee", sub="cand-6", target="exam:certification")
    assert client.get(candidate.url("/examen/plan")).status_code == 403


def test_blueprint_report_command(runner):
    result = runner.invoke(args=["exam", "blueprint-report", "--papers", "200"])
    assert result.exit_code == 0, result.output
    assert "Composition identique dans les 200 copies" in result.output
    assert "PROVISOIRES" in result.output
    assert re.search(r"cas-[a-z-]+ : \d+ \(\d+ %\)", result.output)
    assert db.session.scalar(select(ExamAttempt.id)) is None


def test_the_intro_gives_the_exact_length_of_a_stratified_paper(client, launch):
    # 30 standalone items + 16 case items (strata): 46, not the 49 an average of the cases gives.
    candidate = launch("trainee", sub="cand-7", target="exam:certification")
    text = _text(client.get(candidate.url("/examen/")))
    assert re.search(r"\b46 situations professionnelles", text), text


def test_without_ratings_the_comment_names_the_pass_mark_not_angoff(launch, clock):
    candidate = launch("trainee", sub="cand-8", target="exam:certification")
    attempt, page = _start(candidate, clock, make_bank())
    _answer(attempt, page, clock, right_unless="none")
    service.submit(service.lock_attempt(attempt.id), now=clock(), reason="candidate")
    db.session.commit()
    overall = db.session.scalars(select(ScoreOutbox).where(ScoreOutbox.tag.is_(None))).one()
    assert "seuil de la copie 4/6 (60 % des points, aucun item noté)" in overall.comment
    assert "Angoff" not in overall.comment


def test_the_results_csv_shows_the_cut_score_each_result_was_judged_against(
    launch, clock, rated_bank, client
):
    candidate = launch("trainee", sub="cand-csv", target="exam:certification")
    attempt, page = _start(candidate, clock, rated_bank)
    _answer(attempt, page, clock, right_unless="C1")
    service.submit(service.lock_attempt(attempt.id), now=clock(), reason="candidate")
    db.session.commit()
    trainer = launch("trainer", sub="form-csv", target="exam:certification")
    text = client.get(trainer.url("/examen/resultats.csv")).get_data(as_text=True)
    rows = [r.split(";") for r in text.lstrip("\ufeff").splitlines()]
    header, row = rows[0], dict(zip(rows[0], rows[1], strict=True))
    standard = attempt_standard(db.session.get(ExamAttempt, attempt.id))
    assert "seuil (points)" in header and "C1 seuil (points)" in header
    assert standard.needed == 3 and row["seuil (points)"] == "3"
    c1 = next(line for line in standard.lines if line.competency == "C1")
    assert c1.needed is not None and row["C1 seuil (points)"] == str(c1.needed)
    assert row["réussite"] == "non"  # C1, decisive, missed

"""Case-study scoring per competency."""

from __future__ import annotations

from course.case_studies import parse_case_study_text
from grading.case_study import score, walk
from tests.unit.test_course_parser import CASE


def test_best_path_scores_full_marks_and_a_poor_path_zero():
    case, _ = parse_case_study_text(CASE, "cas.md")
    best = score(case, ["analyse", "fin-bonne"])
    assert (
        best.ratio == 1.0
        and best.earned == {"C2": 3, "C4": 1}
        and best.maximum == {"C2": 3, "C4": 1}
    )
    poor = score(case, ["fin-mauvaise"])
    assert poor.ratio == 0.0 and poor.earned == {"C2": 0, "C4": 0}
    detour = score(case, ["analyse", "precision", "analyse", "fin-bonne"])
    assert walk(case, ["analyse", "precision", "analyse", "fin-bonne"])[0] == [
        "accueil",
        "analyse",
        "precision",
        "analyse",
        "fin-bonne",
    ]
    assert detour.ratio == 1.0


def test_a_choice_token_hides_the_choice_and_belongs_to_one_run():
    from grading.case_study import choice_for_token, choice_token

    case, _ = parse_case_study_text(CASE, "cas.md")
    step = case.step("accueil")
    mine = {c.id: choice_token("seed-a", step.id, c.id) for c in step.choices}
    theirs = {c.id: choice_token("seed-b", step.id, c.id) for c in step.choices}
    assert all(c not in t for c, t in mine.items())  # « fin-mauvaise » is not readable
    assert set(mine.values()).isdisjoint(theirs.values())  # nothing to pass to a neighbour
    assert choice_for_token(step, "seed-a", mine["analyse"]).id == "analyse"
    assert choice_for_token(step, "seed-b", mine["analyse"]) is None
    assert choice_for_token(step, "seed-a", "analyse") is None
    assert choice_for_token(case.step("analyse"), "seed-a", mine["analyse"]) is None

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

"""The item analysis shows each item's Angoff expectation beside its observed facility and
flags, from a sizeable cohort, the items much harder or easier than the judges expected."""

from __future__ import annotations

from dataclasses import replace

from grading.item_analysis import ItemStats, Reliability
from lti_tool.exam import bank as bank_module
from lti_tool.exam.reports import ANGOFF_GAP, AnalysisReport, angoff_checks
from tests.exam.test_exam_analysis_resets import sit
from tests.exam.test_exam_service import make_bank


def _report(candidates: int, facilities: dict[str, float | None]) -> AnalysisReport:
    return AnalysisReport(
        items=[ItemStats(i, candidates, f, None) for i, f in facilities.items()],
        competency_of=dict.fromkeys(facilities, "C1"),
        paper=Reliability(0, candidates, None, None, 0.0, 0.0),
        paper_method="KR-20",
        per_competency={},
        candidates=candidates,
        warning=None,
    )


def test_gaps_beyond_the_tolerance_are_flagged_from_a_sizeable_cohort():
    ratings = {"hard": (0.8, 0.7), "easy": (0.3, None), "fine": (0.6,), "blank": (None,)}
    facilities = {"hard": 0.45, "easy": 0.6, "fine": 0.5, "blank": 0.9, "unrated": 0.1}
    checks = angoff_checks(_report(40, facilities), ratings)
    assert set(checks) == {"hard", "easy", "fine"}  # unrated and blank ones: no expectation
    assert abs(checks["hard"].expected - 0.75) < 1e-9 and checks["hard"].gap == "harder"
    assert checks["easy"].expected == 0.3 and checks["easy"].gap == "easier"
    assert checks["fine"].gap is None
    # Just inside the tolerance: not flagged.
    assert (
        angoff_checks(_report(40, {"x": 0.6 - ANGOFF_GAP + 0.01}), {"x": (0.6,)})["x"].gap is None
    )
    # A small cohort says nothing yet.
    assert angoff_checks(_report(12, facilities), ratings)["hard"].gap is None


def test_the_analysis_page_shows_the_expectation(client, people, monkeypatch):
    candidate, trainer = people
    bank = make_bank()
    rated = replace(bank, ratings={i.id: (0.55,) for i in bank.items}, judges=1)
    monkeypatch.setattr(bank_module, "_load", lambda: {"bank": rated, "display": {}})
    sit(client, candidate, "a")
    page = client.get(trainer.url("/examen/analyse")).get_data(as_text=True)
    assert "Attendu (Angoff)" in page and "<td>0,55</td>" in page
    assert "encore provisoires" in page  # the bank's ratings are provisional by default
    assert "que jugé (Angoff)" not in page  # one candidate: no gap reported

"""A cut score that can be justified (issue 14, point 6): modified Angoff ratings per item."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from course.angoff import angoff_warnings, parse_angoff_text
from course.loader import load_course
from grading.simulation import angoff_standard, bank_for_draw, simulate
from grading.standard import CutScore, cut_score

ROOT = Path(__file__).resolve().parents[2] / "course"

GOOD = """\
status: validé
date: 2027-03-01
judges:
  - id: J1
    role: formatrice
  - id: J2
ratings:
  i1: [0.6, 0.8]
  i2: [0.5, null]
"""


def test_ratings_parse_with_their_judges_and_status():
    ratings, errors = parse_angoff_text(GOOD, "angoff.yaml")
    assert errors == [] and ratings is not None
    assert [j.id for j in ratings.judges] == ["J1", "J2"]
    assert ratings.ratings == {"i1": (0.6, 0.8), "i2": (0.5, None)}
    assert not ratings.provisional and ratings.date == "2027-03-01"


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        (("i1: [0.6, 0.8]", "i1: [0.6, 1.4]"), "note « 1.4 » invalide"),
        (("i1: [0.6, 0.8]", "i1: [0.6]"), "1 note pour 2 juges"),
        (("i2: [0.5, null]", "i2: [null, null]"), "aucune note"),
        (("status: validé", "status: définitif"), "status « définitif » inconnu"),
        (("date: 2027-03-01", "date: mars"), "date « mars » invalide"),
        (("  - id: J2", "  - id: J1"), "juge « J1 » répété"),
    ],
)
def test_broken_ratings_are_refused_with_their_line(change, fragment):
    ratings, errors = parse_angoff_text(GOOD.replace(*change), "angoff.yaml")
    assert ratings is None
    assert any(fragment in e.message for e in errors), errors


def test_unknown_and_missing_items_and_provisional_ratings_are_warned():
    ratings, _ = parse_angoff_text(GOOD.replace("validé", "provisoire"), "angoff.yaml")
    warnings = [w.message for w in angoff_warnings(ratings, ["i1", "i3"])]
    assert any("« i2 », absent de la banque" in w for w in warnings)
    assert any("1 item sans note d'Angoff (i3)" in w for w in warnings)
    assert any("provisoires" in w for w in warnings)


def test_cut_score_is_the_sum_of_mean_ratings_with_the_judges_spread():
    ratings = {"i1": (0.6, 0.8), "i2": (0.5, None)}
    paper = [("i1", "C1"), ("i2", "C1"), ("i3", "C2")]
    cut = cut_score(paper, ratings, judges=2, fallback=0.6, decisive=("C1",))
    # 0.7 + 0.5 (J2 did not rate i2: the mean stands in) + 0.6 (nobody rated i3: pass mark)
    assert cut.points == pytest.approx(1.8)
    assert cut.per_judge == pytest.approx((1.7, 1.9))
    assert cut.sd == pytest.approx(math.sqrt(0.02))
    assert cut.standard_error == pytest.approx(0.1)
    assert cut.unrated == ("i3",) and cut.method == "angoff"
    assert cut.per_competency == {"C1": pytest.approx((1.2, 2)), "C2": pytest.approx((0.6, 1))}
    assert cut.needed(cut.points) == 2
    assert CutScore.from_json(cut.to_json()) == cut


def test_a_decisive_competency_below_its_threshold_fails_a_paper_above_the_cut():
    ratings = {f"a{n}": (0.7,) for n in range(4)} | {f"b{n}": (0.7,) for n in range(6)}
    paper = [(f"a{n}", "C1") for n in range(4)] + [(f"b{n}", "C3") for n in range(6)]
    cut = cut_score(paper, ratings, judges=1, fallback=0.6, decisive=("C1",))
    assert cut.needed(cut.points) == 7 and cut.needed(cut.per_competency["C1"][0]) == 3
    # 8/10 overall, but only 2 of the 4 C1 items: C1 (décisive) not reached.
    assert not cut.passed(8, {"C1": (2, 4), "C3": (6, 6)})
    assert cut.reached({"C1": (2, 4), "C3": (6, 6)}) == {"C1": False, "C3": True}
    assert cut.passed(7, {"C1": (3, 4), "C3": (4, 6)})
    # C3 is shown but not decisive: missing it does not fail the paper.
    assert cut.passed(7, {"C1": (4, 4), "C3": (3, 6)})


def test_without_any_rating_the_cut_is_the_pass_mark():
    cut = cut_score([("x", "C1"), ("y", "C1")], {}, judges=0, fallback=0.6)
    assert cut.method == "pass_mark" and cut.points == pytest.approx(1.2)
    assert cut.per_judge == () and cut.standard_error is None


def test_the_shipped_ratings_are_marked_provisional_and_cover_the_bank():
    course = load_course(ROOT).course
    bank = course.bank
    assert bank is not None and bank.angoff is not None
    # Honest: the authoring team's estimates, to be replaced by a panel.
    assert bank.angoff.provisional
    assert "provisoire" in bank.angoff.judges[0].role
    items, cases, rules = bank_for_draw(bank)
    simulation = simulate(items, cases, rules, papers=50, standard=angoff_standard(bank))
    for cut in simulation.cut_scores:
        assert cut.provisional and cut.decisive == ("C1", "C2")
        assert 0.4 < cut.ratio < 0.9


def test_provisional_lines_cover_only_the_unrated_items(tmp_path):
    import shutil

    from course.angoff import provisional_lines

    root = tmp_path / "questionnaire"
    shutil.copytree(ROOT / "questionnaire", root)
    assert provisional_lines(root) == []  # every shipped item has its provisional rating
    text = (root / "angoff.yaml").read_text(encoding="utf-8")
    first = next(line for line in text.splitlines() if line.startswith("  c1-"))
    (root / "angoff.yaml").write_text(text.replace(first + "\n", ""), encoding="utf-8")
    item_id = first.split(":")[0]
    (line,) = provisional_lines(root)
    assert line.split(":")[0] == item_id and line.endswith("]")

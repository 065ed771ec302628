"""Equivalent papers (issue 14, point 5): case items drawn by competency strata.

The check refuses a blueprint the bank cannot meet for every paper, and one whose papers would
differ in their number of items per competency; every drawn paper has the blueprint's counts.
"""

from __future__ import annotations

import random
import shutil
from collections import Counter
from itertools import combinations, product
from pathlib import Path

import pytest

from course.blueprint import CaseShape, Strata, compositions
from course.cli import summary
from course.loader import load_course
from grading.exam import BankCase, BankItem, DrawRules, draw_paper
from grading.simulation import simulate

VALID = Path(__file__).resolve().parents[1] / "fixtures" / "course" / "trees" / "valid"


def _brute_force(cases, k, sizes, targets):
    """Every configuration, enumerated (small banks only): the reference for the DP."""
    found = 0
    for chosen in combinations(cases, k):
        per_case = [
            [kept for size in sizes for kept in combinations(range(len(c.competencies)), size)]
            for c in chosen
        ]
        for picks in product(*per_case):
            counts = Counter(
                c.competencies[i] for c, kept in zip(chosen, picks, strict=True) for i in kept
            )
            if counts == Counter({k: v for k, v in targets.items() if v}):
                found += 1
    return found


SHAPES = [
    CaseShape("a", ("C1", "C1", "C6", "C2")),
    CaseShape("b", ("C1", "C2", "C2")),
    CaseShape("c", ("C3", "C1", "C6", "C7", "C1")),
    CaseShape("d", ("C2", "C7", "C1")),
    CaseShape("e", ("C5", "C5", "C5")),
]


@pytest.mark.parametrize(
    "targets",
    [
        {"C1": 3, "C2": 2, "C6": 1},
        {"C1": 2, "C2": 1, "C6": 1, "C7": 2},
        {"C1": 4, "C2": 1, "C6": 1},
        {"C5": 3, "C2": 3},
    ],
)
def test_the_count_of_configurations_matches_an_enumeration(targets):
    strata = Strata(SHAPES, 2, (3,), targets)
    assert sum(c for _, c in strata.sets) == _brute_force(SHAPES, 2, (3,), targets)


def test_every_draw_meets_the_strata_and_no_usable_case_is_left_out():
    targets = {"C1": 3, "C2": 2, "C6": 1, "C7": 1, "C3": 0}
    strata = Strata(SHAPES, 2, (3, 4), targets)
    assert strata.configurations > 0
    rng = random.Random(7)
    seen = Counter()
    for _ in range(500):
        configuration = strata.draw(rng)
        assert len(configuration) == 2
        shapes = {s.id: s for s in SHAPES}
        counts = Counter(shapes[c].competencies[i] for c, kept in configuration for i in kept)
        assert counts == Counter({"C1": 3, "C2": 2, "C6": 1, "C7": 1})
        seen.update(c for c, _ in configuration)
    # "e" (all C5) can never be drawn; every other case that some configuration takes is.
    assert ("e", None) in strata.never_drawn()
    usable = {c for c, i in strata.never_drawn() if i is None} ^ {s.id for s in SHAPES}
    assert set(seen) == usable


def _bank():
    items = [
        BankItem(f"s{c}-{n}", f"C{c}", ("a", "b", "c"), frozenset({"a"}))
        for c in (1, 2, 6, 7)
        for n in range(6)
    ]
    cases = []
    for shape in SHAPES[:4]:
        ids = tuple(f"{shape.id}-{n}" for n in range(len(shape.competencies)))
        items += [
            BankItem(i, comp, ("a", "b", "c"), frozenset({"b"}), case_id=shape.id)
            for i, comp in zip(ids, shape.competencies, strict=True)
        ]
        cases.append(BankCase(shape.id, ids))
    return items, cases


def test_a_thousand_simulated_papers_have_identical_counts_per_competency():
    items, cases = _bank()
    rules = DrawRules(
        {"C1": 2, "C2": 2, "C6": 1, "C7": 1},
        case_studies=2,
        case_items_per_competency={"C1": 3, "C2": 2, "C6": 1, "C7": 1},
        case_sizes=(3, 4),
    )
    simulation = simulate(items, cases, rules, papers=1000)
    assert simulation.compositions == {(("C1", 5), ("C2", 4), ("C6", 2), ("C7", 2)): 1000}
    assert rules.paper_length == 13
    # Several sets of cases are used, not one fixed paper.
    assert sum(1 for n in simulation.case_exposure.values() if n) >= 3


def test_without_strata_the_old_draw_gives_papers_of_different_composition():
    # The defect of the review (D): 4 items at random per case, whatever their competency.
    items, cases = _bank()
    rules = DrawRules({"C1": 2}, case_studies=2, items_per_case=3)
    simulation = simulate(items, cases, rules, papers=200)
    assert len(simulation.compositions) > 1


def test_a_seeded_stratified_draw_is_reproducible():
    items, cases = _bank()
    rules = DrawRules(
        {"C1": 1},
        case_studies=2,
        case_items_per_competency={"C1": 3, "C2": 2, "C6": 1},
        case_sizes=(3,),
    )
    assert draw_paper(items, cases, rules, "x") == draw_paper(items, cases, rules, "x")


# --- The check (python -m course check) ---------------------------------------------------


def _tree(tmp_path: Path, blueprint: str) -> Path:
    """The valid fixture course with three exam cases of different compositions."""
    root = tmp_path / "course"
    shutil.copytree(VALID, root)
    cases = root / "questionnaire" / "cases"
    template = (cases / "cas-examen.md").read_text(encoding="utf-8")
    (cases / "cas-examen.md").unlink()
    for name, last in (("a", "C6"), ("b", "C2"), ("c", "C6")):
        text = template.replace("id: cas-examen", f"id: cas-{name}")
        text = text.replace("competencies: [C1, C6]", "competencies: [C1, C2, C6]")
        text = text.replace("question: ex-", f"question: {name}-")
        text = text.replace("competency=C6", f"competency={last}")
        if name == "c":  # C1, C2, C6
            text = text.replace(f"{name}-synthese competency=C1", f"{name}-synthese competency=C2")
        (cases / f"cas-{name}.md").write_text(text, encoding="utf-8")
    (root / "questionnaire" / "blueprint.yaml").write_text(
        "duration_minutes: 60\nitems_per_competency: {C1: 1}\npass_mark: 0.6\n" + blueprint,
        encoding="utf-8",
    )
    return root


def _messages(root: Path) -> list[str]:
    return [e.message for e in load_course(root).errors]


def test_check_refuses_papers_that_would_differ_per_competency(tmp_path):
    # a = C1 C1 C6, b = C1 C1 C2, c = C1 C2 C6: two cases give 3 different compositions.
    root = _tree(tmp_path, "case_studies: 2\nitems_per_case: 3\n")
    (message,) = _messages(root)
    assert message.startswith("copies non équivalentes : selon les études de cas tirées")
    assert "case_items_per_competency" in message
    code, text = summary(root)
    assert code == 1 and "copies non équivalentes" in text


def test_check_refuses_strata_no_set_of_cases_can_give(tmp_path):
    root = _tree(
        tmp_path,
        "case_studies: 2\nitems_per_case: 3\ncase_items_per_competency: {C1: 2, C2: 2, C6: 2}\n",
    )
    (message,) = _messages(root)
    assert message.startswith("aucune copie ne peut respecter case_items_per_competency")
    assert "répartitions possibles les plus proches" in message
    assert summary(root)[0] == 1


def test_check_refuses_strata_whose_total_no_case_count_can_reach(tmp_path):
    root = _tree(
        tmp_path, "case_studies: 2\nitems_per_case: 3\ncase_items_per_competency: {C1: 9}\n"
    )
    (message,) = _messages(root)
    assert "case_items_per_competency demande 9 items de cas par copie, impossible" in message


def test_check_accepts_satisfiable_strata_and_warns_about_exposure(tmp_path):
    # Only a + c give C1 3, C2 1, C6 2: the check passes but says b is never drawn and that
    # a and c are on every paper; one C1 standalone item for 1 drawn is under twice.
    root = _tree(
        tmp_path,
        "case_studies: 2\nitems_per_case: 3\ncase_items_per_competency: {C1: 3, C2: 1, C6: 2}\n",
    )
    result = load_course(root)
    assert result.errors == []
    warnings = [w.message for w in result.course.bank.warnings]
    assert any("« cas-b » n'est tirée dans aucune copie" in w for w in warnings)
    assert any("« cas-a » est dans toutes les copies" in w for w in warnings)
    code, text = summary(root)
    assert code == 0 and "« cas-b » n'est tirée dans aucune copie" in text


def test_check_rejects_a_bad_case_range(tmp_path):
    root = _tree(tmp_path, "case_studies: 2\nitems_per_case: [2, 6]\n")
    assert any("items_per_case est un nombre (4) ou un intervalle" in m for m in _messages(root))


def test_compositions_lists_every_possible_case_part():
    shapes = [CaseShape("a", ("C1", "C1")), CaseShape("b", ("C2", "C1"))]
    assert compositions(shapes, 1, None) == {(("C1", 2),), (("C1", 1), ("C2", 1))}

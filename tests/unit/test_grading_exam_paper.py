"""Drawing and scoring the certification paper."""

from __future__ import annotations

import pytest

from grading.exam import (
    BankCase,
    BankItem,
    BankTooSmall,
    DrawRules,
    PaperItem,
    draw_paper,
    score_paper,
)


def _bank():
    items = [
        BankItem(f"c{c}-{n}", f"C{c}", ("a", "b", "c", "d"), frozenset({"b"}))
        for c in range(1, 4)
        for n in range(5)
    ]
    cases = []
    for k in range(3):
        ids = tuple(f"case{k}-{n}" for n in range(3))
        items += [
            BankItem(i, "C2", ("a", "b", "c"), frozenset({"a"}), case_id=f"case{k}") for i in ids
        ]
        cases.append(BankCase(f"case{k}", ids))
    return items, cases


RULES = DrawRules({"C1": 3, "C2": 2, "C3": 1}, case_studies=2)


def test_draw_is_reproducible_and_follows_the_blueprint():
    items, cases = _bank()
    first = draw_paper(items, cases, RULES, "attempt-1")
    again = draw_paper(items, cases, RULES, "attempt-1")
    other = draw_paper(items, cases, RULES, "attempt-2")
    assert first == again
    assert first != other
    standalone = [p for p in first if p.case_id is None]
    assert sorted(p.competency for p in standalone) == ["C1", "C1", "C1", "C2", "C2", "C3"]
    case_ids = {p.case_id for p in first if p.case_id}
    assert len(case_ids) == 2
    # A case study's items stay together and in order.
    for case_id in case_ids:
        ids = [p.item_id for p in first if p.case_id == case_id]
        assert ids == sorted(ids)
    assert all(
        sorted(p.proposition_keys) == sorted(("a", "b", "c", "d"))[: len(p.proposition_keys)]
        or p.case_id
        for p in first
    )


def test_propositions_are_shuffled_per_candidate_but_not_when_disabled():
    items, cases = _bank()
    orders = {draw_paper(items, cases, RULES, f"s{n}")[0].proposition_keys for n in range(20)}
    assert len(orders) > 1
    fixed = DrawRules(RULES.items_per_competency, 2, shuffle_propositions=False)
    paper = draw_paper(items, cases, fixed, "x")
    assert all(p.proposition_keys in (("a", "b", "c", "d"), ("a", "b", "c")) for p in paper)


def test_bank_too_small_is_reported():
    items, cases = _bank()
    with pytest.raises(BankTooSmall) as excinfo:
        draw_paper(items, cases, DrawRules({"C1": 9}, case_studies=4), "x")
    assert "C1 : 9 items demandés, 5 disponibles" in str(excinfo.value)
    assert "4 études de cas demandées, 3 disponibles" in str(excinfo.value)


def _uneven_bank():
    """Cases of 3, 4 and 5 items: whole cases would give papers of different lengths."""
    items = [BankItem(f"c1-{n}", "C1", ("a", "b", "c"), frozenset({"a"})) for n in range(4)]
    cases = []
    for k, size in enumerate((3, 4, 5, 5)):
        ids = tuple(f"case{k}-{n}" for n in range(size))
        items += [
            BankItem(i, "C2", ("a", "b", "c"), frozenset({"a"}), case_id=f"case{k}") for i in ids
        ]
        cases.append(BankCase(f"case{k}", ids))
    return items, cases


def test_items_per_case_gives_every_paper_the_same_length():
    items, cases = _uneven_bank()
    whole = DrawRules({"C1": 2}, case_studies=2)
    assert len({len(draw_paper(items, cases, whole, f"s{n}")) for n in range(30)}) > 1
    even = DrawRules({"C1": 2}, case_studies=2, items_per_case=4)
    papers = [draw_paper(items, cases, even, f"s{n}") for n in range(30)]
    assert {len(p) for p in papers} == {2 + 2 * 4}
    for paper in papers:
        # the 3-item case can never give 4 items; a case's items stay in their order
        assert "case0" not in {p.case_id for p in paper}
        for case_id in {p.case_id for p in paper if p.case_id}:
            ids = [p.item_id for p in paper if p.case_id == case_id]
            assert len(ids) == 4 and ids == sorted(ids)
    # the five-item cases do not always drop the same item
    kept = {tuple(p.item_id for p in paper if p.case_id == "case2") for paper in papers}
    assert len(kept - {()}) > 1
    assert draw_paper(items, cases, even, "s1") == papers[1]


def test_too_few_long_enough_cases_is_reported():
    items, cases = _uneven_bank()
    with pytest.raises(BankTooSmall) as excinfo:
        draw_paper(items, cases, DrawRules({"C1": 1}, case_studies=3, items_per_case=5), "x")
    assert "3 études de cas d'au moins 5 items demandées, 2 disponibles" in str(excinfo.value)


def test_scoring_per_competency_and_json_round_trip():
    paper = [
        PaperItem("q1", "C1", ("a", "b"), frozenset({"a"})),
        PaperItem("q2", "C1", ("a", "b"), frozenset({"b"})),
        PaperItem("q3", "C2", ("a", "b", "c"), frozenset({"a", "c"}), multiple=True),
    ]
    score = score_paper(
        paper, {"q1": frozenset({"a"}), "q2": frozenset({"a"}), "q3": frozenset({"a", "c"})}
    )
    assert score.points == 2 and score.maximum == 3
    assert score.per_competency == {"C1": (1.0, 2), "C2": (1.0, 1)}
    assert score.passed(0.6) and not score.passed(0.7)
    partial = score_paper(paper, {"q3": frozenset({"a"})})
    assert partial.points == 0
    assert [PaperItem.from_json(p.to_json()) for p in paper] == paper

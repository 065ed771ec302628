"""The real course/ loads with zero errors and meets the volume the référentiel needs."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from course.frontmatter import COMPETENCIES
from course.loader import Course, load_course

ROOT = Path(__file__).resolve().parents[2] / "course"


@pytest.fixture(scope="module")
def course() -> Course:
    return load_course(ROOT).course


def test_real_course_has_no_errors():
    result = load_course(ROOT)
    assert [str(e) for e in result.errors] == []


def test_one_module_at_least_per_competency_with_real_teaching(course):
    assert {c for m in course.modules for c in m.competencies} == set(COMPETENCIES)
    for module in course.modules:
        words = sum(len(s.markdown.split()) for s in module.segments if s.question is None)
        assert words >= 1500, (module.id, words)
        assert module.objectives and module.references, module.id
        assert len(module.questions) >= 5, module.id
        for question in module.questions:
            assert question.explanation and all(p.feedback for p in question.propositions), (
                module.id,
                question.id,
            )


def test_case_studies_cover_the_four_profiles_with_real_decisions(course):
    assert len(course.case_studies) >= 4
    for case in course.case_studies:
        decisions = [s for s in case.best_path if case.step(s).choices]
        assert len(decisions) >= 5, case.id
        assert len(case.endings) >= 2, case.id
        assert all(c.feedback for s in case.steps for c in s.choices), case.id
        assert all(s.debrief for s in case.endings), case.id


def test_item_bank_volume(course):
    bank = course.bank
    assert bank is not None
    per_competency = Counter(q.competency for q in bank.items)
    assert len(bank.items) >= 80 and all(per_competency[c] >= 8 for c in COMPETENCIES)
    assert len(bank.cases) >= 6 and all(3 <= len(c.items) <= 5 for c in bank.cases)


def test_real_bank_fills_the_blueprint_and_draws_a_paper(course):
    from grading.simulation import bank_for_draw, simulate

    bank = course.bank
    assert bank is not None and bank.blueprint is not None
    items, bank_cases, rules = bank_for_draw(bank)
    # Equivalent papers: 1,000 simulated papers have the same number of items per competency
    # (standalone and case items together), hence the same length (KR-21 needs it too).
    simulation = simulate(items, bank_cases, rules, papers=1000)
    assert simulation.identical, simulation.compositions
    (composition,) = simulation.compositions
    assert dict(composition) == bank.blueprint.per_competency
    assert sum(dict(composition).values()) == rules.paper_length
    assert bank.blueprint.duration_minutes == 60 and bank.blueprint.case_studies == 4
    for question in bank.all_items:
        assert question.explanation, question.id
        assert all(p.feedback for p in question.propositions), question.id


def test_every_check_the_content_may_name_is_implemented():
    from course.dossier import CHECKS
    from grading.dossier.checks import CHECKS as IMPLEMENTED

    assert set(CHECKS) == set(IMPLEMENTED)


def test_real_cahier_des_charges_is_analysable(course):
    from grading.dossier.checks import Requirement, analyse

    guide = course.dossier
    assert guide is not None and len(guide.items) == 8
    requirements = [
        Requirement(i.id, i.title, i.headings, i.checks, i.min_words) for i in guide.items
    ]
    headings = "\n\n".join(f"## {i.headings[0]}\n\nTexte de la section." for i in guide.items)
    report = analyse(headings.encode(), requirements, max_bytes=1_000_000)
    assert all(
        not any("section introuvable" in f.message for f in item.findings) for item in report.items
    )

"""The real course/ loads with zero errors and meets the volume the référentiel needs."""

from __future__ import annotations

from pathlib import Path

from course.loader import load_course

ROOT = Path(__file__).resolve().parents[2] / "course"


def test_real_course_has_no_errors():
    result = load_course(ROOT)
    assert [str(e) for e in result.errors] == []


def test_real_bank_fills_the_blueprint_and_draws_a_paper():
    from grading.exam import BankCase, BankItem, DrawRules, draw_paper

    bank = load_course(ROOT).course.bank
    assert bank is not None and bank.blueprint is not None
    items = [
        BankItem(q.id, q.competency, tuple(p.key for p in q.propositions), q.correct_keys)
        for q in bank.items
    ]
    for case in bank.cases:
        items += [
            BankItem(
                q.id,
                q.competency,
                tuple(p.key for p in q.propositions),
                q.correct_keys,
                case_id=case.id,
            )
            for q in case.items
        ]
    rules = DrawRules(bank.blueprint.items_per_competency, bank.blueprint.case_studies)
    paper = draw_paper(
        items, [BankCase(c.id, tuple(q.id for q in c.items)) for c in bank.cases], rules, "seed"
    )
    assert len(paper) >= sum(rules.items_per_competency.values()) + 3 * rules.case_studies
    assert bank.blueprint.duration_minutes == 60
    for question in [*bank.items, *(q for c in bank.cases for q in c.items)]:
        assert question.explanation, question.id
        assert all(p.feedback for p in question.propositions), question.id


def test_real_cahier_des_charges_is_analysable():
    from grading.dossier.checks import Requirement, analyse

    guide = load_course(ROOT).course.dossier
    assert guide is not None and len(guide.items) == 8
    requirements = [
        Requirement(i.id, i.title, i.headings, i.checks, i.min_words) for i in guide.items
    ]
    headings = "\n\n".join(f"## {i.headings[0]}\n\nTexte de la section." for i in guide.items)
    report = analyse(headings.encode(), requirements, max_bytes=1_000_000)
    assert all(
        not any("section introuvable" in f.message for f in item.findings) for item in report.items
    )

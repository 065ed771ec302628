"""The checks that make a case study's score fair (issue 14, points 1-4), each with a failing example.

Choice ids, critical errors (``critique``, ``critical_cap``), no ending below 0, no competency
decided by one choice, veille (C7) scored, interview modes (C3) exercised, feedback and points
agree; and the per-run display order.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from course.case_studies import check_scoring, parse_case_study, parse_case_study_text
from grading.case_study import display_order, score

ROOT = Path(__file__).resolve().parents[2] / "course" / "case_studies"

GOOD = """\
---
id: cas
title: Cas
competencies: [C2, C3, C7]
{extra}---

## Accueil {{#accueil}}

- [Je conduis l'entretien en mode semi-directif](#suite) {{C2 +2, C3 +2, C7 +1}}
  > Une trame et des questions ouvertes : le mode semi-directif ; la règle vérifiée.
- [Je raconte ma vie](#fin-faute) {{{bad}}}
  > {bad_feedback}

## Suite {{#suite}}

- [Je vérifie la règle en vigueur sur Légifrance](#fin) {{C2 +1, C3 +1, C7 +2}}
  > La veille : la source officielle, datée.
- [Je réponds de mémoire](#fin) {{#de-memoire, C7 +1}}
  > Une règle se vérifie.

## Fin {{#fin}}

### Débriefing

Bien.

## Faute {{#fin-faute}}

### Débriefing

À revoir.
"""


def case_text(extra: str = "", bad: str = "", bad_feedback: str = "Hors sujet.") -> str:
    return GOOD.format(extra=extra, bad=bad, bad_feedback=bad_feedback)


def parsed(text: str):
    case, errors = parse_case_study_text(text, "cas.md")
    return case, [e.message for e in errors]


def scoring(text: str) -> list[str]:
    case, errors = parsed(text)
    assert case is not None, errors
    return [e.message for e in check_scoring(case)]


def test_a_sound_case_passes_every_check():
    case, errors = parsed(case_text())
    assert errors == [] and case is not None
    assert scoring(case_text()) == []
    assert case.best_choices == ("suite", "fin")
    assert case.best_path_points == {"C2": 3, "C3": 3, "C7": 3}
    assert case.best_total == 9
    assert [c.id for c in case.step("suite").choices] == ["fin", "de-memoire"]


def test_two_choices_to_the_same_step_need_an_id():
    text = case_text().replace("{#de-memoire, C7 +1}", "{C7 +1}")
    _, errors = parsed(text)
    assert any("même identifiant « fin »" in e for e in errors)


def test_critical_choice_is_parsed_capped_and_explained():
    text = case_text(
        extra="critical_cap: 30\n",
        bad="critique",
        bad_feedback="Vous violez le secret professionnel (L.6313-4).",
    )
    case, errors = parsed(text)
    assert errors == [] and case is not None and case.critical_cap == 30
    assert [c.id for c in case.critical_choices] == ["fin-faute"]
    result = score(case, ["fin-faute"])
    assert result.critical and result.ratio == 0.0
    # A critical error after good choices: capped at 30 % whatever the points.
    detour = replace(case, best_total=4)  # a run worth 100 % without the cap
    capped = score(detour, ["fin-faute"])
    assert capped.ratio <= 0.30
    normal = score(case, ["suite", "fin"])
    assert normal.ratio == 1.0 and not normal.critical and not normal.capped


def test_a_critical_error_is_capped_even_when_its_path_earns_points():
    text = case_text(bad="critique", bad_feedback="Contraire à la déontologie.").replace(
        "- [Je raconte ma vie](#fin-faute) {critique}",
        "- [Je raconte ma vie](#suite) {#raconte, critique}\n  > Contraire à la déontologie.\n"
        "- [Je m'en vais](#fin-faute)",
    )
    case, errors = parsed(text)
    assert errors == [] and case is not None
    result = score(case, ["raconte", "fin"])
    assert result.uncapped == pytest.approx(4 / 9)  # 4 of the best path's 9 points
    assert result.ratio == pytest.approx(0.4) and result.capped
    assert result.critical[0].id == "raconte"
    assert result.critical[0].label == "Je raconte ma vie"


def test_the_default_cap_is_forty_percent_and_must_be_a_percentage():
    case, _ = parsed(case_text())
    assert case.critical_cap == 40
    _, errors = parsed(case_text(extra="critical_cap: 140\n"))
    assert any("pourcentage" in e for e in errors)


def test_a_critical_error_cannot_earn_points_and_cites_its_rule():
    _, errors = parsed(case_text(bad="critique, C2 +1", bad_feedback="L.6313-4."))
    assert any("ne peut pas rapporter de points" in e for e in errors)
    _, errors = parsed(case_text(bad="critique", bad_feedback="Ce n'est pas bien."))
    assert any("citer la règle enfreinte" in e for e in errors)
    _, errors = parsed(case_text(bad_feedback="Une erreur critique (L.6313-4)."))
    assert any("n'est pas marqué {critique}" in e for e in errors)


def test_a_critical_error_on_the_best_path_is_refused():
    text = """\
---
id: cas
title: Cas
competencies: [C2]
---

## Accueil {#accueil}

- [Je commence sans son accord](#suite) {critique}
  > Le bilan exige le consentement (L.6313-4).
- [Je renonce](#fin-faute)
  > Dommage.

## Suite {#suite}

- [Je reformule](#fin) {C2 +3}
  > Bien.

## Fin {#fin}

### Débriefing

Bien.

## Faute {#fin-faute}

### Débriefing

À revoir.
"""
    _, errors = parsed(text)
    assert any("erreur critique sur le meilleur parcours" in e for e in errors)


def test_feedback_naming_a_competency_must_score_it():
    text = case_text().replace(
        "> La veille : la source officielle, datée.", "> La veille (C7) et le cadre (C1)."
    )
    _, errors = parsed(text)
    assert any("le retour parle de C1" in e for e in errors)
    assert not any("le retour parle de C7" in e for e in errors)


def test_no_ending_below_zero():
    text = case_text(bad="C2 -1")
    assert any("fin « fin-faute »" in e and "négatif" in e for e in scoring(text))


def test_a_competency_decided_by_one_choice_is_an_error_unless_justified():
    narrow = case_text().replace("C2 +2, C3 +2, C7 +1", "C2 +1, C3 +2, C7 +1")
    assert any(e.startswith("C2 : 2 point(s) au plus") for e in scoring(narrow))
    single = (
        case_text()
        .replace("C2 +2, C3 +2, C7 +1", "C2 +2, C3 +2")
        .replace("C3 +1, C7 +2", "C3 +1, C7 +3")
    )
    assert any(e.startswith("C7 : un seul choix donne tout le maximum") for e in scoring(single))
    justified = single.replace(
        "competencies: [C2, C3, C7]\n",
        "competencies: [C2, C3, C7]\nnarrow_maxima:\n  C7: la veille est travaillée dans un autre cas\n",
    )
    assert scoring(justified) == []
    _, errors = parsed(
        single.replace(
            "competencies: [C2, C3, C7]\n", "competencies: [C2, C3, C7]\nnarrow_maxima:\n  C7: ok\n"
        )
    )
    assert any("dites pourquoi" in e for e in errors)


def test_every_case_scores_veille_and_exercises_the_interview_modes():
    no_c7 = case_text().replace(", C7 +2", "").replace(", C7 +1", "")
    no_c7 = no_c7.replace("competencies: [C2, C3, C7]", "competencies: [C2, C3]")
    assert any("veille (C7)" in e for e in scoring(no_c7))
    no_modes = (
        case_text()
        .replace("en mode semi-directif", "avec soin")
        .replace("le mode semi-directif", "une bonne pratique")
    )
    assert any("modes d'entretien" in e for e in scoring(no_modes))


def test_display_order_is_stable_per_seed_and_ignores_the_file_order():
    case, _ = parsed(case_text())
    step = case.step("suite")
    first = display_order(step, "seed-a")
    assert display_order(step, "seed-a") == first  # a reload shows the same order
    reversed_step = replace(step, choices=tuple(reversed(step.choices)))
    assert display_order(reversed_step, "seed-a") == first  # the file order does not leak
    orders = {tuple(c.id for c in display_order(step, f"seed-{n}")) for n in range(40)}
    assert len(orders) == 2  # both orders occur across runs


def real_cases():
    cases = []
    for path in sorted(ROOT.glob("*.md")):
        case, errors = parse_case_study(path)
        assert case is not None, errors
        cases.append(case)
    return cases


def play(case, pick) -> float:
    step, made = case.step(case.start), []
    while not step.is_ending:
        choice = pick(step)
        made.append(choice.id)
        step = case.step(choice.target)
    return score(case, made).ratio


@pytest.mark.parametrize("case", real_cases(), ids=lambda c: c.id)
def test_always_the_first_option_scores_under_half(case):
    # First in the file: the file order is varied (the best choice is not listed first).
    assert play(case, lambda step: step.choices[0]) < 0.5
    # First displayed, for 200 runs with their own seeds.
    ratios = [play(case, lambda s, n=n: display_order(s, f"run-{n}")[0]) for n in range(200)]
    assert max(ratios) < 1.0
    assert sum(ratios) / len(ratios) < 0.5
    assert sum(r >= 0.5 for r in ratios) < 0.2 * len(ratios)


@pytest.mark.parametrize("case", real_cases(), ids=lambda c: c.id)
def test_no_position_carries_the_best_choice(case):
    decisions = [case.step(s) for s in case.best_path if case.step(s).choices]
    in_file = [
        s.choices.index(s.choice_by_id(c))
        for s, c in zip(decisions, case.best_choices, strict=True)
    ]
    assert in_file.count(0) <= len(in_file) // 3  # the best is rarely listed first
    first_shown = sum(
        display_order(s, f"run-{n}")[0].id == c
        for n in range(200)
        for s, c in zip(decisions, case.best_choices, strict=True)
    )
    expected = sum(200 / len(s.choices) for s in decisions)
    assert abs(first_shown - expected) < 0.2 * expected


@pytest.mark.parametrize("case", real_cases(), ids=lambda c: c.id)
def test_real_cases_mark_critical_errors_and_pass_the_checks(case):
    assert case.critical_choices, "each case study has at least one critical error"
    assert all("L.6313-4" in c.feedback or "déontolog" in c.feedback for c in case.critical_choices)
    assert check_scoring(case) == []
    assert case.max_points.get("C7", 0) >= 3

"""Maximum score and best path of a branching case study (longest paths on the step graph)."""

from __future__ import annotations

from pathlib import Path

import pytest

from course.case_studies import parse_case_study, parse_case_study_text

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "course"


def scenario(
    steps: dict[str, list[tuple[str, str]]], competencies: str = "C2, C4", extra: str = ""
) -> str:
    """A case study: each step maps to its choices (target, points); no choices = an ending."""
    parts = [f"---\nid: cas\ntitle: Cas\ncompetencies: [{competencies}]\n{extra}---\n"]
    for step, choices in steps.items():
        parts.append(f"## Étape {step} {{#{step}}}\n\nRécit.\n")
        if choices:
            for target, points in choices:
                parts.append(f"- [Vers {target}](#{target}) {points}\n  > Retour.")
        else:
            parts.append("### Débriefing\n\nÀ retenir.")
        parts.append("")
    return "\n".join(parts)


def test_valid_fixture_best_path_and_maximum():
    case, errors = parse_case_study(FIXTURES / "case_studies" / "valid.md")
    assert errors == [] and case is not None
    assert case.best_path == ("accueil", "analyse", "fin-reussie")
    assert case.best_total == 4
    assert case.max_points == {"C2": 3, "C4": 1}
    assert case.path_points(case.best_path) == {"C2": 3, "C4": 1}


def test_each_competency_has_its_own_maximum_on_its_own_path():
    text = scenario(
        {
            "debut": [("a", "{C2 +3}"), ("b", "{C4 +2}")],
            "a": [("fin", "{C4 -1}")],
            "b": [("fin", "{C2 +1}")],
            "fin": [],
        }
    )
    case, errors = parse_case_study_text(text, "cas.md")
    assert errors == [] and case is not None
    assert case.max_points == {"C2": 3, "C4": 2}
    assert case.best_path == ("debut", "b", "fin") and case.best_total == 3


def test_a_loop_without_positive_points_is_allowed_and_does_not_change_the_best_path():
    # b <-> c is a loop with no positive points. The best path is debut -> c -> b -> fin-bonne;
    # a depth-first search that memoises c while b is "being visited" would miss it.
    text = scenario(
        {
            "debut": [("b", "{C2 0}"), ("c", "{C2 +1}")],
            "b": [("c", "{C4 -1}"), ("fin-bonne", "{C2 +5}")],
            "c": [("b", "{C2 0}"), ("fin-faible", "{C2 +1}")],
            "fin-faible": [],
            "fin-bonne": [],
        }
    )
    case, errors = parse_case_study_text(text, "cas.md")
    assert errors == [] and case is not None
    assert case.best_path == ("debut", "c", "b", "fin-bonne")
    assert case.best_total == 6 and case.max_points == {"C2": 6, "C4": 0}


def test_positive_points_inside_a_loop_make_the_maximum_incomputable():
    text = scenario(
        {
            "debut": [("a", "{C2 +1}")],
            "a": [("b", "{C4 +1}"), ("fin", "{C2 +1}")],
            "b": [("a", "{C4 -2}")],
            "fin": [],
        }
    )
    case, errors = parse_case_study_text(text, "cas.md")
    assert case is None
    line = next(n for n, t in enumerate(text.splitlines(), 1) if "(#b) {C4 +1}" in t)
    assert [(e.line, "points positifs dans une boucle" in e.message) for e in errors] == [
        (line, True)
    ]


def test_ties_go_to_the_first_ending_in_the_file():
    text = scenario(
        {
            "debut": [("fin-b", "{C2 +1}"), ("fin-a", "{C2 +1}")],
            "fin-a": [],
            "fin-b": [],
        }
    )
    case, _ = parse_case_study_text(text, "cas.md")
    assert case is not None and case.best_path == ("debut", "fin-a")


def test_negative_points_count_and_the_maximum_is_never_below_zero():
    text = scenario(
        {
            "debut": [("fin", "{C2 +2, C4 -1}"), ("autre", "{C2 +1}")],
            "autre": [("fin", "{C4 -2}")],
            "fin": [],
        }
    )
    case, _ = parse_case_study_text(text, "cas.md")
    assert case is not None
    assert case.best_total == 1 and case.best_path == ("debut", "fin")
    assert case.max_points == {"C2": 2, "C4": 0}


def test_start_key_chooses_the_first_step():
    text = scenario({"fin": [], "debut": [("fin", "{C2 +1}")]}, extra="start: debut\n")
    case, errors = parse_case_study_text(text, "cas.md")
    assert errors == [] and case is not None
    assert case.start_step.id == "debut" and case.best_path == ("debut", "fin")


def test_long_diamond_chain_is_computed_quickly():
    # 40 diamonds in a row: 2**40 paths; a path enumeration would never finish.
    steps: dict[str, list[tuple[str, str]]] = {}
    for i in range(40):
        steps[f"s{i}"] = [(f"h{i}", "{C2 +1}"), (f"l{i}", "{C4 +1}")]
        steps[f"h{i}"] = [(f"s{i + 1}", "{C2 0}")]
        steps[f"l{i}"] = [(f"s{i + 1}", "{C4 0}")]
    steps["s40"] = [("fin", "{C2 +1}")]
    steps["fin"] = []
    case, errors = parse_case_study_text(scenario(steps), "cas.md")
    assert errors == [] and case is not None
    assert case.max_points == {"C2": 41, "C4": 40} and case.best_total == 41
    assert len(case.best_path) == 40 * 2 + 2


@pytest.mark.parametrize("name", ["valid"])
def test_path_points_refuses_a_path_that_does_not_follow_the_choices(name):
    case, _ = parse_case_study(FIXTURES / "case_studies" / f"{name}.md")
    assert case is not None
    with pytest.raises(KeyError):
        case.path_points(("accueil", "fin-reussie"))

"""The examples of the trainers' guide (course/AUTHORING.md) are themselves valid content."""

from __future__ import annotations

import re
from pathlib import Path

from course.case_studies import check_scoring, parse_case_study_text
from course.dossier import parse_dossier_item_text
from course.modules import parse_module_text
from course.questionnaire import parse_blueprint_text, parse_item_text

ROOT = Path(__file__).resolve().parents[2]
GUIDE = (ROOT / "course" / "AUTHORING.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"^```(\w+)\n(.*?)^```$", GUIDE, flags=re.MULTILINE | re.DOTALL)


def blocks(language: str, needle: str) -> list[str]:
    found = [text for lang, text in BLOCKS if lang == language and needle in text]
    assert found, needle
    return found


def test_module_example_is_valid():
    (text,) = blocks("markdown", "objectives:")
    module, errors = parse_module_text(text, ROOT / "course" / "modules" / "exemple" / "index.md")
    assert [str(e) for e in errors] == [] and module is not None
    assert module.questions[0].id == "phase-preliminaire"


def test_question_example_is_valid():
    (text,) = [t for t in blocks("markdown", "<!-- question: duree-maximale -->") if "---" not in t]
    page = f"---\nid: exemple\ntitle: Exemple\ncompetencies: [C1]\norder: 1\n---\n\n{text}"
    module, errors = parse_module_text(page, ROOT / "course" / "modules" / "exemple" / "index.md")
    assert errors == [] and module is not None and module.questions[0].correct_keys == {"b"}


def test_case_study_example_is_valid_with_two_endings():
    (text,) = blocks("markdown", "mode: practice")
    case, errors = parse_case_study_text(text, ROOT / "course" / "case_studies" / "exemple.md")
    assert [str(e) for e in errors] == [] and case is not None
    assert len(case.endings) == 2 and 3 <= len(case.steps) <= 4
    assert case.best_path == ("premier-entretien", "analyse-demande", "fin-bilan-engage")
    assert check_scoring(case) == [] and len(case.critical_choices) == 1


def test_item_bank_and_blueprint_examples_are_valid():
    (items,) = blocks("markdown", "id: items-c1")
    found, errors = parse_item_text(items, ROOT / "course" / "questionnaire" / "items" / "x.md")
    assert errors == [] and [q.competency for q in found] == ["C1"]
    (blueprint,) = blocks("yaml", "items_per_competency")
    parsed, errors = parse_blueprint_text(blueprint, "blueprint.yaml")
    assert errors == [] and parsed is not None and parsed.case_studies == 4


def test_dossier_example_is_valid():
    (text,) = blocks("markdown", "checks:")
    item, errors = parse_dossier_item_text(text, ROOT / "course" / "dossier" / "01-x.md")
    assert errors == [] and item is not None and "session_hours" in item.checks

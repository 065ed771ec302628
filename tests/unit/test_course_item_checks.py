"""The exam bank's own checks: sources, near-clones of module questions, absolute words, review."""

from __future__ import annotations

import shutil
from pathlib import Path

from course.cli import main
from course.itemcheck import CLONE_THRESHOLD, absolute_word_cues, bank_warnings, similarity
from course.modules import parse_module_text
from course.questionnaire import parse_exam_case_text, parse_item_text
from course.reviews import review_flags

ROOT = Path(__file__).resolve().parents[2]
TREES = ROOT / "tests" / "fixtures" / "course" / "trees"
ITEMS = ROOT / "course" / "questionnaire" / "items" / "x.md"
CASES = ROOT / "course" / "questionnaire" / "cases" / "x.md"

HEADER = "---\nid: items-x\ntitle: Items\ncompetency: C1\n---\n\n"
ITEM = """<!-- question: c1-convention difficulty=2{attrs} -->
La responsable formation vous transmet une convention tripartite que le salarié n'a pas signée
après onze jours et vous demande de commencer le bilan. Que faites-vous ?

- [ ] {a}
  > Non : le silence vaut refus.
- [x] {b}
  > Oui : R.6313-8.
- [ ] {c}
  > Non : la convention est tripartite.

Le salarié dispose de dix jours ; son silence vaut refus (R.6313-8).
<!-- /question -->
"""
SOURCE = ' source="R.6313-8 ; référentiel C1"'
PLAIN = {
    "a": "Vous commencez : le silence vaut acceptation",
    "b": "Vous attendez sa signature : son silence au-delà de dix jours vaut refus",
    "c": "Vous faites signer l'employeur seul",
}


def item_text(attrs: str = SOURCE, **options: str) -> str:
    return HEADER + ITEM.format(attrs=attrs, **{**PLAIN, **options})


def parse(text: str):
    return parse_item_text(text, ITEMS)


def test_an_exam_item_without_source_is_an_error():
    items, errors = parse(item_text(attrs=""))
    assert items == []
    assert [(e.line, "source manquante" in e.message) for e in errors] == [(7, True)]
    items, errors = parse(item_text())
    assert errors == [] and items[0].source == "R.6313-8 ; référentiel C1"


def test_a_source_with_spaces_needs_quotes_and_other_attributes_still_parse():
    items, errors = parse(item_text(attrs=' source="L.6313-4" competency=C1'))
    assert errors == [] and items[0].source == "L.6313-4" and items[0].competency == "C1"
    _, errors = parse(item_text(attrs=" source=R.6313-8 ; référentiel"))
    assert any("attribut inconnu « ; »" in e.message for e in errors)


def test_a_module_knowledge_check_needs_no_source():
    page = "---\nid: m\ntitle: M\ncompetencies: [C1]\norder: 1\n---\n\n" + ITEM.format(
        attrs="", **PLAIN
    ).replace("c1-convention difficulty=2", "k")
    module, errors = parse_module_text(page, ROOT / "course" / "modules" / "m" / "index.md")
    assert errors == [] and module is not None and module.questions[0].source == ""


def test_absolute_word_in_a_wrong_option_when_the_key_has_none_is_reported():
    (item,), _ = parse(item_text(a="Vous commencez toujours : le silence vaut acceptation"))
    assert absolute_word_cues(item) == [(11, "toujours")]
    warnings = bank_warnings([item], [])
    assert len(warnings) == 1 and warnings[0].line == 11
    assert warnings[0].message.startswith("attention : question « c1-convention » : « toujours »")


def test_absolute_words_are_whole_words_and_a_keyed_absolute_word_clears_the_cue():
    (item,), _ = parse(item_text(c="Vous faites signer l'employeur, tout simplement, en aucun cas"))
    assert absolute_word_cues(item) == [(15, "en aucun cas")]
    (item,), _ = parse(
        item_text(
            a="Vous commencez : le silence vaut toujours acceptation",
            b="Vous n'attendez jamais : son silence vaut refus",
        )
    )
    assert absolute_word_cues(item) == []
    (item,), _ = parse(item_text(a="Vous commencez : le silence vaut acceptation (toujours-là)"))
    assert absolute_word_cues(item) == []


def _check(stem: str, a: str, b: str, c: str):
    page = (
        "---\nid: m\ntitle: M\ncompetencies: [C1]\norder: 1\n---\n\n<!-- question: k -->\n"
        f"{stem}\n\n- [ ] {a}\n  > Non.\n- [x] {b}\n  > Oui.\n- [ ] {c}\n  > Non.\n\n"
        "Explication.\n<!-- /question -->\n"
    )
    module, errors = parse_module_text(page, ROOT / "course" / "modules" / "m" / "index.md")
    assert errors == [] and module is not None
    return module.questions[0]


def test_an_exam_item_that_clones_a_module_question_is_reported():
    (item,), _ = parse(item_text())
    clone = _check(
        "La responsable formation vous transmet une convention tripartite non signée par le "
        "salarié après onze jours et vous demande de démarrer. Que faites-vous ?",
        "Vous démarrez : le silence vaut acceptation",
        "Vous attendez sa signature : son silence au-delà de dix jours vaut refus",
        "Vous faites signer l'employeur seul",
    )
    other = _check(
        "Un bénéficiaire vous demande combien d'heures dure un bilan au maximum.",
        "Au moins 24 heures",
        "Au plus 24 heures",
        "Exactement 24 heures",
    )
    assert similarity(item, clone) >= CLONE_THRESHOLD > similarity(item, other)
    warnings = bank_warnings([item], [other, clone])
    assert len(warnings) == 1 and warnings[0].line == item.line
    assert "trop proche de la question « k » d'un module" in warnings[0].message
    assert bank_warnings([item], [other]) == []


def test_the_check_command_prints_warnings_but_succeeds(capsys, tmp_path):
    shutil.copytree(TREES / "valid", tmp_path / "c")
    items = tmp_path / "c" / "questionnaire" / "items" / "c1.md"
    text = items.read_text(encoding="utf-8")
    wrong = next(line for line in text.splitlines() if line.startswith("- [ ]"))
    items.write_text(text.replace(wrong, wrong + " dans tous les cas", 1), encoding="utf-8")
    assert main(["check", str(tmp_path / "c")]) == 0
    out = capsys.readouterr().out.splitlines()
    assert any("attention : question" in line and "dans tous les cas" in line for line in out)
    assert out[-1].endswith("aucune erreur ; 1 avertissement.")


def test_an_item_flagged_for_review_needs_a_date_and_notes():
    _, errors = parse(item_text(attrs=SOURCE + " review=true"))
    messages = " ".join(e.message for e in errors)
    assert "review_date=AAAA-MM-JJ" in messages and "review_notes" in messages
    _, errors = parse(
        item_text(attrs=SOURCE + ' review=true review_date=2026-13-01 review_notes="x"')
    )
    assert [e.message.split(" : ", 1)[1] for e in errors] == [
        "review_date « 2026-13-01 » invalide (AAAA-MM-JJ)"
    ]
    (item,), errors = parse(
        item_text(
            attrs=SOURCE + ' review=true review_date=2026-12-07 review_notes="Montant 2026 ?"'
        )
    )
    assert errors == [] and item.review and item.review_date == "2026-12-07"
    assert item.review_notes == "Montant 2026 ?"


VIGNETTE = """---
id: cas-x
title: Cas X
competencies: [C1]
review: true
{date}review_notes: Rôle de France Travail à confirmer.
---

Karim, 38 ans, demandeur d'emploi.
""" + "".join(
    ITEM.format(attrs=SOURCE, **PLAIN).replace("c1-convention", f"cas-x-{i}") for i in range(3)
)


def test_a_vignette_flagged_for_review_needs_a_date():
    case, errors = parse_exam_case_text(VIGNETTE.format(date=""), CASES)
    assert case is None and any("review_date" in e.message for e in errors)
    case, errors = parse_exam_case_text(VIGNETTE.format(date="review_date: 2026-12-07\n"), CASES)
    assert errors == [] and case is not None and case.review_date == "2026-12-07"


def test_review_lists_files_and_items_with_date_and_place(capsys, tmp_path):
    course = tmp_path / "c"
    shutil.copytree(TREES / "valid", course)
    case = course / "questionnaire" / "cases" / "cas-examen.md"
    text = case.read_text(encoding="utf-8")
    text = text.replace(
        'ex-plan competency=C6 difficulty=3 source="L.6313-4 ; référentiel C1"',
        'ex-plan competency=C6 difficulty=3 source="R.6313-4" review=true '
        'review_date=2026-12-07 review_notes="Durée du suivi à confirmer"',
    )
    case.write_text(text, encoding="utf-8")
    index = course / "modules" / "c1-cadre" / "index.md"
    index.write_text(
        index.read_text(encoding="utf-8").replace(
            "lang: fr\n",
            "lang: fr\nreview: true\nreview_date: 2026-11-30\nreview_notes: R.6313-7.\n",
        ),
        encoding="utf-8",
    )
    flags = review_flags(course)
    assert [(f.kind, f.id, f.date, f.notes) for f in flags] == [
        ("module", "c1-cadre", "2026-11-30", "R.6313-7."),
        ("exam_item", "ex-plan", "2026-12-07", "Durée du suivi à confirmer"),
    ]
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "ex-plan" in t)
    assert flags[1].where == f"questionnaire/cases/cas-examen.md:{line}"
    assert main(["review", str(course)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1] == f"{case}:{line}: [2026-12-07] Durée du suivi à confirmer"
    assert out[-1] == "2 contenus à faire vérifier par un formateur (review: true)."
    assert main(["check", str(course)]) == 0


def test_a_module_may_date_its_review_flag_and_a_wrong_date_is_an_error():
    page = (
        "---\nid: m\ntitle: M\ncompetencies: [C1]\norder: 1\nreview: true\n"
        "review_date: {date}\nreview_notes: Montant à vérifier.\n---\n\nTexte.\n"
    )
    path = ROOT / "course" / "modules" / "m" / "index.md"
    module, errors = parse_module_text(page.format(date="2026-12-07"), path)
    assert errors == [] and module is not None and module.review
    _, errors = parse_module_text(page.format(date="07/12/2026"), path)
    assert [(e.line, e.message) for e in errors] == [
        (7, "review_date « 07/12/2026 » invalide (AAAA-MM-JJ)")
    ]

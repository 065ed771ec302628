"""The content parser: what a valid file becomes, and how a malformed one is reported."""

from __future__ import annotations

from pathlib import Path

from course.case_studies import parse_case_study, parse_case_study_text
from course.dossier import parse_dossier_item
from course.errors import ContentError
from course.loader import load_course
from course.modules import parse_module, parse_module_text
from course.questionnaire import parse_blueprint, parse_case_file, parse_item_file

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "course"

# Small texts other test files import (tests/integration/test_modules.py,
# tests/unit/test_grading_case_study.py): keep them valid.
MODULE = """\
---
id: c1-cadre
title: Le cadre légal
competencies: [C1]
order: 1
duration_minutes: 60
objectives:
  - Connaître L.6313-4
lang: fr
---

# Le cadre légal

## Durée

Le bilan dure 24 heures au plus : c'est écrit « noir sur blanc ».

<!-- question: duree-max -->
Quelle est la durée maximale d'un bilan ?

- [ ] 12 heures
  > Non : pratique courante.
- [x] 24 heures
  > Oui : L.6313-4.
- [ ] 36 heures
  > Non.

L'article L.6313-4 fixe 24 heures.
<!-- /question -->

<!-- question: phases type=multiple -->
Quelles phases ?

- [x] Préliminaire
- [x] Investigation
- [ ] Confrontation
  > Phase de l'ancien dispositif.

Trois phases (R.6313-4).
<!-- /question -->
"""

CASE = """\
---
id: cas-test
title: Cas de test
profile: Claire, 38 ans.
competencies: [C2, C4]
mode: practice
---

Introduction.

## Accueil {#accueil}

Claire arrive.

- [Je reformule](#analyse) {C2 +2, C4 +1}
  > Bonne pratique.
- [Je propose un test](#fin-mauvaise) {C2 -1}
  > Trop tôt.

## Analyse de la demande {#analyse}

- [Je vérifie l'engagement](#fin-bonne) {C2 +1}
  > Oui.
- [Je demande une précision](#precision)
  > Pourquoi pas.

## Précision {#precision}

- [Je reviens à l'analyse](#analyse)
  > Retour.

## Fin réussie {#fin-bonne}

Bravo.

### Débriefing

R.6313-4.

## Fin à revoir {#fin-mauvaise}

### Débriefing

Relire le module C2.
"""


def test_shared_sample_texts_stay_valid():
    module, errors = parse_module_text(MODULE, "modules/c1/index.md")
    assert errors == [] and module is not None and len(module.questions) == 2
    case, errors = parse_case_study_text(CASE, "cas.md")
    assert errors == [] and case is not None and case.best_path[-1] == "fin-bonne"


def test_module_front_matter_segments_and_questions():
    module, errors = parse_module(FIXTURES / "modules" / "valid.md")
    assert errors == [] and module is not None
    assert (module.id, module.title, module.competencies, module.order) == (
        "c1-cadre",
        "Le cadre légal",
        ("C1",),
        1,
    )
    assert module.duration_minutes == 60 and module.lang == "fr" and not module.review
    assert module.objectives == ("Connaître L.6313-4",) and module.references == ("L.6313-4",)
    assert module.line == 2 and module.path.endswith("valid.md")
    assert [q.id for q in module.questions] == ["duree-max", "phases"]
    assert [s.question.id if s.question else "texte" for s in module.segments] == [
        "texte",
        "duree-max",
        "phases",
    ]
    assert module.segments[0].line == 13 and module.segments[0].markdown.startswith("# Le cadre")


def test_question_propositions_feedback_and_explanation_keep_their_lines():
    module, _ = parse_module(FIXTURES / "modules" / "valid.md")
    assert module is not None
    first, second = module.questions
    assert (first.line, first.end_line, first.path) == (19, 30, module.path)
    assert first.stem == "Quelle est la durée maximale d'un bilan ?"
    assert [(p.key, p.text, p.correct, p.line) for p in first.propositions] == [
        ("a", "12 heures", False, 22),
        ("b", "24 heures", True, 24),
        ("c", "36 heures", False, 26),
    ]
    assert first.propositions[0].feedback == "Non : pratique courante."
    assert first.explanation == "L'article L.6313-4 fixe 24 heures."
    assert first.type == "single" and first.correct_keys == {"b"}
    assert second.multiple and second.correct_keys == {"a", "b"}
    assert module.question("phases") is second and module.question("absente") is None


def test_french_prose_needs_no_escaping():
    text = (FIXTURES / "modules" / "valid.md").read_text(encoding="utf-8")
    text = text.replace(
        "Quelle est la durée maximale d'un bilan ?",
        "Selon l'article L.6313-4 : « durée » #1 = ~24 h ; quelle durée maximale ?",
    )
    module, errors = parse_module_text(text, FIXTURES / "modules" / "valid.md")
    assert errors == [] and module is not None
    assert module.questions[0].stem.startswith("Selon l'article L.6313-4 : « durée » #1 = ~24 h")


def test_byte_order_mark_and_windows_line_ends_are_accepted(tmp_path):
    text = (FIXTURES / "modules" / "valid.md").read_text(encoding="utf-8")
    (tmp_path / "schema.svg").write_text("<svg/>", encoding="utf-8")
    (tmp_path / "valid.md").write_text("x", encoding="utf-8")
    path = tmp_path / "index.md"
    path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())
    module, errors = parse_module(path)
    assert errors == [] and module is not None and module.questions[0].line == 19


def test_a_file_that_is_not_utf8_is_an_error_not_a_crash(tmp_path):
    path = tmp_path / "modules" / "latin1" / "index.md"
    path.parent.mkdir(parents=True)
    path.write_bytes("---\nid: é\n---\n".encode("latin-1"))
    assert parse_module(path) == (
        None,
        [
            ContentError(
                str(path),
                1,
                "fichier illisible : il n'est pas en UTF-8 (réenregistrez-le en UTF-8)",
            )
        ],
    )
    assert [e.line for e in load_course(tmp_path).errors] == [1]


def test_error_is_shown_as_file_line_message():
    error = ContentError(
        "course/modules/c1/index.md",
        18,
        "question « duree-max » : aucune proposition correcte ([x])",
    )
    assert (
        str(error)
        == "course/modules/c1/index.md:18: question « duree-max » : aucune proposition correcte ([x])"
    )


def test_case_study_steps_choices_and_endings():
    case, errors = parse_case_study(FIXTURES / "case_studies" / "valid.md")
    assert errors == [] and case is not None
    assert (case.id, case.mode, case.competencies, case.duration_minutes) == (
        "cas-test",
        "practice",
        ("C2", "C4"),
        15,
    )
    assert case.profile == "Claire, 38 ans, comptable." and case.introduction == "Introduction."
    assert [s.id for s in case.steps] == [
        "accueil",
        "analyse",
        "precision",
        "fin-reussie",
        "fin-trop-vite",
    ]
    assert case.start == "accueil" and case.start_step.title == "Accueil"
    accueil = case.step("accueil")
    assert accueil.line == 12 and accueil.narrative == "Claire arrive." and not accueil.is_ending
    first = accueil.choices[0]
    assert (first.label, first.target, first.points, first.line) == (
        "Je reformule sa demande",
        "analyse",
        (("C2", 2), ("C4", 1)),
        16,
    )
    assert first.feedback == "Bonne pratique." and first.path == case.path
    assert [s.id for s in case.endings] == ["fin-reussie", "fin-trop-vite"]
    assert (
        case.step("fin-reussie").debrief == "R.6313-4."
        and case.step("fin-reussie").narrative == "Bravo."
    )
    assert case.step("precision").choices[0].points == ()


def test_exam_items_take_the_file_competency_and_keep_their_difficulty():
    items, errors = parse_item_file(FIXTURES / "items" / "valid.md")
    assert errors == []
    assert [(q.id, q.competency, q.difficulty, len(q.propositions)) for q in items] == [
        ("item-duree", "C1", 1, 3),
        ("item-consentement", "C1", 2, 4),
    ]


def test_exam_case_vignette_and_items():
    case, errors = parse_case_file(FIXTURES / "exam_cases" / "valid.md")
    assert errors == [] and case is not None
    assert (
        case.vignette.startswith("Vous relisez la convention") and "> Convention" in case.vignette
    )
    assert [(q.id, q.competency) for q in case.items] == [
        ("ex-duree", "C1"),
        ("ex-synthese", "C1"),
        ("ex-plan", "C6"),
    ]


def test_blueprint_values():
    blueprint, errors = parse_blueprint(FIXTURES / "blueprints" / "valid.yaml")
    assert errors == [] and blueprint is not None
    assert blueprint.items_per_competency == {"C1": 2} and blueprint.case_studies == 1
    assert blueprint.pass_mark == 0.6 and blueprint.duration_minutes == 60
    assert blueprint.shuffle_propositions and blueprint.review_policy == "after_release"
    assert blueprint.grace_seconds == 60 and blueprint.standalone_items == 2


def test_dossier_item():
    item, errors = parse_dossier_item(FIXTURES / "dossier" / "valid.md")
    assert errors == [] and item is not None
    assert (item.id, item.order, item.checks, item.min_words) == (
        "cadre",
        1,
        ("section_present", "word_count", "session_hours"),
        300,
    )
    assert item.headings == ("Cadre", "Cadre de l'accompagnement") and item.line == 2
    assert item.description.startswith("Présentez le cadre")


def test_whole_course_loads_with_its_version():
    root = FIXTURES / "trees" / "valid"
    result = load_course(root)
    assert result.ok and result.errors == []
    course = result.course
    assert [m.id for m in course.modules] == ["c1-cadre", "c2-analyse"]
    assert course.module("c2-analyse") is course.modules[1] and course.module("x") is None
    assert course.modules_for("C2") == (course.modules[1],)
    assert course.case_study("cas-test") is course.case_studies[0]
    assert course.bank is not None and course.bank.blueprint is not None
    assert [q.id for q in course.exam_items] == [
        "item-duree",
        "item-consentement",
        "ex-duree",
        "ex-synthese",
        "ex-plan",
    ]
    assert course.bank.case("cas-examen") is course.bank.cases[0]
    assert course.bank.item("ex-plan") is course.bank.cases[0].items[2]
    assert course.dossier is not None and course.dossier.title.startswith("Cahier des charges")
    assert len(course.version) == 16 and load_course(root).course.version == course.version


def test_content_version_changes_with_the_content(tmp_path):
    import shutil

    shutil.copytree(FIXTURES / "trees" / "valid", tmp_path / "c")
    before = load_course(tmp_path / "c").course.version
    item = tmp_path / "c" / "questionnaire" / "items" / "c1.md"
    item.write_text(
        item.read_text(encoding="utf-8").replace("36 heures", "35 heures"), encoding="utf-8"
    )
    assert load_course(tmp_path / "c").course.version != before


def test_missing_course_folder_is_an_error(tmp_path):
    result = load_course(tmp_path / "absent")
    assert [(e.line, e.message) for e in result.errors] == [(1, "dossier du cours introuvable")]

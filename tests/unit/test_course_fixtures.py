"""The validator on broken fixtures: one file per error case, each error with its file and line.

Every fixture under ``tests/fixtures/course/`` is a copy of the ``valid`` one of its folder with
one mistake; the tables below say which lines the check must point at, and nothing else.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from course.case_studies import parse_case_study
from course.dossier import parse_dossier_item
from course.errors import ContentError
from course.loader import load_course
from course.modules import parse_module
from course.questionnaire import parse_blueprint, parse_case_file, parse_item_file

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "course"

MODULES = {
    "no-front-matter": [(1, "en-tête YAML manquant")],
    "unclosed-front-matter": [(1, "en-tête YAML non fermé")],
    "yaml-colon": [(3, "en-tête YAML invalide : un « : » suivi d'une espace")],
    "unknown-key": [(10, "clé inconnue « colour »")],
    "missing-key": [(1, "clé obligatoire manquante : « order »")],
    "wrong-type": [(5, "« order » doit être un nombre entier")],
    "bad-id": [(2, "identifiant « C1 Cadre » invalide")],
    "unknown-competency": [(4, "compétence inconnue « C9 »")],
    "bad-lang": [(9, "langue « de » non prise en charge")],
    "review-without-notes": [(10, "review: true demande")],
    "empty-title": [(3, "la clé « title » est vide")],
    "empty-body": [(12, "le module n'a pas de contenu")],
    "broken-link": [(17, "lien vers « ../absent/index.md » : fichier introuvable")],
    "missing-image": [(17, "image vers « absent.png » : fichier introuvable")],
    "external-image": [(17, "image « https://example.org/schema.png » : seules les images")],
    "javascript-link": [(17, "lien « javascript:alert(1) » : seuls http, https et mailto")],
    "link-in-question": [(29, "lien vers « absent.md » : fichier introuvable")],
    "question-unclosed": [(19, "question « duree-max » non fermée")],
    "question-no-stem": [(19, "question « duree-max » : énoncé manquant")],
    "question-no-proposition": [(19, "question « duree-max » : aucune proposition")],
    "question-one-proposition": [(19, "il faut au moins 2 propositions")],
    "question-too-many": [(31, "trop de propositions (7, 6 au plus)")],
    "question-no-correct": [(19, "question « duree-max » : aucune proposition correcte ([x])")],
    "question-two-correct": [(19, "2 propositions correctes pour une question à réponse unique")],
    "question-duplicate-proposition": [(26, "proposition en double (déjà ligne 22)")],
    "question-unknown-attribute": [(32, "attribut inconnu « kind=hard »")],
    "question-bad-type": [(32, "type « several » inconnu")],
    "question-no-explanation": [(29, "question « duree-max » : explication manquante")],
    "question-proposition-after-explanation": [(43, "proposition séparée des autres")],
    "question-duplicate-id": [(32, "question « duree-max » en double dans ce module")],
    "question-bad-id": [(19, "identifiant de question « Durée_max » invalide")],
    "question-no-id": [(19, "question sans identifiant")],
    "question-close-without-open": [(17, "<!-- /question --> sans question ouverte")],
}

CASE_STUDIES = {
    "unknown-target": [
        (23, "l'étape cible « #fin-inconnue » n'existe pas"),
        (33, "étape « fin-reussie » inatteignable"),
    ],
    "unreachable": [(47, "étape « orpheline » inatteignable depuis le début")],
    "no-choice-not-ending": [(41, "étape « fin-trop-vite » : ni choix ni « ### Débriefing »")],
    "choices-and-debrief": [(33, "une fin (Débriefing) ne peut pas proposer de choix")],
    "dead-loop": [
        (21, "étape « analyse » : boucle sans issue"),
        (28, "étape « precision » : boucle sans issue"),
        (33, "étape « fin-reussie » inatteignable"),
    ],
    "positive-loop": [(30, "points positifs dans une boucle")],
    "points-unknown-competency": [(23, "compétence inconnue « C9 »")],
    "points-not-in-front-matter": [(23, "des points en C5, compétence absente de l'en-tête")],
    "points-syntax": [(16, "points « C2 deux » illisibles")],
    "text-after-link": [(18, "texte inattendu après le lien")],
    "duplicate-step": [(28, "étape « analyse » en double (déjà ligne 21)")],
    "bad-start": [(8, "étape de départ « debut » introuvable")],
    "no-steps": [(9, "aucune étape")],
    "bad-mode": [(7, "mode « exam » inconnu")],
    "bad-step-id": [(28, "identifiant d'étape « Précision » invalide")],
    "no-points": [(9, "aucun chemin ne rapporte de points")],
    "missing-image": [(14, "image vers « convention.png » : fichier introuvable")],
    "missing-competencies": [(1, "clé obligatoire manquante : « competencies »")],
}

ITEMS = {
    "two-propositions": [(7, "un item d'examen a 3 ou 4 propositions (2 ici)")],
    "five-propositions": [(20, "un item d'examen a 3 ou 4 propositions (5 ici)")],
    "missing-difficulty": [(7, "question « item-duree » : difficulté manquante")],
    "bad-difficulty": [(7, "difficulté « 4 » invalide")],
    "missing-competency": [
        (6, "question « item-duree » : compétence manquante"),
        (19, "question « item-consentement » : compétence manquante"),
    ],
    "unknown-default-competency": [(4, "compétence inconnue « C0 »")],
    "two-correct": [(20, "2 propositions correctes pour une question à réponse unique")],
}

EXAM_CASES = {
    "no-vignette": [(6, "étude de cas d'examen sans vignette")],
    "two-items": [(6, "une étude de cas d'examen a 3 à 5 items (2 ici)")],
    "competency-not-in-header": [(37, "compétence C5 absente de l'en-tête")],
    "missing-competency": [(11, "question « ex-duree » : compétence manquante")],
}

BLUEPRINTS = {
    "unknown-key": [(10, "clé inconnue « attempts »")],
    "pass-mark": [(6, "pass_mark est une part des points entre 0 et 1")],
    "duration": [(2, "« duration_minutes » doit valoir au moins 1")],
    "unknown-competency": [(5, "compétence inconnue « C8 » dans items_per_competency")],
    "negative-count": [(4, "C1 : nombre d'items invalide « -2 »")],
    "review-policy": [(8, "review_policy « sometimes » inconnue")],
    "yaml-invalid": [(5, "YAML invalide : liste entre crochets mal fermée")],
    "not-a-mapping": [(1, "le plan doit être une liste de lignes « clé: valeur »")],
    "missing-key": [(1, "clé obligatoire manquante : « pass_mark »")],
}

DOSSIER = {
    "unknown-check": [(7, "vérification inconnue « spelling »")],
    "missing-checks": [(1, "clé obligatoire manquante : « checks »")],
    "min-words-without-word-count": [(8, "min_words ne sert qu'avec la vérification word_count")],
    "bad-order": [(4, "« order » doit être un nombre entier")],
}

Parser = Callable[[Path], tuple[Any, list[ContentError]]]
KINDS: list[tuple[str, str, Parser, dict[str, list[tuple[int, str]]]]] = [
    ("modules", "md", parse_module, MODULES),
    ("case_studies", "md", parse_case_study, CASE_STUDIES),
    ("items", "md", parse_item_file, ITEMS),
    ("exam_cases", "md", parse_case_file, EXAM_CASES),
    ("blueprints", "yaml", parse_blueprint, BLUEPRINTS),
    ("dossier", "md", parse_dossier_item, DOSSIER),
]
CASES = [
    pytest.param(folder, ext, parser, name, expected, id=f"{folder}/{name}")
    for folder, ext, parser, table in KINDS
    for name, expected in table.items()
]


def assert_errors(errors: list[ContentError], path: Path, expected: list[tuple[int, str]]) -> None:
    found = sorted((e.line, e.message) for e in errors)
    assert all(e.path == str(path) for e in errors), [str(e) for e in errors]
    assert [line for line, _ in found] == [line for line, _ in sorted(expected)], found
    for (_, message), (_, fragment) in zip(found, sorted(expected), strict=True):
        assert fragment in message, (fragment, message)


@pytest.mark.parametrize(("folder", "ext", "parser", "name", "expected"), CASES)
def test_each_broken_fixture_reports_its_file_and_line(folder, ext, parser, name, expected):
    path = FIXTURES / folder / f"{name}.{ext}"
    result, errors = parser(path)
    assert_errors(errors, path, expected)
    if folder != "items":  # a file of items returns the items that are right
        assert result is None


@pytest.mark.parametrize(("folder", "ext", "parser", "table"), [k[:3] + (k[3],) for k in KINDS])
def test_every_fixture_is_checked_and_the_valid_one_loads(folder, ext, parser, table):
    names = {p.name.removesuffix(f".{ext}") for p in (FIXTURES / folder).glob(f"*.{ext}")}
    assert names == set(table) | {"valid"}
    result, errors = parser(FIXTURES / folder / f"valid.{ext}")
    assert errors == [] and result


TREES = {
    "valid": [],
    "duplicate-module-id": [
        ("modules/c2-analyse/index.md", 2, "identifiant « c1-cadre » déjà utilisé par le module"),
    ],
    "duplicate-module-order": [
        ("modules/c2-analyse/index.md", 5, "ordre 1 déjà utilisé par le module"),
    ],
    "module-folder-without-index": [("modules/c3-vide", 1, "dossier de module sans index.md")],
    "duplicate-case-study-id": [
        ("case_studies/cas-test.md", 2, "identifiant « cas-test » déjà utilisé par l'étude de cas"),
    ],
    "duplicate-exam-item-id": [
        ("questionnaire/items/c1.md", 7, "question « item-duree » : identifiant déjà utilisé"),
    ],
    "blueprint-cannot-fill": [
        ("questionnaire/blueprint.yaml", 5, "le plan demande 1 item C2, la banque n'en a que 0"),
        (
            "questionnaire/blueprint.yaml",
            6,
            "le plan demande 3 études de cas, la banque n'en a que 1",
        ),
    ],
    "blueprint-case-too-short": [
        (
            "questionnaire/blueprint.yaml",
            6,
            "le plan demande 1 étude de cas de 4 items au moins, la banque n'en a que 0",
        ),
    ],
    "missing-blueprint": [("questionnaire/blueprint.yaml", 1, "blueprint.yaml) manquant")],
    "dossier-duplicates": [
        ("dossier/02-cadre-bis.md", 2, "identifiant « cadre » déjà utilisé par l'élément"),
        ("dossier/02-cadre-bis.md", 4, "ordre 1 déjà utilisé par l'élément"),
    ],
    "many-errors": [
        ("case_studies/cas-test.md", 23, "l'étape cible « #fin-inconnue » n'existe pas"),
        ("case_studies/cas-test.md", 33, "étape « fin-reussie » inatteignable"),
        ("modules/c1-cadre/index.md", 4, "compétence inconnue « C8 »"),
        ("modules/c1-cadre/index.md", 19, "aucune proposition correcte"),
        ("questionnaire/blueprint.yaml", 6, "pass_mark est une part des points"),
    ],
}


@pytest.mark.parametrize(("name", "expected"), TREES.items(), ids=list(TREES))
def test_whole_course_errors_across_files(name, expected):
    root = FIXTURES / "trees" / name
    found = [
        (Path(e.path).relative_to(root).as_posix(), e.line, e.message)
        for e in load_course(root).errors
    ]
    assert [(p, n) for p, n, _ in found] == [(p, n) for p, n, _ in expected], found
    for (_, _, message), (_, _, fragment) in zip(found, expected, strict=True):
        assert fragment in message, (fragment, message)


def test_every_tree_is_checked():
    assert {p.name for p in (FIXTURES / "trees").iterdir()} == set(TREES)


def test_a_broken_file_is_left_out_and_the_rest_still_loads():
    course = load_course(FIXTURES / "trees" / "many-errors").course
    assert [m.id for m in course.modules] == ["c2-analyse"]
    assert course.case_studies == () and course.bank is not None and course.bank.blueprint is None
    assert [i.id for i in course.bank.items] == ["item-duree", "item-consentement"]

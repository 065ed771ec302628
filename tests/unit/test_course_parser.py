"""The content parser and validator: every error reported with its file and line."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from course.case_studies import parse_case_study_text
from course.cli import main
from course.loader import load_course
from course.render import render_markdown, sanitize

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


def write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def errors_for(root: Path) -> list[tuple[str, int, str]]:
    return [(Path(e.path).name, e.line, e.message) for e in load_course(root).errors]


def test_valid_module_loads_with_questions(tmp_path):
    write(tmp_path, "modules/c1/index.md", MODULE)
    result = load_course(tmp_path)
    assert result.errors == []
    module = result.course.modules[0]
    assert [q.id for q in module.questions] == ["duree-max", "phases"]
    first = module.questions[0]
    assert first.correct_keys == {"b"} and first.propositions[1].feedback == "Oui : L.6313-4."
    assert first.explanation.startswith("L'article") and not module.questions[0].multiple
    assert module.questions[1].multiple and module.questions[1].correct_keys == {"a", "b"}


@pytest.mark.parametrize(
    ("change", "line", "message"),
    [
        (
            lambda t: t.replace("- [x] 24 heures", "- [ ] 24 heures"),
            18,
            "aucune proposition correcte",
        ),
        (lambda t: t.replace("- [ ] 36 heures", "- [x] 36 heures"), 18, "2 propositions correctes"),
        (lambda t: t.replace("- [ ] 36 heures", "- [ ] 12 heures"), 25, "proposition en double"),
        (
            lambda t: t.replace("competencies: [C1]", "competencies: [C9]"),
            4,
            "compétence inconnue « C9 »",
        ),
        (lambda t: t.replace("lang: fr", "lang: fr\ncolour: red"), 10, "clé inconnue « colour »"),
        (lambda t: t.replace("id: c1-cadre\n", ""), 1, "clé obligatoire manquante : « id »"),
        (
            lambda t: t.replace("id: c1-cadre", "id: C1 Cadre"),
            2,
            "identifiant « C1 Cadre » invalide",
        ),
        (
            lambda t: t.replace(
                "<!-- question: phases type=multiple -->",
                "<!-- question: duree-max type=multiple -->",
            ),
            31,
            "en double",
        ),
        (
            lambda t: t.replace(
                "L'article L.6313-4 fixe 24 heures.\n<!-- /question -->",
                "L'article L.6313-4 fixe 24 heures.",
            ),
            18,
            "non fermée",
        ),
        (
            lambda t: t.replace("Quelle est la durée maximale d'un bilan ?", ""),
            18,
            "énoncé manquant",
        ),
        (
            lambda t: t.replace(
                "## Durée", "## Durée\n\n![schéma](absent.png) et [suite](../c2/index.md)"
            ),
            16,
            "fichier introuvable",
        ),
        (lambda t: t.replace("title: Le cadre légal", "title: [oops"), 3, "en-tête YAML invalide"),
        (
            lambda t: t.replace(
                "<!-- question: phases type=multiple -->", "<!-- question: phases kind=multiple -->"
            ),
            31,
            "attribut inconnu",
        ),
    ],
)
def test_module_errors_have_file_and_line(tmp_path, change, line, message):
    write(tmp_path, "modules/c1/index.md", change(MODULE))
    found = errors_for(tmp_path)
    assert any(name == "index.md" and ln == line and message in msg for name, ln, msg in found), (
        found
    )


def test_all_errors_are_reported_at_once_and_cli_exits_non_zero(tmp_path, capsys):
    broken = MODULE.replace("- [x] 24 heures", "- [ ] 24 heures").replace(
        "competencies: [C1]", "competencies: [C8]"
    )
    write(tmp_path, "modules/c1/index.md", broken)
    write(tmp_path, "modules/c2/index.md", MODULE)  # duplicate module id
    assert len(errors_for(tmp_path)) >= 3
    assert main(["check", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "index.md:18: question « duree-max » : aucune proposition correcte" in out
    assert "erreur(s) à corriger" in out


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


def line_of(text: str, snippet: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), start=1) if snippet in line)


def test_case_study_scores_and_best_path():
    case, errors = parse_case_study_text(CASE, "cas.md")
    assert errors == []
    assert case.best_path == ("accueil", "analyse", "fin-bonne")
    assert case.max_points == {"C2": 3, "C4": 1} and case.best_total == 4
    assert case.step("accueil").choices[0].feedback == "Bonne pratique."


@pytest.mark.parametrize(
    ("change", "where", "message"),
    [
        (
            lambda t: t.replace("(#fin-bonne)", "(#fin-inconnue)"),
            "#fin-inconnue",
            "« #fin-inconnue » n'existe pas",
        ),
        (
            lambda t: t + "\n## Orpheline {#orpheline}\n\n### Débriefing\n\nx\n",
            "{#orpheline}",
            "inatteignable",
        ),
        (
            lambda t: t.replace("### Débriefing\n\nRelire le module C2.", "Rien."),
            "{#fin-mauvaise}",
            "ni choix ni",
        ),
        (lambda t: t.replace("{C2 +1}", "{C9 +1}"), "C9 +1", "compétence inconnue « C9 »"),
        (lambda t: t.replace("{C2 +1}", "{C5 +1}"), "C5 +1", "absente de l'en-tête"),
        (
            lambda t: t.replace("(#analyse)\n  > Retour.", "(#analyse) {C4 +1}\n  > Retour."),
            "Je reviens",
            "points positifs dans une boucle",
        ),
        (
            lambda t: t.replace("(#fin-bonne) {C2 +1}", "(#precision) {C2 -1}"),
            "{#analyse}",
            "boucle sans issue",
        ),
        (lambda t: t.replace("{C2 +2, C4 +1}", "{C2 deux}"), "C2 deux", "illisibles"),
    ],
)
def test_case_study_errors_have_lines(change, where, message):
    text = change(CASE)
    case, errors = parse_case_study_text(text, "cas.md")
    assert case is None
    line = line_of(text, where)
    assert any(e.line == line and message in e.message for e in errors), [str(e) for e in errors]


def test_sanitiser_removes_scripts_handlers_javascript_and_iframes():
    html = render_markdown(
        "<script>alert(1)</script>\n\n[x](javascript:alert(1)) <img src=x onerror=alert(1)> "
        "<iframe src=https://evil.example></iframe> ![d](data:image/png;base64,AAA) **ok**"
    )
    assert "<script" not in html and "onerror" not in html and "javascript:" not in html
    assert "<iframe" not in html and "data:" not in html and "<strong>ok</strong>" in html
    assert (
        sanitize('<a href="https://legifrance.gouv.fr" onclick="x()">L</a>')
        == '<a href="https://legifrance.gouv.fr" rel="noopener noreferrer">L</a>'
    )

"""The trainers' check command: every error as file:line: message, a summary, the exit code."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from course.cli import main

ROOT = Path(__file__).resolve().parents[2]
TREES = ROOT / "tests" / "fixtures" / "course" / "trees"


def test_clean_course_prints_a_summary_and_exits_zero(capsys):
    assert main(["check", str(TREES / "valid")]) == 0
    assert capsys.readouterr().out == (
        "cas-test : meilleur parcours 5 points (par compétence, meilleur parcours/maximum : "
        "C2 3/3, C4 1/1, C7 1/1)\n"
        "questions des modules : la bonne réponse est la plus longue proposition dans 0 sur 4 "
        "(0 %) ; attendu au hasard : 2,0 (50 %).\n"
        "questions d'examen : la bonne réponse est la plus longue proposition dans 0 sur 5 "
        "(0 %) ; attendu au hasard : 1,6 (32 %).\n"
        "2 modules, 1 étude de cas, 5 questions d'examen, 1 élément du cahier des charges : "
        "aucune erreur.\n"
    )


def test_every_error_is_listed_with_file_and_line_then_the_count(capsys, monkeypatch):
    monkeypatch.chdir(TREES / "many-errors")
    assert main(["check", str(TREES / "many-errors")]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        "case_studies/cas-test.md:23: choix « Je vérifie son engagement » : l'étape cible "
        "« #fin-inconnue » n'existe pas",
        "case_studies/cas-test.md:33: étape « fin-reussie » inatteignable depuis le début",
        "modules/c1-cadre/index.md:4: compétence inconnue « C8 » (attendu : C1 à C7)",
        "modules/c1-cadre/index.md:19: question « duree-max » : aucune proposition correcte ([x])",
        "questionnaire/blueprint.yaml:6: pass_mark est une part des points entre 0 et 1 (ex. 0.6)",
        "1 module, 0 étude de cas, 5 questions d'examen, 1 élément du cahier des charges : "
        "5 erreurs à corriger.",
    ]


def test_python_dash_m_course_check_needs_no_database_and_fails_on_errors():
    done = subprocess.run(
        [sys.executable, "-m", "course", "check", str(TREES / "missing-blueprint")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert "blueprint.yaml:1: plan de l'épreuve (blueprint.yaml) manquant" in done.stdout
    assert done.stdout.rstrip().endswith(": 1 erreur à corriger.")


def test_a_missing_folder_is_reported(capsys, tmp_path):
    assert main(["check", str(tmp_path / "absent")]) == 1
    assert "absent:1: dossier du cours introuvable" in capsys.readouterr().out


def test_review_lists_what_a_trainer_must_confirm(capsys, tmp_path):
    import shutil

    shutil.copytree(TREES / "valid", tmp_path / "c")
    index = tmp_path / "c" / "modules" / "c1-cadre" / "index.md"
    index.write_text(
        index.read_text(encoding="utf-8").replace(
            "lang: fr\n",
            "lang: fr\nreview: true\nreview_notes: Durée de conservation (R.6313-7).\n",
        ),
        encoding="utf-8",
    )
    assert main(["review", str(tmp_path / "c")]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"{index}:10: Durée de conservation (R.6313-7).",
        "1 contenu à faire vérifier par un formateur (review: true).",
    ]

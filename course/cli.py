"""``python -m course check [RACINE]``: list every content error, exit 1 if any."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from course.case_studies import CaseStudy
from course.errors import ContentError, plural
from course.itemcheck import bank_warnings, length_share, length_warnings, share_line
from course.loader import Course, LoadResult, load_course
from course.reviews import review_flags

DEFAULT_ROOT = Path(__file__).resolve().parent


def _shown(path: str) -> str:
    """The path relative to the current folder when it lies inside it (shorter, clickable)."""
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return path
    return path if relative.startswith("..") else relative


def format_error(error: ContentError) -> str:
    """``fichier:ligne: message`` with the shortest readable path."""
    return f"{_shown(error.path)}:{error.line}: {error.message}"


def counts(result: LoadResult) -> str:
    """What was loaded, in words: modules, case studies, exam items, dossier items."""
    course = result.course
    items = len(course.bank.all_items) if course.bank else 0
    dossier = len(course.dossier.items) if course.dossier else 0
    return ", ".join(
        [
            plural(len(course.modules), "module", "modules"),
            plural(len(course.case_studies), "étude de cas", "études de cas"),
            plural(items, "question d'examen", "questions d'examen"),
            plural(dossier, "élément du cahier des charges", "éléments du cahier des charges"),
        ]
    )


def summary(root: Path) -> tuple[int, str]:
    """Check the course; return the exit code and the text to print."""
    result = load_course(root)
    lines = [format_error(error) for error in result.errors]
    warned = [format_error(warning) for warning in course_warnings(result.course)]
    shares = length_lines(result.course)
    warned += [line for line in shares if line.startswith("attention")]
    also = f" ; {plural(len(warned), 'avertissement', 'avertissements')}" if warned else ""
    if result.errors:
        found = plural(len(result.errors), "erreur", "erreurs")
        lines += warned
        lines.append(f"{counts(result)} : {found} à corriger{also}.")
        return 1, "\n".join(lines)
    lines = [maxima_report(case) for case in result.course.case_studies]
    shown = [*warned, *(line for line in shares if not line.startswith("attention"))]
    return 0, "\n".join([*lines, *shown, f"{counts(result)} : aucune erreur{also}."])


def course_warnings(course: Course) -> list[ContentError]:
    """What a test-wise candidate could exploit in the modules and the exam bank (check succeeds)."""
    checks = [q for module in course.modules for q in module.questions]
    if course.bank is None:
        return length_warnings(checks)
    plan = [ContentError(w.path, w.line, f"attention : {w.message}") for w in course.bank.warnings]
    items = course.bank.all_items
    return [
        *length_warnings(checks),
        *bank_warnings(items, checks),
        *length_warnings(items),
        *plan,
    ]


def length_lines(course: Course) -> list[str]:
    """How often the key is the longest proposition, in the modules and in the exam bank."""
    lines = []
    checks = [q for module in course.modules for q in module.questions]
    if checks:
        lines.append(share_line("questions des modules", length_share(checks)))
    if course.exam_items:
        lines.append(share_line("questions d'examen", length_share(course.exam_items)))
    return lines


def maxima_report(case: CaseStudy) -> str:
    """One line per case study: points per competency on the best path, and each maximum."""
    parts = ", ".join(
        f"{c} {case.best_path_points.get(c, 0)}/{case.max_points.get(c, 0)}"
        for c in case.competencies
    )
    cap = f" ; erreur critique plafonnée à {case.critical_cap} %" if case.critical_choices else ""
    return (
        f"{case.id} : meilleur parcours {case.best_total} points "
        f"(par compétence, meilleur parcours/maximum : {parts}){cap}"
    )


def flagged(root: Path) -> list[ContentError]:
    """Every file and exam item marked ``review: true``, at the line of the flag, with its note."""
    found: list[ContentError] = []
    for flag in review_flags(root):
        text = f"[{flag.date}] {flag.notes}" if flag.date else flag.notes
        found.append(ContentError(str(Path(root) / flag.path), flag.line, text))
    return found


def review_report(root: Path) -> str:
    """The text of ``python -m course review``: what a trainer must still confirm."""
    found = flagged(root)
    lines = [format_error(item) for item in found]
    lines.append(
        f"{plural(len(found), 'contenu', 'contenus')} à faire vérifier par un formateur "
        "(review: true)."
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the trainers' check command (``course-check``, ``python -m course``)."""
    parser = argparse.ArgumentParser(
        prog="python -m course",
        description="Vérifie le contenu du cours et liste toutes les erreurs (fichier:ligne).",
    )
    parser.add_argument(
        "command",
        nargs="?",
        default="check",
        choices=["check", "review"],
        help="check : lister les erreurs ; review : lister les points à faire vérifier",
    )
    parser.add_argument(
        "root", nargs="?", default=str(DEFAULT_ROOT), help="dossier du cours (défaut : course/)"
    )
    args = parser.parse_args(argv)
    if args.command == "review":
        print(review_report(Path(args.root)))
        return 0
    code, text = summary(Path(args.root))
    print(text)
    return code


if __name__ == "__main__":
    sys.exit(main())

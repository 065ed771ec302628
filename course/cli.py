"""``python -m course check [RACINE]``: list every content error, exit 1 if any."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from course.loader import load_course

DEFAULT_ROOT = Path(__file__).resolve().parent


def summary(root: Path) -> tuple[int, str]:
    """Check the course; return the exit code and the text to print."""
    result = load_course(root)
    course = result.course
    lines = [str(error) for error in result.errors]
    bank = course.bank
    items = (len(bank.items) + sum(len(c.items) for c in bank.cases)) if bank else 0
    counts = (
        f"{len(course.modules)} module(s), {len(course.case_studies)} étude(s) de cas, "
        f"{items} question(s) d'examen, "
        f"{len(course.dossier.items) if course.dossier else 0} élément(s) du cahier des charges"
    )
    if result.errors:
        lines.append(f"{counts} : {len(result.errors)} erreur(s) à corriger.")
        return 1, "\n".join(lines)
    return 0, f"{counts} : aucune erreur."


def main(argv: list[str] | None = None) -> int:
    """Entry point of the trainers' check command."""
    parser = argparse.ArgumentParser(prog="course", description="Vérifie le contenu du cours.")
    parser.add_argument("command", choices=["check"], help="check : vérifier le contenu")
    parser.add_argument("root", nargs="?", default=str(DEFAULT_ROOT), help="dossier du cours")
    args = parser.parse_args(argv)
    code, text = summary(Path(args.root))
    print(text)
    return code


if __name__ == "__main__":
    sys.exit(main())

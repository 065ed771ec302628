"""Modified Angoff ratings of the exam items (``course/questionnaire/angoff.yaml``).

For each item, each judge estimates the probability that a *minimally competent* candidate
answers it right. The cut score of a paper is derived from the ratings of its items (see
``grading.standard``). The ratings live in their own file so that item files are not touched
when a panel rates them. Never raises: every problem is a ``ContentError`` (file:line).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from course.errors import ContentError, ErrorList, plural, read_text
from course.frontmatter import Meta, Split, load_yaml

ANGOFF_KEYS = {"status", "date", "method", "note", "judges", "ratings"}
STATUSES = ("provisoire", "validé")


@dataclass(frozen=True)
class Judge:
    """A rater: an identifier (no personal data) and a role."""

    id: str
    role: str = ""


@dataclass(frozen=True)
class AngoffRatings:
    """The ratings of a panel session: one probability per judge and item (None: not rated)."""

    status: str
    date: str
    judges: tuple[Judge, ...]
    ratings: dict[str, tuple[float | None, ...]] = field(hash=False)
    note: str = ""
    method: str = ""
    path: str = ""

    @property
    def provisional(self) -> bool:
        """True until a panel session replaces the authoring team's estimates."""
        return self.status != "validé"


def parse_angoff_text(
    text: str, path: Path | str
) -> tuple[AngoffRatings | None, list[ContentError]]:
    """Parse ``angoff.yaml``; the ratings are returned only when the file has no error."""
    errors = ErrorList(path)
    data, lines = load_yaml(text, 1, errors, "YAML")
    if errors:
        return None, list(errors)
    if not isinstance(data, dict):
        errors.add(1, "angoff.yaml doit être une liste de lignes « clé: valeur »")
        return None, list(errors)
    meta = Meta(Split(data, "", 1, lines), errors)
    meta.check_keys(ANGOFF_KEYS, {"status", "date", "judges", "ratings"})
    status = meta.text("status", "provisoire")
    if status not in STATUSES:
        errors.add(
            meta.line("status"),
            f"status « {status} » inconnu : « provisoire » (estimations de l'équipe de "
            "rédaction) ou « validé » (séance d'un jury)",
        )
    date = data.get("date")
    if isinstance(date, dt.date):
        date = date.isoformat()
    if "date" in data and not _is_date(date):
        errors.add(meta.line("date"), f"date « {date} » invalide (AAAA-MM-JJ)")
    judges = _judges(data.get("judges"), meta, errors)
    ratings = _ratings(data.get("ratings"), len(judges), lines, meta, errors)
    if errors:
        return None, list(errors)
    return (
        AngoffRatings(
            status=status,
            date=str(date or ""),
            judges=judges,
            ratings=ratings,
            note=meta.text("note"),
            method=meta.text("method"),
            path=str(path),
        ),
        [],
    )


def _is_date(value: object) -> bool:
    try:
        dt.date.fromisoformat(str(value))
    except ValueError:
        return False
    return True


def _judges(value: object, meta: Meta, errors: ErrorList) -> tuple[Judge, ...]:
    where = meta.line("judges")
    if not isinstance(value, list) or not value:
        errors.add(
            where, "judges : la liste des juges (- id: J1, role: « formatrice »), un au moins"
        )
        return ()
    judges: list[Judge] = []
    for entry in value:
        if isinstance(entry, str) and entry.strip():
            judges.append(Judge(entry.strip()))
        elif isinstance(entry, dict) and str(entry.get("id") or "").strip():
            judges.append(Judge(str(entry["id"]).strip(), str(entry.get("role") or "").strip()))
        else:
            errors.add(where, f"juge « {entry} » : un identifiant est attendu (id: J1)")
    ids = [j.id for j in judges]
    for ident in sorted({i for i in ids if ids.count(i) > 1}):
        errors.add(where, f"juge « {ident} » répété")
    return tuple(judges)


def _ratings(
    value: object, judges: int, lines: dict[str, int], meta: Meta, errors: ErrorList
) -> dict[str, tuple[float | None, ...]]:
    where = meta.line("ratings")
    if not isinstance(value, dict):
        errors.add(
            where, "ratings associe chaque item à la note de chaque juge : {c1-x: [0.7, 0.6]}"
        )
        return {}
    result: dict[str, tuple[float | None, ...]] = {}
    for item_id, raw in value.items():
        line = lines.get(f"ratings.{item_id}", where)
        values = raw if isinstance(raw, list) else [raw]
        if judges and len(values) != judges:
            errors.add(
                line,
                f"item « {item_id} » : {plural(len(values), 'note', 'notes')} pour "
                f"{plural(judges, 'juge', 'juges')} (une par juge, null si un juge n'a pas noté)",
            )
            continue
        parsed: list[float | None] = []
        for rating in values:
            if rating is None:
                parsed.append(None)
            elif (
                isinstance(rating, (int, float))
                and not isinstance(rating, bool)
                and 0 <= rating <= 1
            ):
                parsed.append(float(rating))
            else:
                errors.add(
                    line,
                    f"item « {item_id} » : note « {rating} » invalide (une probabilité entre 0 "
                    "et 1, ex. 0.65)",
                )
        if all(r is None for r in parsed):
            errors.add(line, f"item « {item_id} » : aucune note (retirez la ligne)")
        result[str(item_id)] = tuple(parsed)
    return result


def parse_angoff(path: Path) -> tuple[AngoffRatings | None, list[ContentError]]:
    """Parse ``angoff.yaml``."""
    errors = ErrorList(path)
    text = read_text(path, errors)
    if text is None:
        return None, list(errors)
    return parse_angoff_text(text, path)


def angoff_warnings(ratings: AngoffRatings, item_ids: list[str]) -> list[ContentError]:
    """Ratings of unknown items (renamed or removed?) and items without ratings."""
    warnings = ErrorList(ratings.path)
    known = set(item_ids)
    for item_id in sorted(set(ratings.ratings) - known):
        warnings.add(
            1, f"note d'Angoff pour « {item_id} », absent de la banque (item renommé ou retiré ?)"
        )
    missing = [i for i in item_ids if i not in ratings.ratings]
    if missing:
        shown = ", ".join(missing[:5]) + (" …" if len(missing) > 5 else "")
        warnings.add(
            1,
            f"{plural(len(missing), 'item', 'items')} sans note d'Angoff ({shown}) : chacun "
            "compte pour pass_mark dans le seuil de la copie",
        )
    if ratings.provisional:
        warnings.add(
            1,
            "notes d'Angoff provisoires (status: provisoire) : le seuil qui en découle doit être "
            "confirmé par une séance de jury (course/AUTHORING.md)",
        )
    return list(warnings)


#: The authoring team's provisional estimate from an item's difficulty tag (not a panel's rating).
PROVISIONAL_BY_DIFFICULTY = {1: 0.80, 2: 0.65, 3: 0.50}


def provisional_lines(root: Path) -> list[str]:
    """``angoff.yaml`` lines for the items of the bank at ``root`` that have no rating yet,
    estimated from their difficulty tag (only for a file whose status is ``provisoire``)."""
    from course.questionnaire import load_bank

    bank, _ = load_bank(root)
    if bank is None:
        return []
    rated = bank.angoff.ratings if bank.angoff else {}
    judges = len(bank.angoff.judges) if bank.angoff else 1
    lines = []
    for question in bank.all_items:
        if question.id not in rated and question.difficulty in PROVISIONAL_BY_DIFFICULTY:
            value = PROVISIONAL_BY_DIFFICULTY[question.difficulty]
            lines.append(f"  {question.id}: [{', '.join([f'{value:.2f}'] * judges)}]")
    return lines


def main() -> int:
    """``python -m course.angoff [course/questionnaire]``: print provisional lines to paste."""
    import sys

    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent / "questionnaire"
    print("\n".join(provisional_lines(root)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


__all__ = [
    "AngoffRatings",
    "Judge",
    "angoff_warnings",
    "parse_angoff",
    "parse_angoff_text",
    "provisional_lines",
]

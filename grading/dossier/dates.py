"""French dates in free text: « 15/03/2027 », « 15 mars 2027 », « mars 2027 », « semaine 12 »…"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from grading.dossier.text import Spans, fold

MONTHS = {
    "janvier": 1, "janv": 1, "fevrier": 2, "fevr": 2, "fev": 2, "mars": 3, "avril": 4, "avr": 4,
    "mai": 5, "juin": 6, "juillet": 7, "juil": 7, "aout": 8, "septembre": 9, "sept": 9,
    "octobre": 10, "oct": 10, "novembre": 11, "nov": 11, "decembre": 12, "dec": 12,
}  # fmt: skip
_MONTH = r"(janvier|janv\.?|fevrier|fevr\.?|fev\.?|mars|avril|avr\.?|mai|juin|juillet|juil\.?|aout|septembre|sept\.?|octobre|oct\.?|novembre|nov\.?|decembre|dec\.?)"
_NUMERIC = re.compile(r"(?<![\d/.-])(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})(?![\d/])")
_ISO = re.compile(r"(?<![\d-])(\d{4})-(\d{2})-(\d{2})(?![\d-])")
_LONG = re.compile(rf"\b(1er|\d{{1,2}})\s+{_MONTH}\s+(\d{{4}})\b")
_MONTH_YEAR = re.compile(rf"\b(?:(debut|mi|fin)[\s-]+)?{_MONTH}\s+(\d{{4}})\b")
_WEEK = re.compile(r"\b(?:semaine|sem\.)\s*(?:n°\s*|no\s*)?(\d{1,2})\b")
_WEEK_S = re.compile(r"\bS(\d{1,2})\b")  # « S12 »: needs its capital, searched in the original text
_RELATIVE = re.compile(
    r"\b(?:d'ici|dans|sous|avant|apres|a)\s+(?:un|une|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|douze|\d{1,2})\s+(jours?|semaines?|mois|ans?)\b"
    rf"|\b(?:d'ici|avant|en|fin|debut|courant|mi|des)[\s-]+{_MONTH}\b"
    r"|\b(?:premier|second|1er|2e|2nd|3e|4e|dernier)\s+(?:trimestre|semestre)\b|\bT[1-4]\s+\d{4}\b"
)


@dataclass(frozen=True)
class DateMention:
    """A date-like expression: its text, offsets and, when exact enough, its value."""

    text: str
    start: int
    end: int
    value: date | None
    precise: bool  # a day or a month of a given year (not « semaine 12 » nor « dans 3 mois »)


def find_dates(text: str) -> list[DateMention]:
    """Every date-like expression, non-overlapping, in reading order."""
    folded = fold(text)
    found: list[DateMention] = []
    taken = Spans()

    def add(start: int, end: int, value: date | None, precise: bool) -> None:
        if taken.claim(start, end):
            found.append(DateMention(text[start:end], start, end, value, precise))

    for match in _NUMERIC.finditer(folded):
        day, month, year = int(match.group(1)), int(match.group(2)), int(match.group(3))
        value = _safe_date(year + 2000 if year < 100 else year, month, day)
        if value is not None:
            add(match.start(), match.end(), value, True)
    for match in _ISO.finditer(folded):
        value = _safe_date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        if value is not None:
            add(match.start(), match.end(), value, True)
    for match in _LONG.finditer(folded):
        day = 1 if match.group(1) == "1er" else int(match.group(1))
        value = _safe_date(int(match.group(3)), MONTHS[match.group(2).rstrip(".")], day)
        if value is not None:
            add(match.start(), match.end(), value, True)
    for match in _MONTH_YEAR.finditer(folded):
        day = {"debut": 1, "mi": 15, "fin": 28}.get(match.group(1) or "", 15)
        value = _safe_date(int(match.group(3)), MONTHS[match.group(2).rstrip(".")], day)
        if value is not None:
            add(match.start(), match.end(), value, True)
    for pattern, source in ((_WEEK, folded), (_WEEK_S, text)):
        for match in pattern.finditer(source):
            if 1 <= int(match.group(1)) <= 53:
                add(match.start(), match.end(), None, False)
    for match in _RELATIVE.finditer(folded):
        add(match.start(), match.end(), None, False)
    return sorted(found, key=lambda m: m.start)


def _safe_date(year: int, month: int, day: int) -> date | None:
    if not 1900 <= year <= 2100:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def months_between(first: date, later: date) -> float:
    """Approximate number of months from one date to a later one."""
    return (later - first).days / 30.44

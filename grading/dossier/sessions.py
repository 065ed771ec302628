"""The table of sessions: durations in every usual notation, rows located, total computed."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from grading.dossier.dates import DateMention, find_dates
from grading.dossier.document import HEADING, ROW, Block
from grading.dossier.text import fold, word_count

_RANGE = re.compile(
    r"(?<![\d,.])(\d{1,2})\s*h(?:eures?)?\s*(\d{2})?\s*(?:-|a|/)\s*(\d{1,2})\s*h(?:eures?)?\s*(\d{2})?(?!\d)"
    # « entre 14 h et 16 h », « 14:00 - 16:00 », « de 9:30 à 11:30 »
    r"|\bentre\s+(\d{1,2})\s*h(?:eures?)?\s*(\d{2})?\s+et\s+(\d{1,2})\s*h(?:eures?)?\s*(\d{2})?(?!\d)"
    r"|(?<![\d:])(\d{1,2}):(\d{2})\s*(?:-|a|/)\s*(\d{1,2}):(\d{2})(?![\d:])"
)
_H_MIN = re.compile(
    r"(?<![\d,.])(\d{1,2})\s*h(?:eures?|rs?)?\s*(\d{1,2})\s*(?:min(?:utes?)?\.?)?(?![\d])"
)
_H_DEC = re.compile(r"(?<![\d,.])(\d{1,2}(?:[.,]\d{1,2})?)\s*h(?:eures?|rs?)?(?![a-z\d])")
_MIN = re.compile(r"(?<![\d,.])(\d{1,3})\s*(?:min(?:utes?|s)?|mn)\.?(?![a-z])")
_PRIME = re.compile(r"(?<![\d,.])(\d{2,3})\s*['’′](?![a-z])")
_CLOCK = re.compile(r"(?<![\d:])(\d{1,2}):(\d{2})(?![\d:])")
_DURATION_HEADER = re.compile(r"\bduree|\bnombre d'heures|\bheures?\b|\btemps\b|\bhoraires?\b")
_DATE_HEADER = re.compile(r"\bdate|\bjour\b|\bseance|\bentretien|\brendez")
_PHASE_HEADER = re.compile(r"\bphase|\betape")
MAX_SESSION_HOURS = 8.0


_WORDS = {"un": "1", "une": "1", "deux": "2", "trois": "3", "quatre": "4", "cinq": "5", "six": "6"}
_WORD_HOURS = re.compile(r"\b(une?|deux|trois|quatre|cinq|six)(?=\s+h)")
_HALF = re.compile(r"(\d)\s*h(?:eures?)?\s+et\s+demie?\b")
_QUARTER = re.compile(r"(\d)\s*h(?:eures?)?\s+et\s+quart\b")
_MINUTE_WORDS = {
    "dix": 10, "quinze": 15, "vingt": 20, "trente": 30, "quarante": 40,
    "quarante-cinq": 45, "quarante cinq": 45, "cinquante": 50,
}  # fmt: skip
_WORD_MINUTES = re.compile(
    r"(\d)\s*h(?:eures?)?\s+(quarante[- ]cinq|dix|quinze|vingt|trente|quarante|cinquante)\b"
)
#: Minutes written in words (« quatre-vingt-dix minutes », « cent vingt minutes »).
_MINUTES_IN_WORDS = {
    "quarante-cinq": 45, "quarante cinq": 45, "soixante": 60, "soixante-quinze": 75,
    "soixante quinze": 75, "quatre-vingt-dix": 90, "quatre vingt dix": 90,
    "quatre-vingts": 80, "cent": 100, "cent vingt": 120, "cent-vingt": 120, "trente": 30,
    "quarante": 40, "cinquante": 50, "vingt": 20,
}  # fmt: skip
_WORD_MINUTES_ALONE = re.compile(
    r"\b("
    + "|".join(sorted((re.escape(w) for w in _MINUTES_IN_WORDS), key=len, reverse=True))
    + r")\s+(?=min)"
)
_FRACTIONS = (
    (re.compile(r"\btrois quarts? d'heure\b"), "45 min"),
    (re.compile(r"\b(?:un )?quart d'heure\b"), "15 min"),
    (re.compile(r"\b(?:une )?demi[- ]heure\b"), "30 min"),
)


def parse_duration(text: str, max_hours: float = MAX_SESSION_HOURS) -> float | None:
    """Hours in « 2 h », « 1h30 », « 1,5 h », « 90 min », « 2:00 », « 14h-16h », « deux heures
    trente », « une heure et quart », « trois quarts d'heure »; None if absent."""
    folded = _WORD_MINUTES_ALONE.sub(lambda m: f"{_MINUTES_IN_WORDS[m.group(1)]} ", fold(text))
    folded = _WORD_HOURS.sub(lambda m: _WORDS[m.group(1)], folded)
    folded = _HALF.sub(lambda m: f"{m.group(1)}h30", folded)
    folded = _QUARTER.sub(lambda m: f"{m.group(1)}h15", folded)
    folded = _WORD_MINUTES.sub(
        lambda m: f"{m.group(1)}h{_MINUTE_WORDS[m.group(2).replace('-', ' ')]:02d}", folded
    )
    for pattern, minutes in _FRACTIONS:
        folded = pattern.sub(minutes, folded)
    for match in _RANGE.finditer(folded):
        groups = [g for g in match.groups()]
        first = next(n for n in (0, 4, 8) if groups[n] is not None)
        start_h, start_m, end_h, end_m = groups[first : first + 4]
        start = int(start_h) + int(start_m or 0) / 60
        end = int(end_h) + int(end_m or 0) / 60
        if 0 < end - start <= max_hours:
            return end - start
    candidates: list[float] = []
    candidates += [
        int(m.group(1)) + int(m.group(2)) / 60
        for m in _H_MIN.finditer(folded)
        if int(m.group(2)) < 60
    ]
    candidates += [float(m.group(1).replace(",", ".")) for m in _H_DEC.finditer(folded)]
    candidates += [int(m.group(1)) / 60 for m in _MIN.finditer(folded)]
    candidates += [int(m.group(1)) / 60 for m in _PRIME.finditer(folded)]
    candidates += [
        int(m.group(1)) + int(m.group(2)) / 60
        for m in _CLOCK.finditer(folded)
        if int(m.group(2)) < 60
    ]
    for value in candidates:
        if 0 < value <= max_hours:
            return value
    return None


@dataclass(frozen=True)
class SessionRow:
    """One session as found in the table."""

    location: str
    hours: float
    date: str | None  # ISO date when readable
    phase: str
    text: str


@dataclass(frozen=True)
class Sessions:
    """The sessions found, their total and what could not be read."""

    rows: tuple[SessionRow, ...]
    declared_total: float | None
    unreadable: tuple[tuple[str, str], ...]  # (location, cell text)
    table_location: str
    #: Read from sentences (counted, told one by one, a diary), not from a table or dated lines:
    #: the total is an inference.
    told: bool = False

    @property
    def total(self) -> float:
        """Sum of the durations, rounded to the hundredth."""
        return round(sum(row.hours for row in self.rows), 2)


def find_sessions(blocks: Sequence[Block]) -> Sessions | None:
    """The session table(s): tables with a duration column, else rows with a date and a duration."""
    tables: dict[int, list[Block]] = {}
    for block in blocks:
        if block.kind == ROW and block.table is not None:
            tables.setdefault(block.table, []).append(block)
    rows: list[SessionRow] = []
    unreadable: list[tuple[str, str]] = []
    declared: float | None = None
    first_location = ""
    told = False
    seen: set[tuple[tuple[str | None, float], ...]] = set()
    dates_counted: set[str] = set()
    for table_rows in tables.values():
        found = _from_table(table_rows)
        if found is None:
            continue
        table_found, bad, total = found
        signature = tuple((row.date, row.hours) for row in table_found)
        if signature in seen:
            continue  # the same table repeated in another section: its sessions counted once
        seen.add(signature)
        # A session of a date another table already counted is the same session (a table per
        # phase, then the whole attendance sheet in the annexes).
        table_found = [row for row in table_found if row.date not in dates_counted]
        dates_counted.update(row.date for row in table_found if row.date)
        if table_found and not first_location:
            first_location = table_rows[0].where
        rows += table_found
        unreadable += bad
        declared = total if total is not None else declared
    if not rows:
        rows, in_lines, declared = _from_lines(_with_years(blocks))
        # Diary entries, some short enough to pass for lines and some under a dated heading:
        # the entries when they hold every line read and more.
        entries = _from_entries(blocks)
        if len(entries) > len(rows) and {r.date for r in rows} <= {r.date for r in entries}:
            rows, in_lines, told = entries, [], True
        unreadable += in_lines
        first_location = rows[0].location if rows else ""
    if not rows:
        dated = _from_prose(blocks)
        if len(entries := _from_entries(blocks)) > len(dated):
            dated = entries
        counted = _from_counts(blocks)
        rows = counted if len(counted) > len(dated) else dated
        if len(numbered := _from_numbered(blocks)) > len(rows):
            rows = numbered
        first_location = rows[0].location if rows else ""
        told = True
    if not rows:
        return None
    rows = [expanded for row in rows for expanded in _ranged(row)]
    return Sessions(tuple(rows), declared, tuple(unreadable), first_location, told)


_SESSION_NOUNS = re.compile(r"\b(?:seances?|entretiens?|rendez-vous|rencontres?|sessions?|rdv)\b")


def session_mention(blocks: Sequence[Block]) -> Block | None:
    """A block that speaks of sessions with a duration, when no session could be read: the
    sessions are there in a form the reading does not know."""
    return next(
        (
            b
            for b in blocks
            if b.kind != HEADING
            and _SESSION_NOUNS.search(fold(b.text))
            and parse_duration(b.text) is not None
        ),
        None,
    )


_DAY_MONTH = re.compile(
    r"^(\W*(?:(?:lundi|mardi|mercredi|jeudi|vendredi|samedi)\s+)?\d{1,2}(?:er)?\s+"
    r"(?:janvier|fevrier|mars|avril|mai|juin|juillet|aout|septembre|octobre|novembre|decembre))"
    r"(?!\s+\d)"
)


def _with_years(blocks: Sequence[Block]) -> list[Block]:
    """Lines that start with a day and a month but no year (« 15 octobre, 120 minutes ») get the
    year of the last full date above them, so a list of sessions is read as one."""
    out: list[Block] = []
    year: int | None = None
    for block in blocks:
        found = [d.value.year for d in find_dates(block.text) if d.value and d.precise]
        if found:
            year = found[-1]
            out.append(block)
            continue
        match = _DAY_MONTH.match(fold(block.text))
        if match and year is not None and len(fold(block.text)) == len(block.text):
            end = match.end()
            block = replace(block, text=f"{block.text[:end]} {year}{block.text[end:]}")
        out.append(block)
    return out


def _ranged(row: SessionRow) -> list[SessionRow]:
    """A row « Séances 2 à 4 : …, 2 heures chacune » is three sessions."""
    match = _COUNTS[0].search(fold(row.text))
    if match is None or not re.search(r"\bchacune?\b|\bpar seance\b", fold(row.text)):
        return [row]
    first, last = int(match.group(1)), int(match.group(2))
    if not 0 < first < last <= 30:
        return [row]
    return [row] + [replace(row, date=None) for _ in range(last - first)]


def _from_table(
    table: list[Block],
) -> tuple[list[SessionRow], list[tuple[str, str]], float | None] | None:
    header_index, duration_col, phase_col = _header(table)
    rows: list[SessionRow] = []
    bad: list[tuple[str, str]] = []
    declared: float | None = None
    if duration_col is None:
        for block in table:
            dates = [d for cell in block.cells for d in find_dates(cell) if d.value]
            durations = [parse_duration(c) for c in block.cells if len(c) <= 25]
            value = next((d for d in durations if d is not None), None)
            if dates and value is not None:
                rows.append(
                    _row(block, value, dates[0].value.isoformat() if dates[0].value else None, "")
                )
        return (rows, bad, None) if len(rows) >= 2 else None
    unit = _bare_number_unit(table[header_index].cells[duration_col])
    for block in table[header_index + 1 :]:
        cells = block.cells
        first = fold(next((c for c in cells if c), ""))
        cell = cells[duration_col] if duration_col < len(cells) else ""
        if first.startswith("total"):
            declared = _cell_hours(cell, unit, 1000) or parse_duration(block.text, 1000)
            continue
        if not cell.strip():
            continue
        value = _cell_hours(cell, unit, MAX_SESSION_HOURS)
        if value is None:
            bad.append((block.where, cell))
            continue
        dates = [d for c in cells for d in find_dates(c) if d.value]
        phase = cells[phase_col] if phase_col is not None and phase_col < len(cells) else ""
        rows.append(
            _row(
                block,
                value,
                dates[0].value.isoformat() if dates and dates[0].value else None,
                phase,
            )
        )
    return rows, bad, declared


_BARE_NUMBER = re.compile(r"^\s*(\d{1,3}(?:[.,]\d{1,2})?)\s*$")


def _bare_number_unit(header: str) -> float:
    """Hours per unit of a bare number in the duration column: « Durée (min) » means minutes."""
    return 1 / 60 if re.search(r"\bmin", fold(header)) else 1.0


def _cell_hours(cell: str, unit: float, max_hours: float) -> float | None:
    value = parse_duration(cell, max_hours)
    if value is None:
        bare = _BARE_NUMBER.match(cell)
        if bare:
            number = float(bare.group(1).replace(",", ".")) * unit
            value = number if 0 < number <= max_hours else None
    return value


def _header(table: list[Block]) -> tuple[int, int | None, int | None]:
    for index, block in enumerate(table[:3]):
        folded = [fold(c) for c in block.cells]
        duration = next((i for i, c in enumerate(folded) if _DURATION_HEADER.search(c)), None)
        if duration is None or parse_duration(block.cells[duration]) is not None:
            continue
        if any(_DATE_HEADER.search(c) or _PHASE_HEADER.search(c) for c in folded):
            phase = next((i for i, c in enumerate(folded) if _PHASE_HEADER.search(c)), None)
            return index, duration, phase
    return 0, None, None


#: Lines a row of a flattened table may wrap onto (a long « phase » cell in a narrow column...).
MAX_CONTINUATION_LINES = 8
MAX_ROW_WORDS = 15
#: Page numbers and the like, which a table split across pages puts between its rows.
_NOISE = re.compile(r"^\s*(?:page\s*)?\d{1,3}\s*(?:/|sur)\s*\d{1,3}\s*$|^\s*page\s+\d{1,3}\s*$")
_TOTAL = re.compile(r"^\W*(?:sous[- ]?)?totale?s?\b|^\W*cumul\b")
#: Words that make a dated line without a readable duration worth reporting as a session.
_SESSION_WORDS = re.compile(
    r"\bseances?\b|\bentretiens?\b|\brendez|\brdv\b|\bphases?\b|\bpreliminaire|\binvestigation"
    r"|\bconclusion|\brestitution|\bsynthese|\bsuivi\b|\bduree|\bheures?\b"
)


def _from_lines(
    blocks: Sequence[Block],
) -> tuple[list[SessionRow], list[tuple[str, str]], float | None]:
    """Runs of at least two session-like rows in the text (a table flattened by PDF export).

    A row starts at a line holding a date with its day. When its own line has no duration, the
    duration is taken from the line just before it if that line is no other row's (a wrapped
    date cell pushes the date below the rest of its row), else from the short lines after it
    (a wrapped cell pushes the duration down). A dated line with words of a session but no
    readable duration is reported, not silently left out of the total. Returns the rows, the
    unreadable lines and a declared total (« Total : 10 h »).
    """
    rows: list[SessionRow] = []
    unreadable: list[tuple[str, str]] = []
    declared: float | None = None
    run: list[Block | None] = []  # None: a subtotal line, which no row reads across
    undated = 0
    minutes = False  # a header « Durée (min) »: the bare numbers of the rows are minutes

    def close_run() -> None:
        found, bad = _read_run(run, minutes)
        if sum(isinstance(entry, SessionRow) for entry in found) >= 2:
            rows.extend(entry for entry in found if isinstance(entry, SessionRow))
            unreadable.extend(bad)
        run.clear()

    for block in blocks:
        folded = fold(block.text)
        if _NOISE.match(folded):
            continue
        if _MINUTES_HEADER.search(folded):
            minutes = True
        if _TOTAL.match(folded):
            if folded.lstrip(" -:*").startswith("sous"):
                run.append(None)  # a subtotal: no row's duration, the rows go on after it
                continue
            if run:
                declared = parse_duration(block.text, 1000) or declared
            close_run()  # the total ends the table
            undated = 0
        elif block.kind == HEADING or word_count(block.text) > MAX_ROW_WORDS:
            close_run()
            undated = 0
            minutes = minutes and block.kind != HEADING
        elif _day_date(block.text) is not None:
            run.append(block)
            undated = 0
        elif undated < MAX_CONTINUATION_LINES:
            run.append(block)
            undated += 1
        else:
            close_run()
            run.append(block)
            undated = 1
    close_run()
    return rows, unreadable, declared if rows else None


_PROSE_SENTENCE = re.compile(r"[^.;!?]+(?:[.;!?]|$)")
_NOT_A_SESSION = re.compile(r"\bsuivi\b|\bprevu\w*\b|\bplanifi\w*|\bsera\b|\brelance")


def _from_prose(blocks: Sequence[Block]) -> list[SessionRow]:
    """Sessions told in sentences: « La première séance, le 1er avril 2025, a duré deux heures »,
    « Nous nous sommes revus le 8 avril 2025 pendant une heure et demie ». At least two, each
    dated once (a date told twice is one session)."""
    rows: list[SessionRow] = []
    dates: set[str] = set()
    for block in blocks:
        if block.kind == HEADING:
            continue
        for sentence in _PROSE_SENTENCE.finditer(block.text):
            text = sentence.group(0)
            if _NOT_A_SESSION.search(fold(text)):
                continue
            row = _from_line(block, text)
            if row is not None and row.date and row.date not in dates:
                dates.add(row.date)
                rows.append(row)
    return rows if len(rows) >= 2 else []


#: What may stand before the date that opens a diary entry (« **Mardi 6 janvier 2026.** »,
#: « Séance 3 – lundi 2 février 2026 : »).
_ENTRY_LEAD = re.compile(
    r"^\W*(?:(?:seance|entretien|rendez-vous|rdv|rencontre|session)\s*(?:n[o°]\s*)?\d{0,2}\W*)?"
    r"(?:(?:le\s+)?(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)\s+)?(?:le\s+)?$"
)


def _from_entries(blocks: Sequence[Block]) -> list[SessionRow]:
    """Sessions told as a diary: each entry opens with its date (a paragraph, or a heading
    that is only a date) and tells the duration in its first sentences (« **Mardi 6 janvier
    2026.** Premier rendez-vous, une heure trente. », « 3 février 2026 — De 17 h à 19 h, … »).
    At least two, each date once; an entry about what is planned is not a session."""
    rows: list[SessionRow] = []
    dates: set[str] = set()
    for index, block in enumerate(blocks):
        date = _day_date(block.text)
        if date is None or not _ENTRY_LEAD.match(fold(block.text[: date.start])):
            continue
        text = block.text[date.end :]
        if block.kind == HEADING and parse_duration(text) is None:
            following = blocks[index + 1] if index + 1 < len(blocks) else None
            if following is None or following.kind == HEADING:
                continue
            text = f"{text}. {following.text}"
        hours = None
        for number, sentence in enumerate(_PROSE_SENTENCE.finditer(text)):
            if number == 3:
                break
            blanked = sentence.group(0)
            for mention in find_dates(blanked):
                blank = " " * len(mention.text)
                blanked = blanked[: mention.start] + blank + blanked[mention.end :]
            hours = parse_duration(blanked)
            if hours is not None:
                if number > 0 and _NOT_A_SESSION.search(fold(text[: sentence.start()])):
                    hours = None  # the entry's first sentence plans, it does not tell
                if _NOT_A_SESSION.search(fold(blanked)):
                    hours = None
                break
        iso = date.value.isoformat() if date.value else None
        if hours is None or iso is None or iso in dates:
            continue
        dates.add(iso)
        rows.append(SessionRow(block.where, round(hours, 4), iso, _phase(block.text), block.text))
    return rows if len(rows) >= 2 else []


_NUMBERED = re.compile(
    r"^\W*(?:seance|entretien|rendez-vous|rdv|rencontre|session)\s*(?:n[o°]\s*)?(\d{1,2})\b"
)


def _from_numbered(blocks: Sequence[Block]) -> list[SessionRow]:
    """Sessions listed by number with no date (« Séance 1 – 2 h : cadre et demande »,
    « Entretien 2 (1 h 30) »): at least two, each number once, none about what is planned."""
    rows: list[SessionRow] = []
    numbers: set[int] = set()
    for block in blocks:
        folded = fold(block.text)
        match = _NUMBERED.match(folded)
        if match is None or _NOT_A_SESSION.search(folded):
            continue
        number = int(match.group(1))
        first = _PROSE_SENTENCE.match(block.text, match.end())
        hours = parse_duration(first.group(0)) if first else None
        if hours is None or number in numbers:
            continue
        numbers.add(number)
        rows.append(SessionRow(block.where, round(hours, 4), None, _phase(block.text), block.text))
    return rows if len(rows) >= 2 else []


_MINUTES_HEADER = re.compile(r"\bduree\s*\(\s*(?:min|minutes|mn)\s*\)")

_COUNT_WORDS = {
    "une": 1, "un": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7,
    "huit": 8, "neuf": 9, "dix": 10, "onze": 11, "douze": 12,
}  # fmt: skip
_N = r"(\d{1,2}|" + "|".join(_COUNT_WORDS) + ")"
_SESSION_NOUN = r"(?:seances|entretiens|rendez-vous|rencontres|sessions|ateliers)"
#: How many sessions a sentence tells of: « sept séances de deux heures », « les six séances
#: suivantes », « les deux dernières », « séances 2 à 4 », « la première séance ».
_COUNTS = (
    re.compile(r"\bseances?\s+(?:n[o°]\s*)?(\d{1,2})\s*(?:a|-|–)\s*(\d{1,2})\b"),
    re.compile(r"\b(?:seances?|entretiens?)\W{1,4}(\d{1,2})\s*[x×]\s*(?=\d)"),
    re.compile(
        rf"\b{_N}\s+(?:(?:autres|dernier(?:e)?s|premier(?:e)?s|nouvelles|courtes|longues)\s+)?"
        rf"{_SESSION_NOUN}\b"
    ),
    re.compile(rf"\b(?:les|ces)\s+{_N}\s+(?:dernier(?:e)?s|premier(?:e)?s|suivantes|autres)\b"),
    # « Puis trois autres de deux heures »: the noun is the previous sentence's.
    re.compile(rf"\b{_N}\s+autres(?=\s+(?:de|d'une|d'un)\s)"),
    re.compile(
        r"\b(?:la|une|cette)\s+(?:premiere|derniere|seule|deuxieme|seconde|troisieme)\s+"
        r"(?:seance|rencontre|session|entretien)\b|\b(?:la|une)\s+(?:seance|rencontre)\s+"
        r"(?:initiale|finale|preliminaire|de\s+conclusion|de\s+restitution)\b"
    ),
)


#: The duration just after the count is each session's (« six séances de 120 minutes »,
#: « trois séances d'une heure »), or said to be each one's (« 2 heures chacune »).
_EACH = re.compile(r"^\W{0,3}(?:\w+\s+){0,2}?(?:de\s|d'|d'une duree de\s|d'environ\s)")
_EACH_WORD = re.compile(r"\bchacune?\b|\bpar seance\b|\b\d{1,2}\s*[x×]\s*\d")
#: A part of the sequence (« les six séances suivantes », « les deux dernières »), not a summary.
_PART = re.compile(r"\b(?:suivantes|dernier(?:e)?s|premier(?:e)?s|autres|restantes)\b")


def _count(text: str) -> tuple[int, int] | None:
    """The number of sessions a sentence tells of, and where that count ends; None if none."""
    folded = fold(text)
    for index, pattern in enumerate(_COUNTS):
        match = pattern.search(folded)
        if match is None:
            continue
        if index == 0:
            first, last = int(match.group(1)), int(match.group(2))
            number = last - first + 1 if 0 < first < last <= 30 else 0
        elif index == len(_COUNTS) - 1:
            number = 1
        else:
            word = match.group(1)
            number = int(word) if word.isdigit() else _COUNT_WORDS[word]
        if 0 < number <= 30:
            return number, match.end()
    return None


_OTHERS = re.compile(rf"\b{_N}\s+autres\b")
_TOTAL_BEFORE = re.compile(r"\b(?:au\s+total|en\s+tout|soit|total)\b")


def _clock_text(text: str) -> str:
    """Folded text with its duration words turned into digits, as parse_duration reads it."""
    return _WORD_HOURS.sub(lambda m: _WORDS[m.group(1)], fold(text))


def _phase(text: str) -> str:
    folded = fold(text)
    return next((p for p in ("preliminaire", "investigation", "conclusion") if p in folded), "")


def _from_counts(blocks: Sequence[Block]) -> list[SessionRow]:
    """Sessions counted in sentences: « Six séances de 120 minutes », « la première séance,
    d'une heure et demie, puis les six séances suivantes, d'une heure trente chacune ». When one
    sentence's count is the sum of the others' (a summary, then the detail), only it is read."""
    counted: list[tuple[int, float, Block, str, bool]] = []  # ..., a plain group
    for block in blocks:
        if block.kind == HEADING:
            continue
        for sentence in _PROSE_SENTENCE.finditer(block.text):
            text = sentence.group(0)
            if _NOT_A_SESSION.search(fold(text)):
                continue
            found = _count(text)
            if found is None:
                continue
            number, end = found
            rest = fold(text)
            for mention in find_dates(text):
                rest = rest[: mention.start] + " " * (mention.end - mention.start) + rest[mention.end :]
            hours = parse_duration(rest[end:]) if end < len(rest) else None
            each = bool(_EACH.match(rest[end:]) or _EACH_WORD.search(rest))
            # A clock range is one session's time (« deux séances, le 4 et le 11 mai, de 14 h
            # à 16 h »), never a group's total.
            ranged = hours is not None and _RANGE.search(_clock_text(rest[end:])) is not None
            each = each or ranged
            if hours is None and _TOTAL_BEFORE.search(rest[:end]):
                hours = parse_duration(rest[:end], 1000)  # « Au total : 12 heures en sept séances »
                each = False
            if hours is None:
                continue
            if number > 1 and not each:
                hours = hours / number  # « (4 séances, 6 h) »: the group's total
            # « trois autres » adds to the sessions told before it: a group, not a detail.
            plain = number > 1 and (not _PART.search(rest) or _OTHERS.search(rest) is not None)
            counted.append((number, hours, block, text, plain))
    if not counted:
        return []
    groups = [c for c in counted if c[4]]
    if groups and sum(c[0] for c in groups) >= sum(c[0] for c in counted if not c[4]):
        counted = groups  # phases or a summary counted, the sessions told one by one besides
    total = sum(c[0] for c in counted)
    # A summary opens or closes the account (« Huit séances en tout : … »), and the others are
    # not each a phase of its own (« deux séances en phase préliminaire, quatre en
    # investigation, deux de conclusion »: four is not the sum of the others).
    phases = [_phase(c[3]) for c in counted]
    by_phase = all(phases) and len(set(phases)) == len(phases)
    by_phase = by_phase or any(_OTHERS.search(fold(c[3])) for c in counted)  # « trois autres »
    summary = next(
        (
            c
            for n, c in enumerate(counted)
            if len(counted) > 1 and 2 * c[0] == total and n in (0, len(counted) - 1)
        ),
        None,
    )
    if summary is not None and not by_phase:
        counted = [summary]
    rows: list[SessionRow] = []
    for number, hours, block, text, _ in counted:
        # The dates told in the sentence, in order; the last one is the last session's.
        told = [d.value.isoformat() for d in find_dates(text) if d.value and d.precise]
        dates: list[str | None] = [None] * number
        for n, iso in enumerate(told[:number]):
            dates[n] = iso
        if told and len(told) < number:
            dates[-1] = told[-1]
        folded = fold(text)
        phase = next((p for p in ("preliminaire", "investigation", "conclusion") if p in folded), "")
        rows += [
            SessionRow(block.where, round(hours, 4), dates[n], phase, text) for n in range(number)
        ]
    return rows if len(rows) >= 2 else []


def _read_run(
    lines: Sequence[Block | None], minutes: bool = False
) -> tuple[list[SessionRow | None], list[tuple[str, str]]]:
    """The rows of a run of lines (None for a dated line read without a duration)."""
    used: set[int] = set()
    found: list[SessionRow | None] = []
    bad: list[tuple[str, str]] = []
    text = [block.text if block is not None else "" for block in lines]
    dated = [block is not None and _day_date(block.text) is not None for block in lines]
    for index, block in enumerate(lines):
        if block is None or not dated[index]:
            continue
        row = _from_line(block, minutes=minutes)
        before = index - 1
        if row is None and before >= 0 and lines[before] is not None and not dated[before]:
            if before not in used:
                row = _from_line(block, f"{text[before]} {block.text}")
                if row is not None:
                    used.add(before)
        after = index + 1
        while row is None and after < len(lines) and lines[after] is not None and not dated[after]:
            if after not in used and parse_duration(text[after]) is not None:
                row = _from_line(block, " ".join(text[index : after + 1]))
                if row is not None:
                    used.add(after)
            after += 1
        found.append(row)
        if row is None and _SESSION_WORDS.search(fold(block.text)):
            bad.append((block.where, block.text))
    return found, bad


def _day_date(text: str) -> DateMention | None:
    """The first date of ``text`` that names its day (not « mars 2026 » nor « semaine 12 »)."""
    return next(
        (d for d in find_dates(text) if d.value and d.precise and fold(d.text)[:1].isdigit()),
        None,
    )


_BARE_MINUTES = re.compile(r"^\s*(\d{2,3})\b(?![.,/:]\d)")


def _from_line(block: Block, text: str | None = None, minutes: bool = False) -> SessionRow | None:
    """A line of text (PDF, plain text) holding a date and a duration, like a table row."""
    text = block.text if text is None else text
    date = _day_date(text)
    if date is None:
        return None
    rest = text[: date.start] + " " + text[date.end :]
    value = parse_duration(rest)
    if value is None and minutes:
        bare = _BARE_MINUTES.match(text[date.end :])
        value = int(bare.group(1)) / 60 if bare and 0 < int(bare.group(1)) <= 480 else None
    if value is None:
        return None
    folded = fold(text)
    phase = next((p for p in ("preliminaire", "investigation", "conclusion") if p in folded), "")
    iso = date.value.isoformat() if date.value else None
    return SessionRow(block.where, round(value, 4), iso, phase, text)


def _row(block: Block, hours: float, date: str | None, phase: str) -> SessionRow:
    return SessionRow(block.where, round(hours, 4), date, phase, block.text)


# --- what the text says of its own total: a second reading to check the first against ------

#: Words that announce a total (« au total 24 heures », « soit quinze heures au total »,
#: « Durée totale | 12 heures », « un volume horaire de 14 heures »).
_TOTAL_CUE = re.compile(
    r"\b(?:au\s+total|en\s+tout|soit|totale?s?|totalise\w*|cumul\w*|volume\s+horaire"
    r"|duree\s+(?:globale|cumulee)|nombre\s+d'heures)\b"
)
#: A sentence about the law or a limit, not about this bilan (« 24 heures au plus »).
_LIMIT = re.compile(
    r"\bau\s+plus\b|\bmaxim\w*|\bminim\w*|\bau\s+moins\b|\bjusqu'a\b|\bplafon\w*|\bne\s+peut\b"
    r"|\bcode\s+du\s+travail\b|\bl\.?\s?6313|\bloi\b|\bexige\w*|\bprevu\w*\b|\bdepasse\w*"
)
_HOUR_NUMBERS = {
    "sept": 7, "huit": 8, "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "treize": 13,
    "quatorze": 14, "quinze": 15, "seize": 16, "dix-sept": 17, "dix-huit": 18, "dix-neuf": 19,
    "vingt": 20, "vingt et une": 21, "vingt-et-une": 21, "vingt-deux": 22, "vingt-trois": 23,
    "vingt-quatre": 24,
}  # fmt: skip
_HOUR_WORDS = re.compile(
    r"\b(" + "|".join(sorted(_HOUR_NUMBERS, key=len, reverse=True)) + r")(?=\s+h)"
)
_STATED_COUNT = (
    re.compile(rf"\bnombre\s+(?:de\s+|d')(?:seances|entretiens|rendez-vous|rencontres)\W{{0,6}}{_N}\b"),
    re.compile(rf"\b{_N}\s+{_SESSION_NOUN}\s+(?:au\s+total|en\s+tout)\b"),
    re.compile(rf"\b(?:au\s+total|en\s+tout)\b[^.;]{{0,30}}?\ben\s+{_N}\s+{_SESSION_NOUN}\b"),
)


def _amount(text: str) -> float | None:
    """A number of hours that can be a bilan's total (4 to 40 h), digits or words."""
    folded = _HOUR_WORDS.sub(lambda m: str(_HOUR_NUMBERS[m.group(1)]), fold(text))
    value = parse_duration(folded, 40.0)
    return value if value is not None and 4.0 <= value <= 40.0 else None


def stated_totals(blocks: Sequence[Block]) -> list[tuple[float, Block]]:
    """The totals of hours the text states in words or in a summary card: a second reading,
    independent of the sessions read. A table's own « Total » row is not among them (the
    sum of that table is checked against it apart)."""
    found: list[tuple[float, Block]] = []
    for block in blocks:
        if block.kind == HEADING:
            continue
        if block.kind == ROW:
            if block.cells and _TOTAL.match(fold(block.cells[0])):
                continue
            text = " | ".join(block.cells)
        else:
            text = block.text
        for sentence in _PROSE_SENTENCE.finditer(text):
            folded = fold(sentence.group(0))
            if _LIMIT.search(folded):
                continue
            for cue in _TOTAL_CUE.finditer(folded):
                # The amount just after the cue (« au total 24 heures », « Durée totale | 12
                # heures »), else just before it (« quinze heures au total »).
                after = folded[cue.end() : cue.end() + 30].lstrip(" ,:;|-–—")
                before = folded[max(0, cue.start() - 25) : cue.start()]
                value = _amount(re.split(r"[,(]", after, maxsplit=1)[0]) or _amount(before)
                if value is not None:
                    found.append((round(value, 2), block))
                    break
    return found


def stated_counts(blocks: Sequence[Block]) -> list[tuple[int, Block]]:
    """The numbers of sessions the text states as a whole (« Nombre de séances | 7 », « sept
    séances au total », « 12 heures en sept séances »)."""
    found: list[tuple[int, Block]] = []
    for block in blocks:
        if block.kind == HEADING:
            continue
        text = fold(" | ".join(block.cells) if block.kind == ROW else block.text)
        if _LIMIT.search(text):
            continue
        for pattern in _STATED_COUNT:
            match = pattern.search(text)
            if match:
                word = match.group(1)
                found.append((int(word) if word.isdigit() else _COUNT_WORDS[word], block))
                break
    return found


def other_readings(blocks: Sequence[Block], sessions: Sessions) -> str | None:
    """When the sessions were read from sentences, the other ways of reading them: a session
    told with its date and duration that the reading kept left out, or another reading that
    finds more hours. Returns why the readings disagree, None when they agree."""
    if not sessions.told:
        return None
    kept = {row.date for row in sessions.rows if row.date}
    total = sessions.total
    for block in blocks:
        if block.kind == HEADING:
            continue
        for sentence in _PROSE_SENTENCE.finditer(block.text):
            text = sentence.group(0)
            folded = fold(text)
            if _NOT_A_SESSION.search(folded) or not _SESSION_NOUNS.search(folded):
                continue
            row = _from_line(block, text)
            if row is not None and row.date and kept and row.date not in kept:
                day = f"{row.date[8:10]}/{row.date[5:7]}/{row.date[:4]}"
                return f"la séance du {day} ({text.strip()[:60]}…) n'est pas dans ce total"
    for reading in (_from_prose(blocks), _from_counts(blocks), _from_entries(blocks)):
        other = round(sum(row.hours for row in reading), 2)
        if reading and other > total + 0.01:
            return f"une autre lecture du texte trouve {other:g} h"
    return None

"""Question blocks shared by knowledge checks and the exam bank.

A block opens with ``<!-- question: ID key=value -->`` and closes with ``<!-- /question -->``;
propositions are task-list items (``- [x]`` correct, ``- [ ]`` not) with their feedback as an
indented blockquote, and whatever follows the list is the explanation. Comments vanish in any
Markdown preview, and nothing in French prose needs escaping.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from course.errors import ErrorList, lines_of
from course.frontmatter import COMPETENCIES, ID_PATTERN

QUESTION_WORD = re.compile(r"question\b", re.IGNORECASE)
CLOSE = re.compile(r"^\s*<!--\s*/\s*question\s*-->\s*$", re.IGNORECASE)
TASK = re.compile(r"^\s{0,3}[-*+]\s+\[(?P<mark>[ xX])\]\s*(?P<text>.*)$")
FEEDBACK = re.compile(r"^\s+>\s?(?P<text>.*)$")
ATTRIBUTE = re.compile(r"^(?P<key>[a-z_]+)=(?P<value>.*)$", re.DOTALL)
# One token of an opening line: ``key="a value with spaces"``, ``key=value`` or a bare word.
TOKEN = re.compile(r'(?P<key>[a-z_]+)="(?P<quoted>[^"]*)"|(?P<word>\S+)')
KNOWN_ATTRIBUTES = (
    "type",
    "competency",
    "difficulty",
    "source",
    "review",
    "review_date",
    "review_notes",
)
REVIEW_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MIN_PROPOSITIONS = 2
MAX_PROPOSITIONS = 6
KEYS = "abcdef"


@dataclass(frozen=True)
class Proposition:
    """One proposition of a question; ``key`` is its stable letter (a, b, c…) within the question."""

    key: str
    text: str
    correct: bool
    feedback: str
    line: int
    path: str = ""


@dataclass(frozen=True)
class Question:
    """A question block (knowledge check or exam item) with its source position."""

    id: str
    path: str
    line: int
    multiple: bool
    stem: str
    propositions: tuple[Proposition, ...]
    explanation: str
    competency: str | None = None
    difficulty: int | None = None
    end_line: int = 0
    #: Where the item's rule comes from (article of the Code du travail, référentiel criterion…).
    source: str = ""
    #: ``review=true``: a trainer must confirm a dated, uncertain fact (``review_notes``).
    review: bool = False
    review_date: str = ""
    review_notes: str = ""

    @property
    def correct_keys(self) -> frozenset[str]:
        """Keys of the correct propositions."""
        return frozenset(p.key for p in self.propositions if p.correct)

    @property
    def type(self) -> str:
        """``single`` or ``multiple``."""
        return "multiple" if self.multiple else "single"

    def proposition(self, key: str) -> Proposition:
        """The proposition with this key (KeyError when unknown)."""
        for proposition in self.propositions:
            if proposition.key == key:
                return proposition
        raise KeyError(key)


KnowledgeCheck = Question
ExamItem = Question


@dataclass(frozen=True)
class Segment:
    """A piece of a body: Markdown text, or a question in its place."""

    markdown: str = ""
    question: Question | None = None
    line: int = 1


@dataclass
class _Prop:
    line: int
    correct: bool
    text: str
    feedback: list[str] = field(default_factory=list)


@dataclass
class _Block:
    id: str
    line: int
    attributes: dict[str, str]
    lines: list[tuple[int, str]] = field(default_factory=list)
    end: int = 0


def opening(line: str) -> str | None:
    """What follows ``question:`` in an opening comment line, or None for any other line."""
    # Plain string operations: a regular expression here backtracks badly on long lines.
    text = line.strip()
    if not (text.startswith("<!--") and text.endswith("-->")) or len(text) < 7:
        return None
    inner = text[4:-3].strip()
    word = QUESTION_WORD.match(inner)
    if word is None:
        return None
    rest = inner[word.end() :].lstrip()
    return rest[1:].strip() if rest.startswith(":") else rest


def _parse_block(block: _Block, errors: ErrorList) -> Question | None:
    stem: list[str] = []
    props: list[_Prop] = []
    explanation: list[str] = []
    state = "stem"
    label = f"question « {block.id} »"
    ok = True
    for number, line in block.lines:
        task = TASK.match(line)
        if task and state == "explanation":
            errors.add(
                number,
                f"{label} : proposition séparée des autres par du texte "
                "(les propositions forment une seule liste, l'explication vient après)",
            )
            ok = False
            continue
        if task:
            state = "props"
            props.append(_Prop(number, task.group("mark") != " ", task.group("text").strip()))
            continue
        if state == "props":
            feedback = FEEDBACK.match(line)
            if feedback:
                props[-1].feedback.append(feedback.group("text"))
                continue
            if not line.strip():
                continue
            state = "explanation"
        if state == "stem":
            stem.append(line)
        else:
            explanation.append(line)
    if not "\n".join(stem).strip():
        errors.add(block.line, f"{label} : énoncé manquant avant les propositions")
        ok = False
    if not props:
        errors.add(block.line, f"{label} : aucune proposition (lignes « - [x] » ou « - [ ] »)")
        return None
    if len(props) < MIN_PROPOSITIONS:
        errors.add(block.line, f"{label} : il faut au moins {MIN_PROPOSITIONS} propositions")
        ok = False
    if len(props) > MAX_PROPOSITIONS:
        errors.add(
            props[MAX_PROPOSITIONS].line,
            f"{label} : trop de propositions ({len(props)}, {MAX_PROPOSITIONS} au plus)",
        )
        return None
    kind = block.attributes.get("type", "single")
    if kind not in ("single", "multiple"):
        errors.add(block.line, f"{label} : type « {kind} » inconnu (single ou multiple)")
        ok = False
    correct = sum(1 for p in props if p.correct)
    if correct == 0:
        errors.add(block.line, f"{label} : aucune proposition correcte ([x])")
        ok = False
    elif kind == "single" and correct > 1:
        errors.add(
            block.line,
            f"{label} : {correct} propositions correctes pour une question à réponse unique "
            "(ajoutez type=multiple ou ne gardez qu'un [x])",
        )
        ok = False
    seen: dict[str, int] = {}
    for p in props:
        if not p.text:
            errors.add(p.line, f"{label} : proposition vide")
            ok = False
            continue
        norm = re.sub(r"\s+", " ", p.text.casefold())
        if norm in seen:
            errors.add(p.line, f"{label} : proposition en double (déjà ligne {seen[norm]})")
            ok = False
        seen.setdefault(norm, p.line)
    competency = block.attributes.get("competency")
    if competency is not None and competency not in COMPETENCIES:
        errors.add(block.line, f"{label} : compétence inconnue « {competency} » (C1 à C7)")
        ok = False
    difficulty: int | None = None
    if "difficulty" in block.attributes:
        value = block.attributes["difficulty"]
        if value not in ("1", "2", "3"):
            errors.add(block.line, f"{label} : difficulté « {value} » invalide (1, 2 ou 3)")
            ok = False
        else:
            difficulty = int(value)
    review, review_date, review_notes, review_ok = _review_attributes(block, label, errors)
    ok = ok and review_ok
    if not "\n".join(explanation).strip():
        errors.add(
            block.end or block.line,
            f"{label} : explication manquante (un texte après les propositions, avant "
            "<!-- /question -->)",
        )
        ok = False
    if not ok:
        return None
    return Question(
        id=block.id,
        path=errors.path,
        line=block.line,
        multiple=kind == "multiple",
        stem="\n".join(stem).strip(),
        propositions=tuple(
            Proposition(
                key=KEYS[i],
                text=p.text,
                correct=p.correct,
                feedback="\n".join(p.feedback).strip(),
                line=p.line,
                path=errors.path,
            )
            for i, p in enumerate(props)
        ),
        explanation="\n".join(explanation).strip(),
        competency=competency,
        difficulty=difficulty,
        end_line=block.end,
        source=block.attributes.get("source", "").strip(),
        review=review,
        review_date=review_date,
        review_notes=review_notes,
    )


def valid_review_date(value: str) -> bool:
    """True for an existing calendar date written ``AAAA-MM-JJ``."""
    if not REVIEW_DATE.match(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _review_attributes(block: _Block, label: str, errors: ErrorList) -> tuple[bool, str, str, bool]:
    """``review=true review_date=AAAA-MM-JJ review_notes="…"`` on an opening line."""
    value = block.attributes.get("review", "false")
    when = block.attributes.get("review_date", "")
    notes = block.attributes.get("review_notes", "").strip()
    if value not in ("true", "false"):
        errors.add(block.line, f"{label} : review « {value} » invalide (true ou false)")
        return False, when, notes, False
    review = value == "true"
    ok = True
    if when and not valid_review_date(when):
        errors.add(block.line, f"{label} : review_date « {when} » invalide (AAAA-MM-JJ)")
        ok = False
    if review and not when:
        errors.add(
            block.line,
            f"{label} : review=true demande la date du point à vérifier (review_date=AAAA-MM-JJ)",
        )
        ok = False
    if review and not notes:
        errors.add(
            block.line,
            f'{label} : review=true demande de dire dans review_notes="…" ce qu\'un formateur '
            "doit vérifier",
        )
        ok = False
    return review, when, notes, ok


def _open_block(rest: str, number: int, errors: ErrorList) -> _Block:
    tokens = [
        f"{m.group('key')}={m.group('quoted')}" if m.group("key") else m.group("word")
        for m in TOKEN.finditer(rest)
    ]
    if not tokens:
        errors.add(number, "question sans identifiant : <!-- question: mon-identifiant -->")
        return _Block("?", number, {})
    ident, attributes = tokens[0], {}
    if "=" in ident:
        errors.add(number, f"question sans identifiant : « {ident} » est un attribut")
    elif not ID_PATTERN.match(ident):
        errors.add(
            number, f"identifiant de question « {ident} » invalide (minuscules, chiffres, tirets)"
        )
    for token in tokens[1:]:
        match = ATTRIBUTE.match(token)
        if not match or match.group("key") not in KNOWN_ATTRIBUTES:
            errors.add(
                number,
                f"attribut inconnu « {token} » (possibles : type=, competency=, difficulty=, "
                'source="…", review=, review_date=, review_notes="…")',
            )
            continue
        if match.group("key") in attributes:
            errors.add(number, f"attribut « {match.group('key')} » répété")
        attributes[match.group("key")] = match.group("value")
    return _Block(ident, number, attributes)


def parse_segments(body: str, first_line: int, errors: ErrorList) -> list[Segment]:
    """Split a body into Markdown segments and questions, reporting malformed blocks."""
    segments: list[Segment] = []
    prose: list[str] = []
    prose_line = first_line
    block: _Block | None = None
    for offset, line in enumerate(lines_of(body)):
        number = first_line + offset
        rest = None if CLOSE.match(line) else opening(line)
        if rest is not None:
            if block is not None:
                errors.add(
                    block.line, f"question « {block.id} » non fermée (<!-- /question --> manquant)"
                )
            if "".join(prose).strip():
                segments.append(Segment(markdown="\n".join(prose), line=prose_line))
            prose = []
            block = _open_block(rest, number, errors)
            continue
        if CLOSE.match(line):
            if block is None:
                errors.add(number, "<!-- /question --> sans question ouverte")
                continue
            block.end = number
            question = _parse_block(block, errors)
            if question is not None:
                segments.append(Segment(question=question, line=block.line))
            block = None
            prose_line = number + 1
            continue
        if block is not None:
            block.lines.append((number, line))
        elif prose or line.strip():  # a segment starts at its first non-blank line
            if not prose:
                prose_line = number
            prose.append(line)
    if block is not None:
        errors.add(block.line, f"question « {block.id} » non fermée (<!-- /question --> manquant)")
    if "".join(prose).strip():
        segments.append(Segment(markdown="\n".join(prose), line=prose_line))
    return segments


def questions_of(segments: list[Segment] | tuple[Segment, ...]) -> tuple[Question, ...]:
    """The questions of a list of segments, in order."""
    return tuple(s.question for s in segments if s.question is not None)

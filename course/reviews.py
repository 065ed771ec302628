"""Everything flagged ``review: true`` in the course, with its date and place (pure: no Flask).

A file flags itself in its header (``review: true``, ``review_date: AAAA-MM-JJ``,
``review_notes: …``); an exam item flags itself on its opening line
(``<!-- question: id … review=true review_date=AAAA-MM-JJ review_notes="…" -->``). The trainers'
page and ``python -m course review`` list them all, so that nothing uncertain is taught as fact.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from course.errors import ErrorList, read_text
from course.frontmatter import split
from course.questions import parse_segments, questions_of

SKIPPED = ("README.md", "AUTHORING.md")
#: Kind of content by folder, in the order the trainers' page lists them.
KINDS = (
    ("modules", "module"),
    ("case_studies", "case_study"),
    ("questionnaire/cases", "exam_case"),
    ("questionnaire/items", "exam_items"),
    ("dossier", "dossier"),
)


@dataclass(frozen=True)
class ReviewFlag:
    """One point a trainer must confirm before teaching it as fact."""

    kind: str  # module, case_study, exam_case (a vignette), exam_items (a file), exam_item, dossier
    id: str
    title: str
    path: str  # relative to the course folder
    line: int
    date: str  # AAAA-MM-JJ, "" when the author gave none
    notes: str

    @property
    def where(self) -> str:
        """``fichier:ligne``, relative to the course folder."""
        return f"{self.path}:{self.line}"


def _kind(relative: str) -> str | None:
    for folder, kind in KINDS:
        if relative.startswith(folder + "/"):
            return kind
    return None


def review_flags(root: Path) -> list[ReviewFlag]:
    """Every ``review: true`` of every file and exam item under ``root``, by kind then place."""
    root = Path(root)
    found: list[ReviewFlag] = []
    for path in sorted(root.rglob("*.md")):
        if path.name in SKIPPED:
            continue
        relative = path.relative_to(root).as_posix()
        kind = _kind(relative)
        if kind is None:
            continue
        ignored = ErrorList(path)
        parts = split(read_text(path, ignored) or "", ignored)
        meta = parts.meta if isinstance(parts.meta, dict) else {}
        title = str(meta.get("title") or "").strip()
        ident = str(meta.get("id") or path.stem).strip()
        if meta.get("review") is True:
            date = meta.get("review_date")
            notes = str(meta.get("review_notes") or "").strip() or "(review_notes manquant)"
            found.append(
                ReviewFlag(
                    kind,
                    ident,
                    title,
                    relative,
                    parts.key_lines.get("review", 1),
                    "" if date is None else str(date),
                    notes,
                )
            )
        if not kind.startswith("exam"):
            continue
        for question in questions_of(parse_segments(parts.body, parts.body_line, ignored)):
            if question.review:
                found.append(
                    ReviewFlag(
                        "exam_item",
                        question.id,
                        title,
                        relative,
                        question.line,
                        question.review_date,
                        question.review_notes,
                    )
                )
    order = {kind: i for i, (_, kind) in enumerate(KINDS)}
    order["exam_item"] = len(order)
    return sorted(found, key=lambda f: (order[f.kind], f.path, f.line))


__all__ = ["ReviewFlag", "review_flags"]

"""Training modules: ``course/modules/<folder>/index.md`` with their images."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from course.errors import ContentError, ErrorList, read_text
from course.frontmatter import Meta, split
from course.links import check_links
from course.questions import Question, Segment, parse_segments, questions_of

__all__ = ["MODULE_KEYS", "Module", "check_links", "parse_module", "parse_module_text"]

MODULE_KEYS = {
    "id",
    "title",
    "competencies",
    "order",
    "duration_minutes",
    "objectives",
    "lang",
    "review",
    "review_notes",
    "references",
}
REQUIRED_KEYS = {"id", "title", "competencies", "order"}


@dataclass(frozen=True)
class Module:
    """A training module: front matter, then Markdown segments with its knowledge checks in place."""

    id: str
    title: str
    competencies: tuple[str, ...]
    order: int
    duration_minutes: int
    objectives: tuple[str, ...]
    lang: str
    review: bool
    review_notes: str
    references: tuple[str, ...]
    path: str
    folder: str
    segments: tuple[Segment, ...]
    line: int = 1
    order_line: int = 1

    @property
    def questions(self) -> tuple[Question, ...]:
        """The module's knowledge checks, in order."""
        return questions_of(self.segments)

    def question(self, question_id: str) -> Question | None:
        """The knowledge check with this id."""
        return next((q for q in self.questions if q.id == question_id), None)


def parse_module_text(text: str, path: Path | str) -> tuple[Module | None, list[ContentError]]:
    """Parse a module from its text (links resolved beside ``path``); never raises."""
    path = Path(path)
    errors = ErrorList(path)
    parts = split(text, errors)
    meta = Meta(parts, errors)
    meta.check_keys(MODULE_KEYS, REQUIRED_KEYS)
    ident = meta.ident()
    title = meta.text("title")
    competencies = meta.competencies()
    order = meta.integer("order", 0, minimum=0)
    duration = meta.integer("duration_minutes", 60, minimum=1)
    objectives = meta.text_list("objectives")
    references = meta.text_list("references")
    lang = meta.language()
    review, notes = meta.review()
    segments = parse_segments(parts.body, parts.body_line, errors)
    check_links(parts.body, parts.body_line, path.parent, errors)
    seen: dict[str, int] = {}
    for question in questions_of(segments):
        if question.id in seen:
            errors.add(
                question.line,
                f"question « {question.id} » en double dans ce module (déjà ligne {seen[question.id]})",
            )
        seen.setdefault(question.id, question.line)
    if parts.ok and not parts.body.strip():
        errors.add(parts.body_line, "le module n'a pas de contenu après l'en-tête")
    if errors or not ident:
        return None, list(errors)
    module = Module(
        id=ident,
        title=title,
        competencies=competencies,
        order=order,
        duration_minutes=duration,
        objectives=objectives,
        lang=lang,
        review=review,
        review_notes=notes,
        references=references,
        path=str(path),
        folder=str(path.parent),
        segments=tuple(segments),
        line=meta.line("id"),
        order_line=meta.line("order"),
    )
    return module, []


def parse_module(index: Path) -> tuple[Module | None, list[ContentError]]:
    """Parse and validate one module's ``index.md``."""
    errors = ErrorList(index)
    text = read_text(index, errors)
    if text is None:
        return None, list(errors)
    return parse_module_text(text, index)

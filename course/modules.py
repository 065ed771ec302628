"""Training modules: ``course/modules/<folder>/index.md`` with their images."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from course.errors import ContentError, ErrorList
from course.frontmatter import Meta, split
from course.questions import Question, Segment, parse_segments, questions_of

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
LINK = re.compile(r"(!?)\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")


@dataclass(frozen=True)
class Module:
    """A training module."""

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

    @property
    def questions(self) -> tuple[Question, ...]:
        """The module's knowledge checks, in order."""
        return questions_of(list(self.segments))


def check_links(text: str, first_line: int, base: Path, errors: ErrorList) -> None:
    """Report internal links and images pointing to missing files."""
    for offset, line in enumerate(text.splitlines()):
        for match in LINK.finditer(line):
            is_image, target = match.group(1) == "!", match.group(2)
            if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE) or target.startswith("#"):
                if is_image and not target.startswith(("http://", "https://")):
                    errors.add(
                        first_line + offset,
                        f"image « {target} » : seules les images du dossier sont permises",
                    )
                continue
            file_part = target.split("#", 1)[0].split("?", 1)[0]
            if not file_part:
                continue
            resolved = (base / file_part).resolve()
            if not resolved.exists():
                kind = "image" if is_image else "lien"
                errors.add(first_line + offset, f"{kind} vers « {target} » : fichier introuvable")


def parse_module(index: Path) -> tuple[Module | None, list[ContentError]]:
    """Parse and validate one module's ``index.md``."""
    errors = ErrorList(index)
    try:
        text = index.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        errors.add(1, f"fichier illisible ({type(error).__name__}) : enregistrez-le en UTF-8")
        return None, list(errors)
    parts = split(text, errors)
    meta = Meta(parts, errors)
    meta.check_keys(MODULE_KEYS, {"id", "title", "competencies", "order"})
    ident = meta.ident()
    title = meta.text("title")
    competencies = meta.competencies()
    if "competencies" in meta.data and not competencies:
        errors.add(meta.line("competencies"), "au moins une compétence (C1 à C7) est attendue")
    order = meta.integer("order", 0, minimum=0)
    duration = meta.integer("duration_minutes", 60, minimum=1)
    lang = meta.text("lang", "fr")
    if lang not in ("fr", "en"):
        errors.add(meta.line("lang"), f"langue « {lang} » non prise en charge (fr ou en)")
    review = meta.flag("review")
    notes = meta.text("review_notes")
    if review and not notes:
        errors.add(meta.line("review"), "review: true demande une explication dans review_notes")
    segments = parse_segments(parts.body, parts.body_line, errors)
    for segment in segments:
        if segment.question is None:
            check_links(segment.markdown, segment.line, index.parent, errors)
    seen: dict[str, int] = {}
    for question in questions_of(segments):
        if question.id in seen:
            errors.add(
                question.line,
                f"question « {question.id} » en double (déjà ligne {seen[question.id]})",
            )
        seen.setdefault(question.id, question.line)
    if not parts.body.strip():
        errors.add(parts.body_line, "le module n'a pas de contenu après l'en-tête")
    if errors or not ident:
        return None, list(errors)
    return (
        Module(
            id=ident,
            title=title,
            competencies=competencies,
            order=order,
            duration_minutes=duration,
            objectives=meta.text_list("objectives"),
            lang=lang,
            review=review,
            review_notes=notes,
            references=meta.text_list("references"),
            path=str(index),
            folder=str(index.parent),
            segments=tuple(segments),
        ),
        [],
    )

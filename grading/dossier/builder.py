"""Accumulate blocks with their locations while a reader walks a document."""

from __future__ import annotations

from collections.abc import Sequence

from grading.dossier import errors
from grading.dossier.document import (
    HEADING,
    PARAGRAPH,
    ROW,
    Block,
    Document,
    Location,
    MetadataField,
    clean,
)
from grading.dossier.safety import Budget, Limits

START = "début du document"

#: Metadata values written by software or templates, not by a person.
GENERIC_AUTHORS = {
    "",
    "python-docx",
    "utilisateur",
    "user",
    "admin",
    "administrateur",
    "auteur",
    "author",
    "anonyme",
    "anonymous",
    "unknown",
    "inconnu",
    "windows user",
    "utilisateur windows",
    "microsoft office user",
    "utilisateur de microsoft office",
}


class Builder:
    """Numbers paragraphs and tables within the enclosing section of the document."""

    def __init__(self, kind: str, limits: Limits, *, numbered: bool = True) -> None:
        self.doc = Document(kind)
        self.limits = limits
        #: Every structure the reader walks, shared by all the parts of the document.
        self.budget = Budget(limits)
        self.numbered = numbered
        self.section: str | None = None
        self._paragraph = 0
        self._table_in_section = 0
        self._tables = 0
        self._chars = 0
        self._blocks = 0

    def _count(self, text: str) -> None:
        self._blocks += 1
        if self._blocks > self.limits.max_blocks:
            raise errors.too_long(
                f"plus de {self.limits.max_blocks:,} paragraphes".replace(",", " ")
            )
        self._chars += len(text)
        if self._chars > self.limits.max_text_chars:
            raise errors.too_long(
                f"plus de {self.limits.max_text_chars:,} caractères".replace(",", " ")
            )

    def heading(
        self, text: str, level: int, *, page: int | None = None, line: int | None = None
    ) -> None:
        """A heading starts a new enclosing section."""
        text = clean(text)
        if not text:
            return
        self._count(text)
        self.section = text
        self._paragraph = 0
        self._table_in_section = 0
        self.doc.blocks.append(
            Block(HEADING, text, Location(page=page, section=text, line=line), level=level)
        )

    def paragraph(self, text: str, *, page: int | None = None, line: int | None = None) -> None:
        """A paragraph or list item."""
        text = clean(text)
        if not text:
            return
        self._count(text)
        self._paragraph += 1
        location = Location(
            page=page,
            section=self.section or (None if page else START),
            paragraph=self._paragraph if self.numbered else None,
            line=line,
        )
        self.doc.blocks.append(Block(PARAGRAPH, text, location))

    def table(
        self,
        rows: Sequence[Sequence[str]],
        *,
        page: int | None = None,
        lines: Sequence[int] | None = None,
    ) -> None:
        """A table: one block per non-empty row, numbered from 1 (the header row included)."""
        cleaned = [tuple(clean(c) for c in row) for row in rows]
        if not any(any(cells) for cells in cleaned):
            return
        self._tables += 1
        self._table_in_section += 1
        for index, cells in enumerate(cleaned, start=1):
            if not any(cells):
                continue
            text = " | ".join(c for c in cells if c)
            self._count(text)
            location = Location(
                page=page,
                section=self.section or START,
                table=self._table_in_section,
                row=index,
                line=lines[index - 1] if lines else None,
            )
            self.doc.blocks.append(Block(ROW, text, location, cells=cells, table=self._tables))

    def outside(self, text: str, part: str) -> None:
        """Text outside the body, located by the part it comes from."""
        text = clean(text)
        if text:
            self._count(text)
            self.doc.extras.append(Block(PARAGRAPH, text, Location(part=part)))

    def metadata(self, key: str, label: str, value: str | None) -> None:
        """Record a person-like property unless it is empty or a software default."""
        value = clean(value or "")
        if value.lower() not in GENERIC_AUTHORS and not any(
            m.key == key and m.value == value for m in self.doc.metadata
        ):
            self.doc.metadata.append(MetadataField(key, label, value))

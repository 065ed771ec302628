"""The neutral structure every reader produces: blocks with locations, and metadata."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

HEADING = "heading"
PARAGRAPH = "paragraph"
ROW = "row"


@dataclass(frozen=True)
class Location:
    """Where a block is, in words the candidate can use to find it."""

    page: int | None = None
    section: str | None = None
    paragraph: int | None = None
    table: int | None = None
    row: int | None = None
    line: int | None = None
    part: str | None = None  # "en-tête", "pied de page", "commentaire", "propriétés du document"…

    def describe(self) -> str:
        """French description, e.g. « section « Cadre », paragraphe 12 » or « page 3 »."""
        parts: list[str] = []
        if self.part:
            parts.append(self.part)
        if self.page is not None:
            parts.append(f"page {self.page}")
        if self.section:
            parts.append(f"section « {_short(self.section)} »")
        if self.table is not None:
            parts.append(f"tableau {self.table}, ligne {self.row}")
        elif self.paragraph is not None:
            parts.append(f"paragraphe {self.paragraph}")
        text = ", ".join(parts)
        if self.line is not None:
            text = f"{text} (ligne {self.line} du fichier)" if text else f"ligne {self.line}"
        return text or "document"


@dataclass(frozen=True)
class Block:
    """A heading, a paragraph (list items included) or a table row."""

    kind: str
    text: str
    location: Location
    level: int = 0  # headings: 1 is the top level (0 for a document title)
    cells: tuple[str, ...] = ()
    table: int | None = None  # rows: document-wide index of their table

    @property
    def where(self) -> str:
        """The location in French."""
        return self.location.describe()


@dataclass(frozen=True)
class MetadataField:
    """A document property that may name a person (author, last modified by…)."""

    key: str
    label: str
    value: str


@dataclass
class Document:
    """Extracted content: body blocks in reading order, other text, metadata."""

    kind: str  # docx, odt, pdf, md
    blocks: list[Block] = field(default_factory=list)
    #: Text outside the body (headers, footers, notes, comments, properties, link targets):
    #: scanned for personal data, never counted as a section.
    extras: list[Block] = field(default_factory=list)
    metadata: list[MetadataField] = field(default_factory=list)
    #: Authors of tracked changes or comments still in the file ("" when unknown).
    revisions: bool = False


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def clean(text: str) -> str:
    """Normalise extracted text: compatibility forms, invisible characters, spaces."""
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("\u00ad", "").replace("\u200b", "").replace("\ufeff", "")
    return " ".join(text.split())

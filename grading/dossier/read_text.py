"""Markdown or plain UTF-8 text: ATX and setext headings, pipe tables, lists, paragraphs."""

from __future__ import annotations

import re

from grading.dossier.builder import Builder
from grading.dossier.document import Document
from grading.dossier.safety import Limits

_ATX = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)\s*$")
_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_ITEM = re.compile(r"^\s*(?:[-*+•]|\d{1,3}[.)])\s+")
_FENCE = re.compile(r"^\s*(```|~~~)")
_LINK = re.compile(r"!?\[([^\]]*)\]\(([^)\s]*)[^)]*\)")
_EMPHASIS = re.compile(r"(\*\*|__|\*|`)")
_TAG = re.compile(r"</?[a-zA-Z][^>]{0,200}>")
_AUTHOR_KEY = re.compile(r"(?i)^\s*(author|auteur|autrice|creator)\s*:\s*(.+)$")


def read_text(data: bytes, limits: Limits) -> Document:
    """Extract a Markdown (or plain text) file, locating blocks by section, paragraph and line."""
    lines = data.decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    builder = Builder("md", limits)
    start = _front_matter(lines, builder)
    paragraph: list[str] = []
    paragraph_line = 0
    table: list[list[str]] = []
    table_lines: list[int] = []

    def flush() -> None:
        nonlocal paragraph_line
        if paragraph:
            builder.paragraph(_inline(" ".join(paragraph)), line=paragraph_line)
            paragraph.clear()
        if table:
            builder.table(table, lines=table_lines)
            table.clear()
            table_lines.clear()

    index = start
    while index < len(lines):
        raw = lines[index]
        number = index + 1
        index += 1
        if not raw.strip() or _FENCE.match(raw):
            flush()
            continue
        atx = _ATX.match(raw)
        if atx:
            flush()
            builder.heading(_inline(atx.group(2)), len(atx.group(1)), line=number)
            continue
        if table or ("|" in raw and index < len(lines) and _SEPARATOR.match(lines[index])):
            if "|" not in raw:
                flush()
            elif not _SEPARATOR.match(raw):
                if paragraph:
                    builder.paragraph(_inline(" ".join(paragraph)), line=paragraph_line)
                    paragraph.clear()
                table.append([_inline(c) for c in raw.strip().strip("|").split("|")])
                table_lines.append(number)
                continue
            else:
                continue
        setext = _SETEXT.match(raw)
        if setext and len(paragraph) == 1:
            builder.heading(
                _inline(paragraph[0]), 1 if setext.group(1)[0] == "=" else 2, line=paragraph_line
            )
            paragraph.clear()
            continue
        if setext and not paragraph:
            continue  # a thematic break
        if _ITEM.match(raw):
            flush()
            paragraph.append(_ITEM.sub("", raw, count=1))
            paragraph_line = number
            continue
        if not paragraph:
            paragraph_line = number
        paragraph.append(raw.strip())
    flush()
    return builder.doc


def _front_matter(lines: list[str], builder: Builder) -> int:
    """A YAML front matter block is metadata: its author field is reported, the rest scanned."""
    if not lines or lines[0].strip() != "---":
        return 0
    for end in range(1, min(len(lines), 200)):
        if lines[end].strip() in ("---", "..."):
            for line in lines[1:end]:
                author = _AUTHOR_KEY.match(line)
                if author:
                    builder.metadata("author", "auteur", author.group(2).strip().strip("'\""))
                else:
                    builder.outside(line, "en-tête du fichier")
            return end + 1
    return 0


def _inline(text: str) -> str:
    """Drop Markdown emphasis and tags; keep link targets (they may identify someone)."""
    text = _LINK.sub(lambda m: f"{m.group(1)} {m.group(2)}".strip(), text)
    text = _TAG.sub(" ", text)
    return _EMPHASIS.sub("", text).replace("\\", "")

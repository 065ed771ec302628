"""PDF text through pypdf: lines per page, headings from font size, paragraphs rebuilt."""

from __future__ import annotations

import io
import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from grading.dossier import errors
from grading.dossier.builder import Builder
from grading.dossier.document import Document, clean
from grading.dossier.safety import Budget, Limits

_SENTENCE_END = re.compile(r"[.!?:;»)]\s*$")
_ROW_HINT = re.compile(
    r"(?i)\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b.*\b\d+(?:[.,]\d+)?\s*(?:h|min)|"
    r"\b\d+(?:[.,]\d+)?\s*(?:h|min)\b.*\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b"
)


@dataclass
class _Line:
    text: str
    size: float
    bold: bool


@dataclass
class _Page:
    lines: list[str] = field(default_factory=list)
    styled: dict[str, _Line] = field(default_factory=dict)


def read_pdf(data: bytes, limits: Limits) -> Document:
    """Extract a PDF; encrypted or text-less files raise DossierFileError."""
    from pypdf import PdfReader  # imported here: only PDF uploads pay for it

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # its warnings may quote file content
    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        try:
            opened = reader.decrypt("")  # owner-password-only PDFs open without a password
        except Exception as error:  # noqa: BLE001 - pypdf raises several types (missing crypto, bad key)
            raise errors.encrypted() from error
        if not opened:
            raise errors.encrypted()
    count = len(reader.pages)
    if count == 0:
        raise errors.corrupt("Le PDF")
    if count > limits.max_pdf_pages:
        raise errors.too_long(f"plus de {limits.max_pdf_pages} pages")
    builder = Builder("pdf", limits, numbered=False)
    # Counted before pypdf parses anything: its parser costs about 3 µs per token, and a stream
    # shared by many pages (or a form drawn many times) is parsed again each time.
    counter = _Tokens(builder.budget)
    for each in reader.pages:
        counter.page(each)
    pages = [_page(page) for page in reader.pages]
    if not any(line for page in pages for line in page.lines):
        raise errors.no_text()
    levels = _heading_levels(pages)
    for number, page in enumerate(pages, start=1):
        _emit(page, number, builder, levels)
    _metadata(reader, builder)
    return builder.doc


#: One token of a content stream: a string, a name, a number, an operator or a delimiter.
_TOKEN = re.compile(
    rb"\((?:\\.|[^\\()])*\)"  # literal string (a nested one counts a few tokens more)
    rb"|<<|>>|<[0-9A-Fa-f\s]*>"  # dictionary delimiters, hex string
    rb"|/[^\s/\[\]()<>{}%]*"  # name
    rb"|%[^\r\n]*"  # comment
    rb"|[^\s/\[\]()<>{}%]+"  # number or operator
    rb"|[\[\]{}()<>]",  # any other delimiter
    re.S,
)
_FORM_DEPTH = 8


class _Tokens:
    """Count the content-stream tokens pypdf will parse for each page, in the document's budget.

    A stream is counted for every page that uses it and a form XObject for every ``Do`` that
    draws it (that is how often pypdf parses them); the count of one stream is computed once.
    """

    def __init__(self, budget: Budget) -> None:
        self.budget = budget
        self._streams: dict[Any, tuple[int, list[bytes]]] = {}

    def page(self, page: Any) -> None:
        """Spend the tokens of one page (its content streams and the forms they draw)."""
        contents = page.get("/Contents")
        contents = contents.get_object() if contents is not None else None
        streams = contents if isinstance(contents, list) else [contents]
        for stream in streams:
            self._spend(stream, page.get("/Resources"), 0)

    def _spend(self, stream: Any, resources: Any, depth: int) -> None:
        if stream is None:
            return
        if depth > _FORM_DEPTH:
            raise errors.too_complex("formes imbriquées")
        stream = stream.get_object()
        count, drawn = self._count(stream)
        self.budget.spend_nodes(count, "éléments de contenu PDF")
        if not drawn:
            return
        xobjects = _resolve(_resolve(resources, None), "/XObject")
        for name in drawn:
            target = _resolve(xobjects, name.decode("latin-1"))
            if target is not None and _resolve(target, "/Subtype") == "/Form":
                self._spend(target, _resolve(target, "/Resources") or resources, depth + 1)

    def _count(self, stream: Any) -> tuple[int, list[bytes]]:
        key = getattr(stream, "indirect_reference", None)
        key = (key.idnum, key.generation) if key is not None else id(stream)
        if key not in self._streams:
            try:
                data = stream.get_data()
            except Exception:  # noqa: BLE001 - pypdf will report the damaged stream itself
                data = b""
            count = 0
            drawn: list[bytes] = []
            previous = b""
            cap = self.budget.limits.max_nodes - self.budget.nodes + 1
            for match in _TOKEN.finditer(data):
                count += 1
                token = match.group()
                if token == b"Do" and previous.startswith(b"/"):
                    drawn.append(previous)
                previous = token
                if count > cap:
                    break  # over the budget already: the caller raises
            self._streams[key] = (count, drawn)
        return self._streams[key]


def _resolve(container: Any, key: str | None) -> Any:
    """``container[key]`` (or the container itself) as a direct object; None when absent."""
    if key is not None:
        container = container.get(key) if hasattr(container, "get") else None
    return container.get_object() if container is not None else None


def _page(page: Any) -> _Page:
    result = _Page()
    chunks: list[tuple[float, float, bool, str]] = []

    def visit(text: str, cm: list[float], tm: list[float], font: Any, size: float) -> None:
        if not text.strip():
            return
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        scale = abs(tm[3] * cm[3]) or abs(tm[0] * cm[0]) or 1.0
        name = str(font.get("/BaseFont", "")) if isinstance(font, dict) else ""
        chunks.append((round(y, 0), size * scale, "bold" in name.lower(), text))

    text = page.extract_text(visitor_text=visit) or ""
    result.lines = [line for line in (clean(raw) for raw in text.splitlines()) if line]
    by_y: dict[float, list[tuple[float, bool, str]]] = {}
    for y, size, bold, chunk in chunks:
        by_y.setdefault(y, []).append((size, bold, chunk))
    for parts in by_y.values():
        joined = clean("".join(chunk for _, _, chunk in parts))
        key = _key(joined)
        if key:
            result.styled[key] = _Line(
                joined, max(size for size, _, _ in parts), all(bold for _, bold, _ in parts)
            )
    return result


def _key(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _heading_levels(pages: list[_Page]) -> dict[float, int]:
    """Font sizes clearly above the body size, largest first: level 1, 2…"""
    weights: Counter[float] = Counter()
    for page in pages:
        for line in page.styled.values():
            weights[round(line.size, 1)] += len(line.text)
    if not weights:
        return {}
    body = weights.most_common(1)[0][0]
    bigger = sorted({size for size in weights if size >= body * 1.15}, reverse=True)
    return {size: level for level, size in enumerate(bigger[:6], start=1)}


def _emit(page: _Page, number: int, builder: Builder, levels: dict[float, int]) -> None:
    deepest = max(levels.values(), default=0) + 1
    widest = max((len(line) for line in page.lines), default=0)
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            builder.paragraph(" ".join(paragraph), page=number)
            paragraph.clear()

    for line in page.lines:
        styled = page.styled.get(_key(line))
        level = levels.get(round(styled.size, 1)) if styled else None
        short = len(line.split()) <= 12 and not _SENTENCE_END.search(line)
        if level is None and not levels and styled is not None and styled.bold and short:
            level = deepest  # bold lines are headings only when no font size marks them
        if level is not None and short:
            flush()
            builder.heading(line, level, page=number)
        elif _ROW_HINT.search(line):
            flush()
            builder.paragraph(line, page=number)
        else:
            paragraph.append(line)
            if _SENTENCE_END.search(line) or len(line) < 0.6 * widest:
                flush()
    flush()


def _metadata(reader: Any, builder: Builder) -> None:
    info = reader.metadata
    if info is not None:
        builder.metadata("author", "auteur", _string(info.get("/Author")))
        for key in ("/Title", "/Subject", "/Keywords"):
            builder.outside(_string(info.get(key)), "propriétés du document")
    try:
        xmp = reader.xmp_metadata
        creators = xmp.dc_creator if xmp is not None else None
    except Exception:  # noqa: BLE001 - malformed XMP must not stop the analysis
        creators = None
    for creator in creators or []:
        builder.metadata("author", "auteur", _string(creator))


def _string(value: object) -> str:
    return value if isinstance(value, str) else ""

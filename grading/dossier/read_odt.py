"""ODT (OpenDocument text) read directly from its bounded XML members."""

from __future__ import annotations

from xml.etree import ElementTree as ET  # noqa: S405 - trees come from safety.parse_xml

from grading.dossier import errors
from grading.dossier.builder import Builder
from grading.dossier.document import Document
from grading.dossier.safety import Limits, SafeZip, local, parse_xml

TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
STYLE = "{urn:oasis:names:tc:opendocument:xmlns:style:1.0}"
DC = "{http://purl.org/dc/elements/1.1/}"
META = "{urn:oasis:names:tc:opendocument:xmlns:meta:1.0}"
_INDEXES = {
    f"{TEXT}table-of-content",
    f"{TEXT}alphabetical-index",
    f"{TEXT}illustration-index",
    f"{TEXT}table-index",
    f"{TEXT}object-index",
    f"{TEXT}user-index",
    f"{TEXT}bibliography",
}
_CONTAINERS = {f"{TEXT}section", f"{TEXT}list", f"{TEXT}list-item", f"{TEXT}list-header"}
_ROW_GROUPS = {f"{TABLE}table-header-rows", f"{TABLE}table-rows", f"{TABLE}table-row-group"}


def read_odt(data: bytes, limits: Limits) -> Document:
    """Extract an ODT: body, master-page headers and footers, comments, meta.xml."""
    archive = SafeZip(data, limits)
    builder = Builder("odt", limits)
    budget = builder.budget
    try:
        root = parse_xml(archive.read("content.xml"), budget)
    except KeyError as error:
        raise errors.corrupt("Le document ODT") from error
    body = root.find(f"{OFFICE}body/{OFFICE}text")
    if body is None:
        raise errors.corrupt("Le document ODT")
    _walk(body, builder)
    for annotation in root.iter(f"{OFFICE}annotation"):
        budget.walk("commentaires")
        builder.outside(_text(annotation), "commentaire")
        creator = annotation.find(f"{DC}creator")
        builder.metadata(
            "comment_author",
            "auteur de commentaires",
            creator.text if creator is not None else None,
        )
    for changes in root.iter(f"{TEXT}tracked-changes"):
        if len(changes):
            builder.doc.revisions = True
        for creator in changes.iter(f"{DC}creator"):
            builder.metadata("revision_author", "auteur de modifications suivies", creator.text)
    if archive.has("styles.xml"):
        styles = parse_xml(archive.read("styles.xml"), budget)
        for page in styles.iter(f"{STYLE}master-page"):
            for part in page:
                name = "en-tête" if "header" in local(part.tag) else "pied de page"
                for paragraph in part.iter(f"{TEXT}p"):
                    budget.walk("paragraphes")
                    builder.outside(_text(paragraph), name)
    if archive.has("meta.xml"):
        meta = parse_xml(archive.read("meta.xml"), budget)
        for element in meta.iter():
            if element.tag == f"{META}initial-creator":
                builder.metadata("author", "auteur", element.text)
            elif element.tag == f"{DC}creator":
                builder.metadata("last_modified_by", "dernière modification par", element.text)
            elif element.tag in (
                f"{DC}title",
                f"{DC}subject",
                f"{DC}description",
                f"{META}keyword",
            ):
                builder.outside(element.text or "", "propriétés du document")
    return builder.doc


def _walk(container: ET.Element, builder: Builder) -> None:
    for element in container:
        tag = element.tag
        if tag in (f"{TEXT}h", f"{TEXT}p"):
            builder.budget.walk("paragraphes")
        if tag == f"{TEXT}h":
            level = element.get(f"{TEXT}outline-level") or "1"
            builder.heading(_text(element), int(level) if level.isdigit() else 1)
        elif tag == f"{TEXT}p":
            builder.paragraph(_text(element))
        elif tag in _CONTAINERS:
            _walk(element, builder)
        elif tag == f"{TABLE}table":
            builder.table([_row(row, builder) for row in _rows(element)])
        elif tag in _INDEXES or tag == f"{TEXT}tracked-changes":
            continue


def _rows(table: ET.Element) -> list[ET.Element]:
    rows: list[ET.Element] = []
    for child in table:
        if child.tag == f"{TABLE}table-row":
            rows.append(child)
        elif child.tag in _ROW_GROUPS:
            rows.extend(_rows(child))
    return rows


def _row(row: ET.Element, builder: Builder) -> list[str]:
    cells = [c for c in row if c.tag in (f"{TABLE}table-cell", f"{TABLE}covered-table-cell")]
    builder.budget.walk("cellules de tableau", len(cells) + 1)
    return [_text(cell) for cell in cells]


def _text(element: ET.Element) -> str:
    """Visible text, with text:s/tab/line-break as spaces; comments and deletions left out."""
    out: list[str] = [element.text or ""]

    def visit(node: ET.Element) -> None:
        for child in node:
            tag = child.tag
            if tag in (f"{OFFICE}annotation", f"{TEXT}tracked-changes", f"{TEXT}note-citation"):
                pass
            elif tag == f"{TEXT}s":
                count = child.get(f"{TEXT}c") or "1"
                out.append(" " * min(int(count) if count.isdigit() else 1, 100))
            elif tag in (f"{TEXT}tab", f"{TEXT}line-break"):
                out.append(" ")
            else:
                out.append(child.text or "")
                visit(child)
                if tag in (f"{TEXT}p", f"{TEXT}h"):
                    out.append(" ")
            out.append(child.tail or "")

    visit(element)
    return "".join(out)

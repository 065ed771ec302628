"""DOCX (WordprocessingML) read directly from its bounded XML members."""

from __future__ import annotations

import re
from xml.etree import ElementTree as ET  # noqa: S405 - trees come from safety.parse_xml

from grading.dossier import errors
from grading.dossier.builder import Builder
from grading.dossier.document import Document
from grading.dossier.safety import Budget, Limits, SafeZip, local, parse_xml

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
HEADING_NAME = re.compile(r"(?i)^(?:heading|titre|[üu]berschrift|t[íi]tulo)\s*(\d)$")
TITLE_NAMES = {"title", "titre"}
TOC_NAME = re.compile(r"(?i)^(?:toc|tm|table des mati)")
_SKIPPED = {f"{W}delText", f"{W}instrText", f"{MC}Fallback", f"{W}pPr", f"{W}rPr"}


def read_docx(data: bytes, limits: Limits) -> Document:
    """Extract a DOCX: body, headers and footers, notes, comments, core properties."""
    archive = SafeZip(data, limits)
    builder = Builder("docx", limits)
    budget = builder.budget
    try:
        root = parse_xml(archive.read("word/document.xml"), budget)
    except KeyError as error:
        raise errors.corrupt("Le document Word") from error
    levels = _style_levels(archive, budget)
    body = root.find(f"{W}body")
    if body is None:
        raise errors.corrupt("Le document Word")
    _walk(body, builder, levels)
    if any(True for _ in root.iter(f"{W}ins")) or any(True for _ in root.iter(f"{W}del")):
        builder.doc.revisions = True
        for element in [*root.iter(f"{W}ins"), *root.iter(f"{W}del")]:
            builder.metadata(
                "revision_author", "auteur de modifications suivies", element.get(f"{W}author")
            )
    for name in archive.names():
        part = _part_name(name)
        if part is None:
            continue
        tree = parse_xml(archive.read(name), budget)
        for paragraph in tree.iter(f"{W}p"):
            budget.walk("paragraphes")
            builder.outside(_text(paragraph), part)
        if part == "commentaire":
            for comment in tree.iter(f"{W}comment"):
                builder.metadata(
                    "comment_author", "auteur de commentaires", comment.get(f"{W}author")
                )
    _properties(archive, builder)
    _links(archive, builder)
    return builder.doc


def _part_name(name: str) -> str | None:
    if re.fullmatch(r"word/header\d*\.xml", name):
        return "en-tête"
    if re.fullmatch(r"word/footer\d*\.xml", name):
        return "pied de page"
    if name in ("word/footnotes.xml", "word/endnotes.xml"):
        return "note"
    if name == "word/comments.xml":
        return "commentaire"
    return None


def _style_levels(archive: SafeZip, budget: Budget) -> dict[str, int]:
    """styleId -> heading level (0: document title), following basedOn chains."""
    if not archive.has("word/styles.xml"):
        return {}
    root = parse_xml(archive.read("word/styles.xml"), budget)
    own: dict[str, int] = {}
    parent: dict[str, str] = {}
    for style in root.iter(f"{W}style"):
        style_id = style.get(f"{W}styleId") or ""
        name_element = style.find(f"{W}name")
        name = (name_element.get(f"{W}val") if name_element is not None else None) or style_id
        match = HEADING_NAME.match(name) or HEADING_NAME.match(style_id)
        outline = style.find(f"{W}pPr/{W}outlineLvl")
        if match:
            own[style_id] = int(match.group(1))
        elif name.lower() in TITLE_NAMES:
            own[style_id] = 0
        elif TOC_NAME.match(name) or TOC_NAME.match(style_id):
            own[style_id] = -1
        elif outline is not None and (outline.get(f"{W}val") or "").isdigit():
            value = int(outline.get(f"{W}val") or "9")
            if value < 9:
                own[style_id] = value + 1
        based = style.find(f"{W}basedOn")
        if based is not None and based.get(f"{W}val"):
            parent[style_id] = based.get(f"{W}val") or ""
    levels: dict[str, int] = {}
    for style_id in {*own, *parent}:
        current: str | None = style_id
        for _ in range(10):
            if current is None:
                break
            if current in own:
                levels[style_id] = own[current]
                break
            current = parent.get(current)
    return levels


def _walk(container: ET.Element, builder: Builder, levels: dict[str, int]) -> None:
    for element in container:
        tag = element.tag
        if tag == f"{W}p":
            builder.budget.walk("paragraphes")
            _paragraph(element, builder, levels)
        elif tag == f"{W}tbl":
            builder.table([_cells(row, builder) for row in _children(element, "tr")])
        elif tag == f"{W}sdt":
            gallery = element.find(f"{W}sdtPr/{W}docPartObj/{W}docPartGallery")
            if gallery is not None and "contents" in (gallery.get(f"{W}val") or "").lower():
                continue  # table of contents: repeats the headings
            content = element.find(f"{W}sdtContent")
            if content is not None:
                _walk(content, builder, levels)
        elif tag in (f"{W}customXml", f"{W}ins", f"{W}smartTag"):
            _walk(element, builder, levels)


def _cells(row: ET.Element, builder: Builder) -> list[str]:
    """The text of a row's cells, each cell counted in the document's budget."""
    cells = _children(row, "tc")
    builder.budget.walk("cellules de tableau", len(cells) + 1)
    return [_text(cell) for cell in cells]


def _children(element: ET.Element, name: str) -> list[ET.Element]:
    """Direct rows or cells, including those wrapped in content controls (w:sdt, w:customXml)."""
    found: list[ET.Element] = []
    for child in element:
        if child.tag == f"{W}{name}":
            found.append(child)
        elif child.tag in (f"{W}sdt", f"{W}customXml"):
            content = child.find(f"{W}sdtContent") if child.tag == f"{W}sdt" else child
            if content is not None:
                found += _children(content, name)
    return found


def _paragraph(element: ET.Element, builder: Builder, levels: dict[str, int]) -> None:
    text = _text(element)
    style = element.find(f"{W}pPr/{W}pStyle")
    style_id = (style.get(f"{W}val") or "") if style is not None else ""
    level = levels.get(style_id)
    if level is None:
        match = HEADING_NAME.match(style_id)
        level = int(match.group(1)) if match else None
    outline = element.find(f"{W}pPr/{W}outlineLvl")
    if level is None and outline is not None and (outline.get(f"{W}val") or "").isdigit():
        value = int(outline.get(f"{W}val") or "9")
        level = value + 1 if value < 9 else None
    if level == -1:
        return  # a table-of-contents entry
    if level is not None:
        builder.heading(text, level)
    else:
        builder.paragraph(text)


def _text(element: ET.Element) -> str:
    """Visible text of a paragraph or cell: runs, tabs and breaks; deleted text left out."""
    out: list[str] = []

    def visit(node: ET.Element) -> None:
        for child in node:
            tag = child.tag
            if tag in _SKIPPED:
                continue
            if tag == f"{W}t":
                out.append(child.text or "")
            elif tag in (f"{W}tab", f"{W}br", f"{W}cr"):
                out.append(" ")
            elif tag == f"{W}noBreakHyphen":
                out.append("-")
            elif tag == f"{W}p":
                visit(child)
                out.append(" ")
            else:
                visit(child)

    visit(element)
    return "".join(out)


def _properties(archive: SafeZip, builder: Builder) -> None:
    if archive.has("docProps/core.xml"):
        core = parse_xml(archive.read("docProps/core.xml"), builder.budget)
        for element in core:
            name = local(element.tag)
            value = (element.text or "").strip()
            if name == "creator":
                builder.metadata("author", "auteur", value)
            elif name == "lastModifiedBy":
                builder.metadata("last_modified_by", "dernière modification par", value)
            elif name in ("title", "subject", "keywords", "description"):
                builder.outside(value, "propriétés du document")
    if archive.has("docProps/app.xml"):
        app = parse_xml(archive.read("docProps/app.xml"), builder.budget)
        for element in app:
            if local(element.tag) == "Manager":
                builder.metadata("manager", "responsable", element.text)


def _links(archive: SafeZip, builder: Builder) -> None:
    """Hyperlink targets: a mailto: or a profile URL can hide behind neutral link text."""
    name = "word/_rels/document.xml.rels"
    if not archive.has(name):
        return
    for relation in parse_xml(archive.read(name), builder.budget).iter(f"{REL}Relationship"):
        if (relation.get("TargetMode") or "") == "External":
            target = relation.get("Target") or ""
            builder.outside(target.removeprefix("mailto:"), "lien hypertexte")

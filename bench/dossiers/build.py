"""Build the labelled set bench/dossiers/ from the marked sources in bench/dossiers/src/.

    .venv/bin/python bench/dossiers/build.py

A source is a Markdown dossier with a JSON header (between ``---json`` and ``---``: format,
style, pseudonyms declared with the upload, expected requirements) and marks around what the
labels list, each occurrence where it stands:

    {{pii:first_name|Chantal}}   personal data (kind|text)
    {{dec:org|Alto Conseil}}     a decoy: looks like personal data, is not
    {{h|hernie discale}}         health data about the bénéficiaire
    {{hd|traitements}}           health vocabulary that is not (a job's, someone else's)

The marks are removed; ``files/`` receives the dossier (Markdown, or DOCX when the header says
so: headings, paragraphs and tables) and ``labels.json`` the labels, in the shared bench's
format (the section of each label is the last ``#``/``##`` heading above it).
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
MARK = re.compile(r"\{\{(pii|dec|h|hd)(?::([a-z_]+))?\|([^}]+)\}\}")


def parse(source: str) -> tuple[dict[str, Any], str, dict[str, list[dict[str, str]]]]:
    header_text, body = source.split("\n---\n", 1)
    header = json.loads(header_text.removeprefix("---json\n"))
    labels: dict[str, list[dict[str, str]]] = {
        "pii": [],
        "decoys": [],
        "health": [],
        "health_decoys": [],
    }
    section = "début"
    lines = []
    for line in body.splitlines():
        heading = re.match(r"^#{1,2}\s+(.*)", line)
        if heading:
            section = re.sub(r"\{\{[^|]+\|([^}]+)\}\}", r"\1", heading.group(1)).strip()
        for match in MARK.finditer(line):
            kind, sub, text = match.groups()
            key = {"pii": "pii", "dec": "decoys", "h": "health", "hd": "health_decoys"}[kind]
            labels[key].append({"kind": sub or "term", "text": text, "where": section})
        lines.append(MARK.sub(lambda m: m.group(3), line))
    return header, "\n".join(lines) + "\n", labels


Piece = tuple[str, object]  # ("heading", (level, text)), ("paragraph", text), ("table", rows)


def pieces(text: str) -> list[Piece]:
    """Headings, paragraphs and tables of the Markdown subset the sources use."""
    out: list[Piece] = []
    rows: list[list[str]] = []
    for line in [*text.splitlines(), ""]:
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if not all(re.fullmatch(r":?-+:?", c) for c in cells):
                rows.append(cells)
            continue
        if rows:
            out.append(("table", rows))
            rows = []
        heading = re.match(r"^(#{1,3})\s+(.*)", line)
        if heading:
            out.append(("heading", (len(heading.group(1)), heading.group(2))))
        elif line.strip():
            out.append(("paragraph", line.lstrip("-*> ").strip()))
    return out


def to_docx(text: str, author: str = "") -> bytes:
    from docx import Document

    doc = Document()
    doc.core_properties.author = author
    doc.core_properties.last_modified_by = author
    for kind, value in pieces(text):
        if kind == "heading":
            level, title = value  # type: ignore[misc]
            doc.add_heading(title, level=level)
        elif kind == "paragraph":
            doc.add_paragraph(str(value))
        else:
            rows = value  # type: ignore[assignment]
            table = doc.add_table(rows=0, cols=len(rows[0]))
            for cells in rows:
                for cell, cell_text in zip(table.add_row().cells, cells, strict=False):
                    cell.text = cell_text
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def to_odt(text: str, author: str = "") -> bytes:
    from odf.meta import InitialCreator
    from odf.opendocument import OpenDocumentText
    from odf.table import Table, TableCell, TableColumn, TableRow
    from odf.text import H, P

    document = OpenDocumentText()
    if author:
        document.meta.addElement(InitialCreator(text=author))
    for kind, value in pieces(text):
        if kind == "heading":
            level, title = value  # type: ignore[misc]
            document.text.addElement(H(outlinelevel=level, text=title))
        elif kind == "paragraph":
            document.text.addElement(P(text=str(value)))
        else:
            rows = value  # type: ignore[assignment]
            table = Table()
            table.addElement(TableColumn(numbercolumnsrepeated=len(rows[0])))
            for cells in rows:
                row = TableRow()
                for cell_text in cells:
                    cell = TableCell()
                    cell.addElement(P(text=cell_text))
                    row.addElement(cell)
                table.addElement(row)
            document.text.addElement(table)
    out = io.BytesIO()
    document.write(out)
    return out.getvalue()


def to_pdf(text: str, author: str = "") -> bytes:
    from fpdf import FPDF

    def latin(value: str) -> str:
        return (
            value.replace("’", "'")
            .replace("œ", "oe")
            .replace("—", "-")
            .replace("–", "-")
            .replace("…", "...")
        )

    pdf = FPDF()
    pdf.set_author(author)
    pdf.add_page()
    for kind, value in pieces(text):
        if kind == "heading":
            level, title = value  # type: ignore[misc]
            pdf.set_font("helvetica", "B", size=16 - 2 * level)
            pdf.multi_cell(0, 8, latin(title), new_x="LMARGIN", new_y="NEXT")
        elif kind == "paragraph":
            pdf.set_font("helvetica", size=11)
            pdf.multi_cell(0, 6, latin(str(value)), new_x="LMARGIN", new_y="NEXT")
        else:
            pdf.set_font("helvetica", size=10)
            with pdf.table() as table:
                for cells in value:  # type: ignore[attr-defined]
                    row = table.row()
                    for cell_text in cells:
                        row.cell(latin(cell_text))
    return bytes(pdf.output())


WRITERS = {"docx": to_docx, "odt": to_odt, "pdf": to_pdf}


def main() -> None:
    labels: dict[str, Any] = {}
    (HERE / "files").mkdir(exist_ok=True)
    for path in sorted((HERE / "src").glob("*.md")):
        header, text, found = parse(path.read_text("utf-8"))
        kind = header.pop("format", "md")
        name = f"files/{path.stem}.{kind}"
        author = header.pop("author", "")
        if author:
            found["pii"].append({"kind": "metadata", "text": author, "where": "propriétés: auteur"})
        if kind in WRITERS:
            (HERE / name).write_bytes(WRITERS[kind](text, author))
        else:
            (HERE / name).write_text(text, "utf-8")
        key = path.stem.split("-")[0]
        for group, items in found.items():
            for n, item in enumerate(items, 1):
                item["id"] = f"{key}-{group}{n}"
        labels[key] = {"file": name, "format": kind, **header, **found}
    (HERE / "labels.json").write_text(
        json.dumps(labels, ensure_ascii=False, indent=1) + "\n", "utf-8"
    )


if __name__ == "__main__":
    main()

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
    labels: dict[str, list[dict[str, str]]] = {"pii": [], "decoys": [], "health": [], "health_decoys": []}
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


def to_docx(text: str, author: str = "") -> bytes:
    from docx import Document

    doc = Document()
    doc.core_properties.author = author
    doc.core_properties.last_modified_by = author
    rows: list[list[str]] = []

    def flush() -> None:
        if not rows:
            return
        table = doc.add_table(rows=0, cols=len(rows[0]))
        for cells in rows:
            row = table.add_row().cells
            for cell, value in zip(row, cells, strict=False):
                cell.text = value
        rows.clear()

    for line in text.splitlines():
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if not all(re.fullmatch(r":?-+:?", c) for c in cells):
                rows.append(cells)
            continue
        flush()
        heading = re.match(r"^(#{1,3})\s+(.*)", line)
        if heading:
            doc.add_heading(heading.group(2), level=len(heading.group(1)))
        elif line.strip():
            doc.add_paragraph(line.lstrip("-* ").strip())
    flush()
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


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
        if kind == "docx":
            data = to_docx(text, author)
            (HERE / name).write_bytes(data)
        else:
            (HERE / name).write_text(text, "utf-8")
        key = path.stem.split("-")[0]
        for group, items in found.items():
            for n, item in enumerate(items, 1):
                item["id"] = f"{key}-{group}{n}"
        labels[key] = {"file": name, "format": kind, **header, **found}
    (HERE / "labels.json").write_text(json.dumps(labels, ensure_ascii=False, indent=1) + "\n", "utf-8")


if __name__ == "__main__":
    main()

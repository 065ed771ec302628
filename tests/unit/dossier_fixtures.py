"""Dossiers generated on the fly (python-docx, odfpy, fpdf2, Markdown) and malicious files.

Nothing binary is committed: every test builds the file it needs, in a few milliseconds.
"""

from __future__ import annotations

import io
import random
import struct
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import cache

from grading.dossier import DossierRequirement

MAX = 5 * 1024 * 1024

Row = tuple[str, ...]


def requirements() -> list[DossierRequirement]:
    """The cahier des charges as the tests define it (the real one is checked in tests/content)."""
    return [
        DossierRequirement(
            "cadre",
            "Cadre",
            ("Cadre", "Cadre de l'accompagnement"),
            ("section_present", "word_count", "session_hours", "consent"),
            100,
        ),
        DossierRequirement(
            "analyse-demande",
            "Analyse de la demande",
            ("Analyse de la demande",),
            ("section_present", "word_count"),
            150,
        ),
        DossierRequirement(
            "parcours",
            "Parcours",
            ("Parcours", "Déroulement du parcours"),
            ("section_present", "phases"),
        ),
        DossierRequirement(
            "posture",
            "Posture",
            ("Posture", "Posture du consultant"),
            ("section_present", "word_count"),
            150,
        ),
        DossierRequirement(
            "exploration",
            "Exploration",
            ("Exploration", "Exploration du parcours"),
            ("section_present", "word_count"),
            150,
        ),
        DossierRequirement(
            "outils",
            "Outils",
            ("Outils", "Outils utilisés"),
            ("section_present", "tool_justification"),
        ),
        DossierRequirement(
            "plan-action",
            "Plan d'action",
            ("Plan d'action",),
            ("section_present", "dated_actions", "follow_up"),
        ),
        DossierRequirement(
            "annexes",
            "Annexes",
            ("Annexes",),
            ("section_present", "consent", "anonymisation", "health_terms"),
        ),
    ]


FILLER = (
    "Le bénéficiaire a exprimé ses attentes et nous avons travaillé ensemble sur ses objectifs. "
    * 12
)
SESSIONS: list[Row] = [
    ("05/01/2026", "2 h", "préliminaire"),
    ("12/01/2026", "1h30", "investigation"),
    ("19/01/2026", "2 h", "investigation"),
    ("26/01/2026", "2 h", "investigation"),
    ("02/02/2026", "90 min", "conclusion"),
    ("09/02/2026", "1 h", "conclusion"),
]
#: 8.5 hours: the first four sessions and a last one of one hour.
SHORT_SESSIONS: list[Row] = [*SESSIONS[:4], ("02/02/2026", "1 h", "conclusion")]
FOLLOW_UP = "Entretien de suivi prévu à six mois, en septembre 2026."


@dataclass(frozen=True)
class Part:
    """One section of a generated dossier."""

    heading: str
    paragraphs: tuple[str, ...] = ()
    rows: tuple[Row, ...] = ()


@dataclass(frozen=True)
class Dossier:
    """A generated dossier: its sections, and what the file carries besides them."""

    parts: tuple[Part, ...]
    author: str = ""
    footer: str = ""

    def with_part(self, name: str, /, **changes: object) -> Dossier:
        """A copy with one section changed (paragraphs=…, rows=…, heading=…)."""
        parts = tuple(replace(p, **changes) if p.heading == name else p for p in self.parts)  # type: ignore[arg-type]
        return replace(self, parts=parts)

    def without(self, heading: str) -> Dossier:
        """A copy without one section."""
        return replace(self, parts=tuple(p for p in self.parts if p.heading != heading))

    def adding(self, heading: str, paragraph: str) -> Dossier:
        """A copy with one more paragraph at the end of a section."""
        part = next(p for p in self.parts if p.heading == heading)
        return self.with_part(heading, paragraphs=(*part.paragraphs, paragraph))


def complete(hours: Sequence[Row] = SESSIONS, follow_up: bool = True, extra: str = "") -> Dossier:
    """A complete, anonymised dossier that passes every automatic check."""
    plan = [
        "Contacter deux associations avant le 15/03/2026.",
        "Constituer le dossier de financement en avril 2026.",
    ]
    if follow_up:
        plan.append(FOLLOW_UP)
    return Dossier(
        (
            Part(
                "Cadre de l'accompagnement",
                (
                    FILLER,
                    "Le consentement écrit de Mme B. a été recueilli ; confidentialité rappelée.",
                ),
                (("Date", "Durée", "Phase"), *hours),
            ),
            Part("Analyse de la demande", (FILLER * 2,)),
            Part(
                "Déroulement du parcours",
                (
                    "Phase préliminaire, phase d'investigation puis phase de conclusion, "
                    "dans cet ordre.",
                ),
            ),
            Part("Posture du consultant", (FILLER * 2,)),
            Part("Exploration du parcours", (FILLER * 3,)),
            Part(
                "Outils utilisés",
                (
                    "Le RIASEC a été proposé afin d'ouvrir des pistes de métiers.",
                    "La ligne de vie a été choisie pour retracer son parcours.",
                ),
            ),
            Part("Plan d'action", tuple(plan)),
            Part(
                "Annexes",
                ("Consentement du bénéficiaire joint. Feuilles d'émargement anonymisées." + extra,),
            ),
        )
    )


# --- writers ------------------------------------------------------------------------------------


def to_markdown(dossier: Dossier) -> bytes:
    """Markdown with ATX headings and pipe tables."""
    lines: list[str] = []
    if dossier.author:
        lines += ["---", f"author: {dossier.author}", "---", ""]
    for part in dossier.parts:
        lines += [f"## {part.heading}", ""]
        for paragraph in part.paragraphs:
            lines += [paragraph, ""]
        if part.rows:
            lines.append("| " + " | ".join(part.rows[0]) + " |")
            lines.append("|" + "---|" * len(part.rows[0]))
            lines += ["| " + " | ".join(row) + " |" for row in part.rows[1:]]
            lines.append("")
    if dossier.footer:
        lines += [dossier.footer, ""]
    return "\n".join(lines).encode()


def to_docx(dossier: Dossier, *, styled_headings: bool = True, last_modified_by: str = "") -> bytes:
    """DOCX through python-docx; headings in Heading 1 style, or bold Normal paragraphs."""
    import docx

    document = docx.Document()
    document.core_properties.author = dossier.author
    document.core_properties.last_modified_by = last_modified_by
    document.core_properties.comments = ""
    for part in dossier.parts:
        if styled_headings:
            document.add_heading(part.heading, level=1)
        else:
            document.add_paragraph().add_run(part.heading).bold = True
        for paragraph in part.paragraphs:
            document.add_paragraph(paragraph)
        if part.rows:
            table = document.add_table(rows=0, cols=len(part.rows[0]))
            for row in part.rows:
                for cell, value in zip(table.add_row().cells, row, strict=True):
                    cell.text = value
    if dossier.footer:
        document.sections[0].footer.paragraphs[0].text = dossier.footer
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def to_odt(dossier: Dossier) -> bytes:
    """ODT through odfpy, with a real table and the initial-creator metadata."""
    from odf.meta import InitialCreator
    from odf.opendocument import OpenDocumentText
    from odf.table import Table, TableCell, TableColumn, TableRow
    from odf.text import H, P

    document = OpenDocumentText()
    if dossier.author:
        document.meta.addElement(InitialCreator(text=dossier.author))
    for part in dossier.parts:
        document.text.addElement(H(outlinelevel=1, text=part.heading))
        for paragraph in part.paragraphs:
            document.text.addElement(P(text=paragraph))
        if part.rows:
            table = Table()
            table.addElement(TableColumn(numbercolumnsrepeated=len(part.rows[0])))
            for row in part.rows:
                table_row = TableRow()
                for value in row:
                    cell = TableCell()
                    cell.addElement(P(text=value))
                    table_row.addElement(cell)
                table.addElement(table_row)
            document.text.addElement(table)
    if dossier.footer:
        document.text.addElement(P(text=dossier.footer))
    out = io.BytesIO()
    document.write(out)
    return out.getvalue()


@dataclass
class PdfPages:
    """Where things landed in a generated PDF."""

    pages: dict[str, int] = field(default_factory=dict)


def to_pdf(
    dossier: Dossier,
    *,
    breaks: Sequence[str] = (),
    pages: PdfPages | None = None,
    v_align: str = "MIDDLE",
) -> bytes:
    """PDF through fpdf2: bold 15 pt headings, 11 pt text, a real table (cells aligned
    vertically as `v_align` says when one wraps); new pages before `breaks`."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_author(dossier.author)
    pdf.add_page()
    for part in dossier.parts:
        if part.heading in breaks:
            pdf.add_page()
        pdf.set_font("helvetica", "B", size=15)
        pdf.multi_cell(0, 8, part.heading, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("helvetica", size=11)
        for paragraph in part.paragraphs:
            pdf.multi_cell(0, 6, paragraph, new_x="LMARGIN", new_y="NEXT")
            if pages is not None:
                pages.pages[paragraph] = pdf.page_no()
        if part.rows:
            with pdf.table(v_align=v_align) as table:
                for row in part.rows:
                    cells = table.row()
                    for value in row:
                        cells.cell(value)
    return bytes(pdf.output())


WRITERS: dict[str, Callable[[Dossier], bytes]] = {
    "md": to_markdown,
    "docx": to_docx,
    "odt": to_odt,
    "pdf": to_pdf,
}


# --- the first version's helpers (tests/integration/test_dossier_web.py imports them) ------------


def sections(hours: Sequence[Row] = SESSIONS, follow_up: bool = True, extra: str = "") -> Dossier:
    """A complete dossier (hours, follow-up and an extra sentence in the annexes adjustable)."""
    return complete(hours, follow_up, extra)


def as_markdown(dossier: Dossier) -> bytes:
    """Markdown bytes of a dossier."""
    return to_markdown(dossier)


def as_docx(dossier: Dossier, author: str = "") -> bytes:
    """DOCX bytes of a dossier."""
    return to_docx(replace(dossier, author=author) if author else dossier)


# --- bad and malicious files ---------------------------------------------------------------------


def zip_of(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A zip archive with the given members."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


MINIMAL_DOCUMENT = (
    b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    b"<w:body><w:p><w:r><w:t>Cadre</w:t></w:r></w:p></w:body></w:document>"
)


def bomb_one_huge_member(megabytes: int = 64) -> bytes:
    """A DOCX-looking zip with one member of zeros (compresses about 1000:1)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("word/document.xml", MINIMAL_DOCUMENT)
        with archive.open("word/media/padding.bin", "w") as member:
            chunk = bytes(1024 * 1024)
            for _ in range(megabytes):
                member.write(chunk)
    return out.getvalue()


def bomb_many_members(count: int = 3000) -> bytes:
    """A DOCX-looking zip with thousands of tiny members."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("word/document.xml", MINIMAL_DOCUMENT)
        for index in range(count):
            archive.writestr(f"word/x/{index}.xml", b"")
    return out.getvalue()


def lying_header(real_size: int = 2 * 1024 * 1024, declared: int = 100) -> bytes:
    """A DOCX whose document.xml declares 100 bytes but inflates to megabytes."""
    body = b"<w:document>" + b" " * real_size + b"</w:document>"
    data = bytearray(zip_of({"word/document.xml": body}))
    # Patch the uncompressed size in the local header (offset 22) and the central directory (24).
    struct.pack_into("<I", data, 22, declared)
    central = data.rfind(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 24, declared)
    return bytes(data)


def billion_laughs() -> bytes:
    """A DOCX whose document.xml declares recursive entities."""
    xml = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
        b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        b"<w:body><w:p><w:r><w:t>&lol3;</w:t></w:r></w:p></w:body></w:document>"
    )
    return zip_of({"word/document.xml": xml})


def deeply_nested() -> bytes:
    """A DOCX whose XML nests elements far deeper than any real document."""
    depth = 5000
    xml = b"<w:document>" + b"<a>" * depth + b"</a>" * depth + b"</w:document>"
    return zip_of({"word/document.xml": xml})


def encrypted_pdf(user_password: str = "secret", owner_password: str | None = None) -> bytes:  # noqa: S107
    """A PDF encrypted by pypdf (with an empty user password it still opens)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(complete_pdf())))
    writer.encrypt(user_password=user_password, owner_password=owner_password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@cache
def complete_pdf() -> bytes:
    """The complete dossier as PDF, built once."""
    return to_pdf(complete())


def image_only_pdf() -> bytes:
    """A PDF page with only a drawn rectangle: no text to extract."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 100, 60, style="F")
    return bytes(pdf.output())


def random_bytes(size: int = 4096, seed: int = 7) -> bytes:
    """Reproducible noise."""
    return random.Random(seed).randbytes(size)


EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(200)
PNG = b"\x89PNG\r\n\x1a\n" + bytes(200)
OLE2_DOC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500)

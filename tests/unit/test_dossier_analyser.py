"""The dossier analyser on generated files: a complete dossier, each missing item, bad files."""

from __future__ import annotations

import io
import zipfile

import pytest

from grading.dossier.checks import Report, Requirement, analyse, compare
from grading.dossier.extract import DossierFileError

MAX = 5 * 1024 * 1024


def requirements() -> list[Requirement]:
    """The cahier des charges as the tests define it (the real one is checked in tests/content)."""
    return [
        Requirement(
            "cadre",
            "Cadre",
            ("Cadre", "Cadre de l'accompagnement"),
            ("section_present", "word_count", "session_hours", "consent"),
            100,
        ),
        Requirement(
            "analyse-demande",
            "Analyse de la demande",
            ("Analyse de la demande",),
            ("section_present", "word_count"),
            150,
        ),
        Requirement(
            "parcours",
            "Parcours",
            ("Parcours", "Déroulement du parcours"),
            ("section_present", "phases"),
        ),
        Requirement(
            "posture",
            "Posture",
            ("Posture", "Posture du consultant"),
            ("section_present", "word_count"),
            150,
        ),
        Requirement(
            "exploration",
            "Exploration",
            ("Exploration", "Exploration du parcours"),
            ("section_present", "word_count"),
            150,
        ),
        Requirement(
            "outils",
            "Outils",
            ("Outils", "Outils utilisés"),
            ("section_present", "tool_justification"),
        ),
        Requirement(
            "plan-action",
            "Plan d'action",
            ("Plan d'action",),
            ("section_present", "dated_actions", "follow_up"),
        ),
        Requirement(
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
SESSIONS = [
    ("05/01/2026", "2 h", "préliminaire"),
    ("12/01/2026", "1h30", "investigation"),
    ("19/01/2026", "2 h", "investigation"),
    ("26/01/2026", "2 h", "investigation"),
    ("02/02/2026", "90 min", "conclusion"),
    ("09/02/2026", "1 h", "conclusion"),
]


def sections(hours=SESSIONS, follow_up=True, extra=""):
    """(heading, paragraphs, table rows) of a complete, anonymised dossier."""
    return [
        (
            "Cadre de l'accompagnement",
            [FILLER, "Le consentement écrit de Mme B. a été recueilli ; confidentialité rappelée."],
            [("Date", "Durée", "Phase"), *hours],
        ),
        ("Analyse de la demande", [FILLER * 2], []),
        (
            "Déroulement du parcours",
            ["Phase préliminaire, phase d'investigation puis phase de conclusion, dans cet ordre."],
            [],
        ),
        ("Posture du consultant", [FILLER * 2], []),
        ("Exploration du parcours", [FILLER * 3], []),
        (
            "Outils utilisés",
            [
                "Le RIASEC a été proposé afin d'ouvrir des pistes de métiers.",
                "La ligne de vie a été choisie pour retracer son parcours.",
            ],
            [],
        ),
        (
            "Plan d'action",
            [
                "Contacter deux associations avant le 15/03/2026.",
                "Dossier de financement en avril 2026.",
            ]
            + (["Entretien de suivi prévu à six mois, en septembre 2026."] if follow_up else []),
            [],
        ),
        (
            "Annexes",
            ["Consentement du bénéficiaire joint. Feuilles d'émargement anonymisées." + extra],
            [],
        ),
    ]


def as_markdown(parts) -> bytes:
    lines = []
    for heading, paragraphs, rows in parts:
        lines += [f"## {heading}", ""] + [p + "\n" for p in paragraphs]
        if rows:
            lines.append("| " + " | ".join(rows[0]) + " |")
            lines.append("|---|---|---|")
            lines += ["| " + " | ".join(r) + " |" for r in rows[1:]]
    return "\n".join(lines).encode()


def as_docx(parts, author="") -> bytes:
    import docx

    document = docx.Document()
    document.core_properties.author = author
    for heading, paragraphs, rows in parts:
        document.add_heading(heading, level=1)
        for p in paragraphs:
            document.add_paragraph(p)
        if rows:
            table = document.add_table(rows=0, cols=3)
            for row in rows:
                cells = table.add_row().cells
                for cell, value in zip(cells, row, strict=True):
                    cell.text = value
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def as_pdf(parts, page3_extra="", where=None) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("helvetica", size=11)
    for index, (heading, paragraphs, rows) in enumerate(parts):
        if index % 3 == 0:
            pdf.add_page()
        pdf.multi_cell(0, 6, heading, new_x="LMARGIN", new_y="NEXT")
        for p in paragraphs:
            pdf.multi_cell(0, 6, p, new_x="LMARGIN", new_y="NEXT")
        for row in rows:
            pdf.multi_cell(0, 6, "   ".join(row), new_x="LMARGIN", new_y="NEXT")
        if index == 6 and page3_extra:
            pdf.multi_cell(0, 6, page3_extra, new_x="LMARGIN", new_y="NEXT")
            if where is not None:
                where.append(pdf.page_no())
    return bytes(pdf.output())


def statuses(report: Report) -> dict[str, str]:
    return {i.id: i.status for i in report.items}


@pytest.mark.parametrize("build", [as_markdown, as_docx])
def test_a_complete_dossier_is_all_green(build):
    report = analyse(build(sections()), requirements(), max_bytes=MAX)
    assert report.hours == 10.0
    assert [
        (i.id, [f.message for f in i.findings if f.severity != "info"])
        for i in report.items
        if i.status != "ok"
    ] == []
    assert report.all_green and report.anonymisation_findings == 0


def test_eight_and_a_half_hours_missing_follow_up_and_a_phone_on_page_3():
    short = SESSIONS[:-1][:4] + [("02/02/2026", "1 h", "conclusion")]
    page: list[int] = []
    data = as_pdf(
        sections(hours=short, follow_up=False),
        page3_extra="Joindre au 06 12 34 56 78 si besoin.",
        where=page,
    )
    report = analyse(data, requirements(), max_bytes=MAX)
    assert report.hours == 8.5
    cadre = next(i for i in report.items if i.id == "cadre")
    assert any("8.5 h" in f.message for f in cadre.findings) and cadre.status == "missing"
    plan = next(i for i in report.items if i.id == "plan-action")
    assert any("suivi" in f.message for f in plan.findings)
    annexes = next(i for i in report.items if i.id == "annexes")
    phone = [f for f in annexes.findings if "téléphone" in f.message]
    assert phone and phone[0].location == f"page {page[0]}" and page[0] >= 3


@pytest.mark.parametrize(
    ("extra", "label"),
    [
        (" Écrire à claire.martin@example.org.", "adresse e-mail"),
        (" NIR : 2 84 05 75 123 456 78.", "NIR"),
        (" Elle habite 12 rue des Lilas.", "adresse postale"),
        (" Profil : linkedin.com/in/claire-martin", "réseau social"),
        (" Née le 3 mars 1987.", "naissance"),
        (" Madame Durand a signé.", "nom de personne"),
    ],
)
def test_each_identifying_detail_is_found_with_its_location(extra, label):
    report = analyse(as_markdown(sections(extra=extra)), requirements(), max_bytes=MAX)
    annexes = next(i for i in report.items if i.id == "annexes")
    found = [f for f in annexes.findings if label in f.message]
    assert found and "Annexes" in found[0].location and annexes.status == "missing"


def test_author_metadata_and_missing_section_and_unjustified_tool():
    parts = [p for p in sections() if p[0] != "Posture du consultant"]
    parts = [
        (h, ["On a fait un génogramme."] if h == "Outils utilisés" else ps, r) for h, ps, r in parts
    ]
    report = analyse(as_docx(parts, author="Claire Martin"), requirements(), max_bytes=MAX)
    status = statuses(report)
    assert status["posture"] == "missing" and status["outils"] == "warning"
    annexes = next(i for i in report.items if i.id == "annexes")
    assert any("métadonnée" in f.message and "Claire Martin" in f.message for f in annexes.findings)


def test_compare_with_previous_report():
    before = analyse(as_markdown(sections(follow_up=False)), requirements(), max_bytes=MAX)
    after = analyse(as_markdown(sections()), requirements(), max_bytes=MAX)
    assert any("Plan d'action" in c and "conforme" in c for c in compare(before, after))
    assert Report.from_json(after.to_json()).to_json() == after.to_json()


def bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", "<w:document/>")
        z.writestr("big.bin", b"\0" * (60 * 1024 * 1024))
    return out.getvalue()


def encrypted_pdf() -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(as_pdf(sections()))))
    writer.encrypt("secret")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def image_only_pdf() -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 100, 60, style="F")
    return bytes(pdf.output())


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty"),
        (b"PK\x03\x04garbage", "corrupt"),
        (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\xff\xff", "type"),
        (bytes(range(256)) * 4, "type"),
        (b"%PDF-1.4 nonsense", "corrupt"),
    ],
)
def test_bad_files_get_a_clear_error(data, code):
    with pytest.raises(DossierFileError) as excinfo:
        analyse(data, requirements(), max_bytes=MAX)
    assert excinfo.value.code == code and excinfo.value.message


def test_zip_bomb_encrypted_and_image_only_pdf_and_size_limit():
    for data, code in [
        (bomb(), "bomb"),
        (encrypted_pdf(), "encrypted"),
        (image_only_pdf(), "no_text"),
    ]:
        with pytest.raises(DossierFileError) as excinfo:
            analyse(data, requirements(), max_bytes=MAX)
        assert excinfo.value.code == code
    assert (
        "ne contient pas de texte"
        in DossierFileError("no_text", "Votre PDF ne contient pas de texte").message
    )
    with pytest.raises(DossierFileError) as excinfo:
        analyse(as_markdown(sections()), requirements(), max_bytes=100)
    assert excinfo.value.code == "too_big"


def test_type_comes_from_content_not_name():
    from grading.dossier.extract import detect

    assert detect(as_docx(sections())) == "docx"
    assert detect(as_pdf(sections())) == "pdf"


def test_heading_normalisation_keeps_words_starting_like_roman_numerals():
    from grading.dossier.checks import normalise

    assert normalise("Investigation") == "investigation"
    assert normalise("II - Investigation") == "investigation"
    assert normalise("3.2 Outils utilisés") == "outils utilises"


def as_odt(parts, author="") -> bytes:
    from odf.meta import InitialCreator
    from odf.opendocument import OpenDocumentText
    from odf.table import Table, TableCell, TableColumn, TableRow
    from odf.text import H, P

    document = OpenDocumentText()
    if author:
        document.meta.addElement(InitialCreator(text=author))
    for heading, paragraphs, rows in parts:
        document.text.addElement(H(outlinelevel=1, text=heading))
        for p in paragraphs:
            document.text.addElement(P(text=p))
        if rows:
            table = Table()
            table.addElement(TableColumn(numbercolumnsrepeated=3))
            for row in rows:
                tr = TableRow()
                for value in row:
                    cell = TableCell()
                    cell.addElement(P(text=value))
                    tr.addElement(cell)
                table.addElement(tr)
            document.text.addElement(table)
    out = io.BytesIO()
    document.write(out)
    return out.getvalue()


def test_odt_dossier_is_read_with_its_table_and_author():
    report = analyse(as_odt(sections(), author="Claire Martin"), requirements(), max_bytes=MAX)
    assert report.kind == "odt" and report.hours == 10.0
    annexes = next(i for i in report.items if i.id == "annexes")
    assert any("Claire Martin" in f.message for f in annexes.findings)
    assert all(i.status == "ok" for i in report.items if i.id != "annexes")

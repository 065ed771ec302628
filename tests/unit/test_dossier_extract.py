"""Reading uploads: type from content, bounded decompression, clear errors, located blocks."""

from __future__ import annotations

import io
import random
from functools import cache

import pytest

from grading.dossier import DossierFileError, Limits, Report, analyse, detect_type, extract
from tests.unit import dossier_fixtures as fx
from tests.unit.dossier_fixtures import MAX, Dossier, complete, requirements


def refused(data: bytes, limits: Limits | None = None, max_bytes: int = MAX) -> DossierFileError:
    with pytest.raises(DossierFileError) as caught:
        analyse(data, requirements(), max_bytes=max_bytes, limits=limits)
    assert caught.value.message_fr and caught.value.message == caught.value.message_fr
    return caught.value


@cache
def sample(kind: str) -> bytes:
    return fx.WRITERS[kind](complete())


# --- type from content -------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["md", "docx", "odt", "pdf"])
def test_type_comes_from_the_content(kind):
    assert detect_type(sample(kind)) == kind


def test_a_docx_renamed_pdf_is_read_as_a_docx():
    # The analyser never sees the file name: « dossier.pdf » holding a DOCX is analysed as DOCX.
    report = analyse(sample("docx"), requirements(), max_bytes=MAX)
    assert report.kind == "docx" and report.all_green


@pytest.mark.parametrize(
    ("data", "code", "words"),
    [
        (b"", "empty", "vide"),
        (b"  \n\t\n", "empty", "vide"),
        (fx.EXE, "type", "programme"),
        (fx.PNG, "type", "image"),
        (fx.OLE2_DOC, "type", ".docx"),
        (b"{\\rtf1\\ansi Bonjour}", "type", "RTF"),
        (fx.random_bytes(), "type", "non pris en charge"),
        ("Le bénéficiaire a été reçu.".encode("cp1252"), "encoding", "UTF-8"),
        (fx.zip_of({"xl/workbook.xml": b"<workbook/>"}), "type", "Excel"),
        (
            fx.zip_of({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"}),
            "type",
            "tableur",
        ),
        (fx.zip_of({"notes.txt": b"bonjour"}), "type", "archive ZIP"),
    ],
)
def test_wrong_types_get_a_clear_french_message(data, code, words):
    error = refused(data)
    assert error.code == code and words in error.message_fr


def test_size_limit_is_checked_before_anything_else():
    error = refused(sample("md"), max_bytes=1000)
    assert error.code == "too_big" and "1000 octets" in error.message_fr
    assert refused(b"x" * 3 * 1024 * 1024, max_bytes=2 * 1024 * 1024).message_fr.endswith("(2 Mo).")


# --- malicious and broken containers -----------------------------------------------------------


def test_zip_bomb_with_one_huge_member_is_refused_before_decompressing():
    data = fx.bomb_one_huge_member(64)
    assert len(data) < 1024 * 1024
    assert refused(data).code == "bomb"


def test_zip_with_thousands_of_members_is_refused():
    assert refused(fx.bomb_many_members(3000)).code == "bomb"


def test_total_uncompressed_size_is_bounded():
    noise = fx.random_bytes(400 * 1024)  # incompressible: the ratio check stays silent
    data = fx.zip_of({"word/document.xml": fx.MINIMAL_DOCUMENT, "a.bin": noise, "b.bin": noise})
    limits = Limits(max_total_uncompressed=700 * 1024)
    assert refused(data, limits).code == "bomb"
    assert analyse(data, requirements(), max_bytes=MAX).kind == "docx"


def test_a_member_larger_than_its_header_says_is_never_read_past_the_header():
    assert refused(fx.lying_header()).code in ("corrupt", "bomb")


def test_the_member_size_limit_applies_while_reading():
    body = b"<w:document>" + b" " * (300 * 1024) + b"</w:document>"
    data = fx.zip_of({"word/document.xml": body})
    assert refused(data, Limits(max_member_bytes=100 * 1024)).code == "bomb"


@pytest.mark.parametrize("build", [fx.billion_laughs, fx.deeply_nested])
def test_hostile_xml_is_refused(build):
    assert refused(build()).code == "corrupt"


@pytest.mark.parametrize(
    "data",
    [
        b"PK\x03\x04garbage",
        b"PK\x03\x04" + bytes(40),
        fx.zip_of({"word/document.xml": b"<w:document><w:body>"}),
        fx.zip_of({"word/document.xml": b"not xml at all"}),
        fx.zip_of({"mimetype": b"application/vnd.oasis.opendocument.text"}),
        b"%PDF-1.4 nonsense",
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF",
    ],
)
def test_corrupt_files_get_a_message_not_a_crash(data):
    assert refused(data).code in ("corrupt", "type")


def test_truncated_and_mutated_files_never_crash():
    rng = random.Random(3)
    for kind in ("docx", "odt", "pdf", "md"):
        original = sample(kind)
        variants = [original[: len(original) * n // 4] for n in (1, 2, 3)]
        for _ in range(6):
            mutated = bytearray(original)
            for _ in range(8):
                mutated[rng.randrange(len(mutated))] = rng.randrange(256)
            variants.append(bytes(mutated))
        for data in variants:
            try:
                result = analyse(data, requirements(), max_bytes=MAX)
            except DossierFileError as error:
                assert error.message_fr
            else:
                assert isinstance(result, Report)


def test_encrypted_pdf_is_refused():
    error = refused(fx.encrypted_pdf("secret"))
    assert error.code == "encrypted" and "mot de passe" in error.message_fr


def test_a_pdf_protected_only_against_editing_is_analysed():
    report = analyse(fx.encrypted_pdf("", "owner-secret"), requirements(), max_bytes=MAX)
    assert report.kind == "pdf" and report.all_green


def test_image_only_pdf_is_refused_with_the_export_advice():
    error = refused(fx.image_only_pdf())
    assert error.code == "no_text"
    assert error.message_fr == (
        "Votre PDF ne contient pas de texte : exportez-le depuis votre traitement de texte."
    )


def test_text_volume_is_bounded():
    data = ("mot " * 50_000).encode()
    assert refused(data, Limits(max_text_chars=100_000)).code == "too_long"


def test_encrypted_zip_members_are_reported_as_protected():
    data = bytearray(fx.zip_of({"word/document.xml": fx.MINIMAL_DOCUMENT}))
    data[6] |= 0x1  # general purpose flag, local header
    central = data.rfind(b"PK\x01\x02")
    data[central + 8] |= 0x1  # and in the central directory
    assert refused(bytes(data)).code == "encrypted"


# --- what extraction produces ------------------------------------------------------------------


def test_docx_blocks_are_located_by_section_paragraph_and_table_row():
    doc = extract(sample("docx"), MAX)
    where = {b.text[:30]: b.where for b in doc.blocks}
    row = next(b for b in doc.blocks if b.text.startswith("12/01/2026"))
    assert where["Le consentement écrit de Mme B"] == (
        "section « Cadre de l'accompagnement », paragraphe 2"
    )
    assert row.cells == ("12/01/2026", "1h30", "investigation") and row.where == (
        "section « Cadre de l'accompagnement », tableau 1, ligne 3"
    )
    headings = [(b.level, b.text) for b in doc.blocks if b.kind == "heading"]
    assert headings[0] == (1, "Cadre de l'accompagnement") and len(headings) == 8


def test_odt_rows_and_markdown_lines_and_pdf_pages():
    odt = extract(sample("odt"), MAX)
    assert [b.cells for b in odt.blocks if b.kind == "row"][1] == (
        "05/01/2026",
        "2 h",
        "préliminaire",
    )
    md = extract(sample("md"), MAX)
    annexes = next(b for b in md.blocks if b.text.startswith("Consentement du"))
    assert annexes.where == "section « Annexes », paragraphe 1 (ligne 48 du fichier)"
    pdf = extract(sample("pdf"), MAX)
    assert [b.text for b in pdf.blocks if b.kind == "heading"][:2] == [
        "Cadre de l'accompagnement",
        "Analyse de la demande",
    ]
    assert {b.location.page for b in pdf.blocks} == {1, 2, 3}


def test_docx_metadata_headers_links_comments_and_tracked_changes():
    import docx
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    document = docx.Document()
    document.core_properties.author = "Claire Martin"
    document.core_properties.last_modified_by = "python-docx"
    document.sections[0].header.paragraphs[0].text = "Dossier de Mme B."
    paragraph = document.add_paragraph("Texte ")
    inserted = OxmlElement("w:ins")
    inserted.set(qn("w:id"), "1")
    inserted.set(qn("w:author"), "Jean Dupont")
    inserted.append(paragraph.add_run("ajouté")._r)
    paragraph._p.append(inserted)
    relation = document.part.relate_to(
        "mailto:claire@example.org",
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink",
        is_external=True,
    )
    assert relation
    out = io.BytesIO()
    document.save(out)
    doc = extract(out.getvalue(), MAX)
    assert {(m.key, m.value) for m in doc.metadata} == {
        ("author", "Claire Martin"),
        ("revision_author", "Jean Dupont"),
    }
    assert doc.revisions
    extras = {(b.text, b.where) for b in doc.extras}
    assert ("Dossier de Mme B.", "en-tête") in extras
    assert ("claire@example.org", "lien hypertexte") in extras
    assert [b.text for b in doc.blocks] == ["Texte ajouté"]


def test_markdown_front_matter_setext_headings_lists_and_links():
    text = (
        "---\nauthor: Claire Martin\ntitle: Mon dossier\n---\n"
        "Cadre\n=====\n\nUn paragraphe\nsur deux lignes.\n\n"
        "- action 1\n- action 2 [profil](https://linkedin.com/in/x)\n"
    )
    doc = extract(text.encode(), MAX)
    assert [m.value for m in doc.metadata] == ["Claire Martin"]
    assert [(b.kind, b.text) for b in doc.blocks] == [
        ("heading", "Cadre"),
        ("paragraph", "Un paragraphe sur deux lignes."),
        ("paragraph", "action 1"),
        ("paragraph", "action 2 profil https://linkedin.com/in/x"),
    ]


def test_odt_initial_creator_is_metadata():
    doc = extract(fx.to_odt(Dossier(complete().parts, author="Claire Martin")), MAX)
    assert [(m.key, m.value) for m in doc.metadata] == [("author", "Claire Martin")]


def test_number_of_paragraphs_is_bounded():
    data = ("Paragraphe.\n\n" * 30).encode()
    assert refused(data, Limits(max_blocks=10)).code == "too_long"

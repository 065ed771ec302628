"""Every structure a reader walks counts in one budget per document (issue 13, point 1).

The hostile files of the issue are rebuilt here: today's readers accepted them after 17 to 45 s
of CPU; now they stop on the structure budget before the expensive parsing starts.
"""

from __future__ import annotations

import pytest

from grading.dossier import Limits, analyse
from grading.dossier.errors import TOO_COMPLEX, TooComplexError
from tests.unit.dossier_fixtures import MAX, requirements, zip_of
from tests.unit.hostile_files import W_NS, empty_headers_docx, form_drawn_pdf, shared_stream_pdf

MESSAGE = "Ce fichier demande trop de traitement ; exportez-le à nouveau en PDF simple ou en DOCX."


def too_complex(data: bytes, limits: Limits | None = None) -> TooComplexError:
    with pytest.raises(TooComplexError) as caught:
        analyse(data, requirements(), max_bytes=MAX, limits=limits)
    assert caught.value.code == "too_complex" and caught.value.message == MESSAGE == TOO_COMPLEX
    return caught.value


def accepted(data: bytes, limits: Limits) -> None:
    report = analyse(data, requirements(), max_bytes=MAX, limits=limits)
    assert report.kind in {"pdf", "docx", "odt"}


def test_the_issue_pdf_stops_on_the_budget_before_pypdf_parses_a_page(monkeypatch):
    """4.6 KB: three pages sharing one stream of « q Q » × 950 000 (17 s of CPU before)."""
    from pypdf import PageObject

    def parsed(*args, **kwargs):
        raise AssertionError("pypdf parsed the content streams: the budget came too late")

    monkeypatch.setattr(PageObject, "extract_text", parsed)
    data = shared_stream_pdf()
    assert len(data) < 5000
    assert "éléments de contenu PDF" in too_complex(data).detail


def test_a_stream_shared_by_several_pages_counts_for_each_page():
    limits = Limits(max_nodes=1000)
    accepted(shared_stream_pdf(pairs=200, pages=1), limits)  # about 410 tokens
    too_complex(shared_stream_pdf(pairs=200, pages=3), limits)  # the same stream, three times


def test_the_issue_docx_with_99_headers_of_empty_paragraphs_is_refused():
    """167 KB: 99 headers of empty <w:p/> (34 s of CPU before): empty paragraphs count too."""
    data = empty_headers_docx()
    assert len(data) < 200_000
    too_complex(data)


def test_empty_paragraphs_in_headers_count_in_the_document_budget():
    limits = Limits(max_walked=500, max_nodes=10_000_000)
    accepted(empty_headers_docx(headers=2, paragraphs=200), limits)
    too_complex(empty_headers_docx(headers=3, paragraphs=200), limits)


def test_xml_elements_count_across_parts():
    limits = Limits(max_nodes=1000, max_walked=10_000_000)
    accepted(empty_headers_docx(headers=2, paragraphs=200), limits)
    too_complex(empty_headers_docx(headers=6, paragraphs=200), limits)


def docx_with_table(cells: int) -> bytes:
    row = "<w:tr>" + "<w:tc><w:p/></w:tc>" * cells + "</w:tr>"
    body = (
        f"<w:document {W_NS}><w:body><w:p><w:r><w:t>Bonjour.</w:t></w:r></w:p>"
        f"<w:tbl>{row}</w:tbl></w:body></w:document>"
    )
    return zip_of({"word/document.xml": body.encode()})


def test_empty_table_cells_count():
    limits = Limits(max_walked=100)
    accepted(docx_with_table(50), limits)
    too_complex(docx_with_table(150), limits)


ODT_MIME = b"application/vnd.oasis.opendocument.text"
OFFICE = 'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
TEXT = 'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
STYLE = 'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"'


def odt_with_empty_headers(paragraphs: int) -> bytes:
    content = (
        f"<office:document-content {OFFICE} {TEXT}><office:body><office:text>"
        "<text:p>Bonjour.</text:p></office:text></office:body></office:document-content>"
    )
    styles = (
        f"<office:document-styles {OFFICE} {TEXT} {STYLE}><office:master-styles>"
        '<style:master-page style:name="Standard"><style:header>'
        + "<text:p/>" * paragraphs
        + "</style:header></style:master-page></office:master-styles></office:document-styles>"
    )
    return zip_of(
        {"mimetype": ODT_MIME, "content.xml": content.encode(), "styles.xml": styles.encode()}
    )


def test_odt_empty_header_paragraphs_count():
    limits = Limits(max_walked=100)
    accepted(odt_with_empty_headers(50), limits)
    too_complex(odt_with_empty_headers(150), limits)


def test_a_form_drawn_many_times_counts_for_each_drawing():
    limits = Limits(max_nodes=2000)
    accepted(form_drawn_pdf(draws=2), limits)  # 2 × 200 tokens and the page's own
    too_complex(form_drawn_pdf(draws=20), limits)  # 20 × 200: the same small form, drawn again

"""The hostile uploads of issue 13, built in the test (a few kilobytes each once compressed)."""

from __future__ import annotations

import zipfile
import zlib

from tests.unit.dossier_fixtures import zip_of

#: Just under pypdf's token limit: 950 000 « q Q » pairs in one content stream.
ISSUE_PAIRS = 950_000


def shared_stream_pdf(pairs: int = ISSUE_PAIRS, pages: int = 3) -> bytes:
    """Pages sharing one compressed content stream of ``q Q`` × pairs, then one line of text."""
    content = b"q Q\n" * pairs + b"BT /F1 12 Tf 72 720 Td (Bonjour, dossier de bilan.) Tj ET\n"
    packed = zlib.compress(content, 9)
    kids = " ".join(f"{4 + i} 0 R" for i in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>".encode(),
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed) + packed + b"\nendstream",
    ]
    font = 4 + pages
    for _ in range(pages):
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 3 0 R "
            f"/Resources << /Font << /F1 {font} 0 R >> >> >>".encode()
        )
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="xml" ContentType="application/xml"/></Types>'
)


def empty_headers_docx(headers: int = 99, paragraphs: int = 170_000) -> bytes:
    """A one-line body and ``headers`` header parts, each full of empty ``<w:p/>`` (under 1 MiB)."""
    body = (
        f"<w:document {W_NS}><w:body><w:p><w:r><w:t>Bonjour.</w:t></w:r></w:p></w:body>"
        "</w:document>"
    ).encode()
    header = f"<w:hdr {W_NS}>".encode() + b"<w:p/>" * paragraphs + b"</w:hdr>"
    members = {"[Content_Types].xml": _TYPES.encode(), "word/document.xml": body}
    members |= {f"word/header{i}.xml": header for i in range(1, headers + 1)}
    return zip_of(members, zipfile.ZIP_DEFLATED)


def _serialise(objects: list[bytes]) -> bytes:
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def form_drawn_pdf(draws: int, form_pairs: int = 100) -> bytes:
    """One page drawing the same form XObject (``q Q`` × form_pairs) ``draws`` times."""
    page = b"/Fm1 Do\n" * draws + b"BT /F1 12 Tf 72 720 Td (Bonjour, dossier de bilan.) Tj ET\n"
    form = b"q Q\n" * form_pairs
    return _serialise(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
            b"/Resources << /Font << /F1 6 0 R >> /XObject << /Fm1 5 0 R >> >> >>",
            b"<< /Length %d >>\nstream\n" % len(page) + page + b"\nendstream",
            b"<< /Type /XObject /Subtype /Form /BBox [0 0 612 792] /Length %d >>\nstream\n"
            % len(form)
            + form
            + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        ]
    )

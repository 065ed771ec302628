"""The certification's PDFs, in French: the PV de jury (WeasyPrint) and the certificate (fpdf2).

The PV is a tagged PDF/UA-1 drawn by WeasyPrint from an HTML page (templates/pv.html): headings,
paragraphs and tables with their header cells are in the structure tree, with the document's
language and title, so a screen reader reads it in order. fpdf2 (2.8.9) cannot do this: it only
tags images (alternative text), links and a table of contents, with no API to tag headings,
paragraphs or tables. WeasyPrint needs Pango (Debian: libpango-1.0-0, libpangoft2-1.0-0).
The same content always gives the same bytes: the PV's hash can be recomputed.

The certificate stays with fpdf2 (one page, its QR code drawn as an image with alternative text).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from jinja2 import Environment, FileSystemLoader

FONTS = Path(__file__).parent / "fonts"


def _document(title: str, created: datetime) -> FPDF:
    pdf = FPDF(format="A4")
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_lang("fr-FR")
    pdf.set_title(title)
    pdf.set_author("Pratique du bilan de compétences — outil de certification")
    pdf.set_creator("bilan-certif")
    # The same content always gives the same bytes: the PV's hash can be recomputed.
    pdf.set_creation_date(created)
    pdf.set_margins(18, 18, 18)
    pdf.set_auto_page_break(True, margin=18)
    pdf.add_page()
    return pdf


def _text(pdf: FPDF, text: str, *, bold: bool = False) -> None:
    pdf.set_font("DejaVu", "B" if bold else "", 10)
    pdf.multi_cell(0, 5.5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("DejaVu", "", 10)


RESULTS = {
    "certified": "certifié(e)",
    "partial": "certification partielle",
    "not_certified": "non certifié(e)",
}


_PV_TEMPLATE = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
).get_template("pv.html")


def pv_pdf(content: dict[str, Any], created: datetime) -> bytes:
    """The PV's PDF/UA from its content (see lti_tool.certification.pv.pv_content)."""
    from weasyprint import HTML  # noqa: PLC0415 (Pango loaded only when a PV is drawn)

    session = content["session"]
    html = _PV_TEMPLATE.render(
        c=content,
        s=session,
        r=session["rules"],
        title=f"Procès-verbal de jury n° {content['number']} — {session['title']}",
        created=created,
        created_iso=created.strftime("%Y-%m-%dT%H:%M:%SZ"),
        thresholds=", ".join(
            f"{c} {round(v * 100)} %" for c, v in session["rules"]["thresholds"].items()
        ),
        results=RESULTS,
    )
    return bytes(HTML(string=html, base_url=str(FONTS) + "/").write_pdf(pdf_variant="pdf/ua-1"))

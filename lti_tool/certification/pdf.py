"""The PV de jury as a PDF (fpdf2), in French, drawn from the PV's stored content.

fpdf2: pure Python (no system library), maintained by the py-pdf organisation, Unicode TrueType
fonts embedded, tables, document language, title and bookmarks (outline). It does not build a
complete tag tree (only images' alternative text is tagged), so the PDF carries its language,
title and an outline of its sections, and the same content is available as an HTML page in
the tool for screen-reader users.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from fpdf import FPDF
from fpdf.enums import XPos, YPos

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


def _heading(pdf: FPDF, text: str, size: int = 13) -> None:
    pdf.start_section(text, level=0 if size >= 13 else 1)
    pdf.set_font("DejaVu", "B", size)
    pdf.multi_cell(0, 7, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("DejaVu", "", 10)


def _text(pdf: FPDF, text: str, *, bold: bool = False) -> None:
    pdf.set_font("DejaVu", "B" if bold else "", 10)
    pdf.multi_cell(0, 5.5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("DejaVu", "", 10)


def _table(pdf: FPDF, header: list[str], rows: list[list[str]], widths: tuple[int, ...]) -> None:
    pdf.set_font("DejaVu", "", 9)
    with pdf.table(col_widths=widths, text_align="LEFT", line_height=5) as table:
        head = table.row()
        for cell in header:
            head.cell(cell)
        for values in rows:
            row = table.row()
            for cell in values:
                row.cell(cell)
    pdf.set_font("DejaVu", "", 10)
    pdf.ln(2)


RESULTS = {
    "certified": "certifié(e)",
    "partial": "certification partielle",
    "not_certified": "non certifié(e)",
}


def pv_pdf(content: dict[str, Any], created: datetime) -> bytes:
    """The PV's PDF from its content (see lti_tool.certification.pv.pv_content)."""
    number = content["number"]
    title = f"Procès-verbal de jury n° {number} — {content['session']['title']}"
    pdf = _document(title, created)
    pdf.set_font("DejaVu", "B", 16)
    pdf.multi_cell(0, 8, "Procès-verbal de jury", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    _text(pdf, "Certification « Pratique du bilan de compétences »", bold=True)
    _text(pdf, f"PV n° {number} établi le {created.strftime('%d/%m/%Y à %H:%M')} UTC")
    if content.get("corrects"):
        corrected = content["corrects"]
        _text(
            pdf,
            f"Ce PV corrige le PV n° {corrected['number']} (empreinte SHA-256 "
            f"{corrected['sha256']}). Motif : {content.get('correction_reason') or '—'}",
            bold=True,
        )
    pdf.ln(2)

    session = content["session"]
    _heading(pdf, "Session")
    _text(pdf, f"Intitulé : {session['title']}")
    _text(pdf, f"Formation : {session['course']}")
    _text(pdf, f"Oraux : {session['starts_at']} UTC — {session['place'] or 'lieu non précisé'}")
    _text(pdf, f"Certificateur : {session['certifier']}")
    rules = session["rules"]
    thresholds = ", ".join(f"{c} {round(v * 100)} %" for c, v in rules["thresholds"].items())
    _text(
        pdf,
        f"Règles : seuils de l'épreuve 1 par compétence {thresholds} ; oral de "
        f"{rules['oral']['min_minutes']} à {rules['oral']['max_minutes']} minutes (tiers temps "
        f"en plus) ; quorum {rules['jury']['quorum']}, au moins "
        f"{round(rules['jury']['min_external_ratio'] * 100)} % de membres extérieurs ; "
        f"{rules['retake']['max_retakes']} "
        f"{'rattrapage' if rules['retake']['max_retakes'] < 2 else 'rattrapages'}, "
        "compétences acquises conservées "
        f"{rules['retake']['keep_acquired_months']} mois ; recours dans les "
        f"{rules['appeal_days']} jours.",
    )

    _heading(pdf, "Jury")
    _table(
        pdf,
        ["Membre", "Statut", "Nommé le"],
        [[m["name"], m["status"], m["appointed_at"]] for m in content["jury"]],
        (80, 50, 44),
    )
    _text(pdf, content["composition"])

    _heading(pdf, "Décisions par candidat")
    for candidate in content["candidates"]:
        _heading(pdf, candidate["name"], size=11)
        _text(pdf, f"Résultat : {RESULTS.get(candidate['result'], '—')}", bold=True)
        _text(pdf, f"Aménagements : {candidate['accommodations'] or 'aucun'}")
        if candidate.get("oral_absent"):
            _text(pdf, "Épreuve 2 : absent(e) à l'oral.")
        incidents = candidate.get("incidents") or []
        _text(
            pdf,
            "Incidents de l'épreuve 1 : "
            + (
                "; ".join(
                    f"{i.get('kind')} ({i.get('seconds_lost', 0)} s perdues, "
                    f"{i.get('compensated_seconds', 0)} s accordées) {i.get('note') or ''}".strip()
                    for i in incidents
                )
                or "aucun"
            ),
        )
        _table(
            pdf,
            ["Compétence", "Décision", "Proposition", "Justification"],
            [
                [
                    d["competency"],
                    "acquise" if d["acquired"] else "non acquise",
                    "acquise" if d["proposed"] else "non acquise",
                    d["justification"] or "—",
                ]
                for d in candidate["decisions"]
            ],
            (26, 30, 30, 88),
        )

    _heading(pdf, "Signatures")
    _text(
        pdf,
        "Chaque membre du jury confirme ce PV dans l'outil (nom, date et heure), sur "
        "l'empreinte SHA-256 de ce fichier ; l'empreinte et les confirmations sont inscrites "
        "au journal chaîné de la session. Un PV signé n'est jamais modifié : une correction "
        "fait l'objet d'un nouveau PV qui le cite.",
    )
    return bytes(pdf.output())

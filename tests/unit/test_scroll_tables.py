"""Content tables are wrapped in a focusable scrolling box (issue 15, point 10)."""

from __future__ import annotations

from pathlib import Path

from lti_tool.formatting import scroll_tables

ROOT = Path(__file__).resolve().parents[2]


def test_each_table_gets_its_box():
    html = "<p>x</p><table><tr><td>1</td></tr></table><table class='t'></table>"
    out = scroll_tables(html, "Tableau")
    assert out.count('<div class="table-scroll" tabindex="0" role="group" aria-label="Tableau"><table') == 2
    assert out.count("</table></div>") == 2
    assert scroll_tables("<p>rien</p>", "Tableau") == "<p>rien</p>"


def test_exam_vignettes_with_tables_scroll(app):
    from flask import g

    from lti_tool.exam import bank
    from lti_tool.exam.page import paper_html

    content, current = bank.display_content(), bank.current_bank()
    with_table = [cid for cid, case in content["cases"].items() if "<table" in case["html"]]
    assert with_table
    case = next(c for c in current.cases if c.id == with_table[0])
    paper = [
        {"item_id": i, "competency": "C1", "proposition_keys": ["a"], "case_id": case.id}
        for i in case.item_ids[:1]
    ]
    with app.test_request_context("/"):
        g.lt = "x"
        html = str(paper_html(paper, {}, content, current.version, "secret"))
    assert 'class="table-scroll" tabindex="0"' in html


def test_no_glyph_missing_from_debian_fonts():
    templates = (ROOT / "lti_tool" / "templates").rglob("*.html")
    assert not [p for p in templates if "⧗" in p.read_text(encoding="utf-8")]

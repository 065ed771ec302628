"""The sample dossier (tests/fixtures/dossier) against the REAL cahier des charges of course/dossier.

The requirements are loaded from course/ by the application itself (``service.requirements()``,
the course root of the default configuration) and each file is analysed as an upload is
(``analyse(data, requirements, max_bytes=DOSSIER_MAX_BYTES)``), then read as the page reads it
(``assess``, ``settled`` and ``compare``).
"""

from __future__ import annotations

import difflib
import subprocess
import sys
from pathlib import Path

import pytest
from flask import Flask

from grading.dossier import Report, analyse, compare
from grading.dossier.text import fold
from lti_tool.dossier import service
from lti_tool.dossier.assessment import assess, settled
from tests.fixtures.dossier import build

ROOT = Path(__file__).resolve().parents[2]
ITEMS = [
    "cadre",
    "analyse-demande",
    "parcours",
    "posture",
    "exploration",
    "outils",
    "plan-action",
    "annexes",
]
COMPLETE = {
    "md": lambda: build.complete_markdown().encode(),
    "docx": build.complete_docx,
    "pdf": build.complete_pdf,
}
TOOLS = {
    "ligne de vie",
    "portefeuille de compétences",
    "méthode STAR",
    "RIASEC",
    "questionnaire de valeurs",
    "enquête métier",
    "inventaire d'intérêts",
}


def check(app: Flask, data: bytes) -> Report:
    """The analysis an upload gets, stored and read back as the page reads it."""
    report = analyse(data, service.requirements(), max_bytes=app.config["DOSSIER_MAX_BYTES"])
    return Report.from_json(report.to_json())


def problems(report: Report) -> list[str]:
    """Every finding that is not information, with its item."""
    return [
        f"{item.id}: {f.severity} {f.code} {f.message} ({f.location})"
        for item in report.items
        for f in item.findings
        if f.severity != "info"
    ]


def finding(report: Report, item_id: str, check_name: str):
    item = report.item(item_id)
    assert item is not None
    return [f for f in item.findings if f.check == check_name]


def test_the_app_loads_the_real_cahier_des_charges(app):
    assert Path(app.config["COURSE_ROOT"]).resolve() == ROOT / "course"
    requirements = service.requirements()
    assert [r.id for r in requirements] == ITEMS
    minima = {r.id: r.min_words for r in requirements if r.min_words}
    assert minima == {"cadre": 300, "analyse-demande": 400, "posture": 500, "exploration": 600}


@pytest.mark.parametrize("kind", sorted(COMPLETE))
def test_the_complete_dossier_is_green_in_every_format(app, kind):
    report = check(app, COMPLETE[kind]())

    assert report.kind == kind
    assert problems(report) == []
    assert report.all_green and assess(report).all_green
    assert report.anonymisation_findings == 0 and report.health_findings == 0
    assert report.hours == build.COMPLETE_HOURS >= 10
    assert len(report.sessions) == 8
    # A PDF has no table: its rows are lines, and the phase is read folded from them.
    phases = {fold(row.phase) for row in report.sessions}
    assert phases == {"preliminaire", "investigation", "conclusion"}
    assert min(row.date or "" for row in report.sessions) == "2026-05-05"
    assert max(row.date or "" for row in report.sessions) == "2026-06-23"
    # Every section found under its own heading, above the word minimum of the real cahier.
    words = {s.id: s.words for s in report.sections}
    assert sorted(words) == sorted(ITEMS)
    for requirement in service.requirements():
        assert words[requirement.id] >= (requirement.min_words or 1), requirement.id
    assert {f.code for f in finding(report, "parcours", "phases")} == {
        "préliminaire",
        "investigation",
        "conclusion",
    }
    assert [f.code for f in finding(report, "plan-action", "follow_up")] == ["planned"]
    assert [f.code for f in finding(report, "plan-action", "dated_actions")] == ["dated"]
    justified = finding(report, "outils", "tool_justification")
    assert {f.excerpt for f in justified} == TOOLS
    assert {f.code for f in justified} == {"justified"}
    assert [f.code for f in finding(report, "annexes", "consent")] == ["found"]
    assert [f.code for f in finding(report, "annexes", "anonymisation")] == ["clean"]


def test_the_draft_differs_from_the_complete_dossier_by_its_three_defects_only():
    before = build.complete_markdown().splitlines()
    after = build.draft_markdown().splitlines()
    diff = [
        line
        for line in difflib.unified_diff(before, after, lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    removed = [line[1:] for line in diff if line.startswith("-")]
    added = [line[1:] for line in diff if line.startswith("+")]
    assert [line.split("|")[1].strip() for line in removed if line.startswith("|")] == [
        "19/05/2026",
        "26/05/2026",
        "Entretien de suivi avec la consultante",
    ]
    paragraphs = [line for line in removed if not line.startswith("|") and line]
    assert len(paragraphs) == 2  # the paragraph that plans the follow-up, and the edited one
    assert paragraphs[0].startswith("**L'entretien de suivi.**") or paragraphs[1].startswith(
        "**L'entretien de suivi.**"
    )
    assert len(added) == 1 and build.PHONE in added[0]
    edited = next(p for p in paragraphs if not p.startswith("**L'entretien de suivi.**"))
    assert added[0].startswith(edited)


def test_the_draft_pdf_shows_its_hours_its_missing_follow_up_and_the_phone_on_page_3(app):
    draft = build.draft_pdf()
    assert build.page_of(draft, build.PHONE) == build.PHONE_PAGE
    report = check(app, draft)

    assert report.kind == "pdf"
    assert report.hours == build.DRAFT_HOURS
    hours = [f for f in finding(report, "cadre", "session_hours") if f.severity == "error"]
    assert [f.code for f in hours] == ["too_few_hours"]
    assert "8,5 h" in hours[0].message and "au moins 10 h" in hours[0].message
    assert hours[0].excerpt == "8,5 h"
    # The draft still names the follow-up (R.6313-4, the synthèse) but plans none.
    follow_up = finding(report, "plan-action", "follow_up")
    assert [(f.severity, f.code) for f in follow_up] == [("warning", "no_date")]
    assert "sans échéance" in follow_up[0].message
    phones = finding(report, "annexes", "anonymisation")
    assert [(f.severity, f.code, f.excerpt) for f in phones] == [("error", "phone", build.PHONE)]
    assert phones[0].location.startswith("page 3, ")
    assert "Analyse de la demande" in phones[0].location
    assert report.anonymisation_findings == 1 and report.health_findings == 0
    # Those three defects and nothing else: the other items stay conforme.
    # The phone is filed under the section it is in (issue 15, point 16), not « Annexes »
    # whose item runs the whole-document checks.
    verdict = {item.id: item.status for item in assess(report).items}
    assert verdict == {
        **dict.fromkeys(ITEMS, "ok"),
        "cadre": "missing",
        "analyse-demande": "missing",
        "plan-action": "warning",
    }
    assert len(problems(report)) == 3


def test_after_the_fix_everything_is_green_and_the_page_lists_the_changes(app):
    draft = check(app, build.draft_pdf())
    fixed = check(app, build.complete_pdf())

    assert assess(fixed).all_green and fixed.anonymisation_findings == 0
    changes = compare(settled(draft), settled(fixed))
    text = [str(change) for change in changes]
    assert [c.kind for c in changes] == ["status"] * 3 + ["hours", "anonymisation"] + ["fixed"] * 3
    assert text[:5] == [
        "Cadre de l'accompagnement : à compléter → conforme",
        "Analyse de la demande : à compléter → conforme",
        "Plan d'action et trame de synthèse : à vérifier → conforme",
        "Heures de séances : 8,5 h → 12 h",
        "Points d'anonymisation à corriger : 1 → 0",
    ]
    assert text[5].startswith("Corrigé — Cadre de l'accompagnement : Les séances totalisent 8,5 h")
    assert text[6].startswith("Corrigé — Plan d'action et trame de synthèse : Entretien de suivi")
    assert text[7].startswith(
        "Corrigé — Annexes : À anonymiser : numéro de téléphone « 06 12 34 56 78 »"
    )
    assert "(page 3, " in text[7]
    assert not any(change.kind == "new" for change in changes)


def test_the_files_carry_no_author_and_the_script_writes_the_walkthrough_files(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "tests.fixtures.dossier.build", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    names = ["exemple-brouillon.pdf", "exemple-complet.pdf", "exemple-complet.docx"]
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(names)
    assert result.stdout.split() == [str(tmp_path / name) for name in names]
    assert (tmp_path / "exemple-complet.pdf").read_bytes() == build.complete_pdf()
    assert build.page_of((tmp_path / "exemple-brouillon.pdf").read_bytes(), build.PHONE) == 3
    assert build.page_of((tmp_path / "exemple-complet.pdf").read_bytes(), build.PHONE) is None

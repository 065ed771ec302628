"""French pages speak French (issue 15, point 14): plurals through ngettext with the French rule
(0 and 1 singular), numbers with the decimal comma, audit actions in words."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po
from flask_babel import force_locale

from lti_tool.formatting import audit_label, number

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "lti_tool" / "templates"


def extracted_plurals() -> set[str]:
    """The singular msgid of every ngettext call of the tool (pybabel's own extraction)."""
    method_map = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT / "lti_tool"), method_map, keywords={**DEFAULT_KEYWORDS, "ngettext": (1, 2)}
    ):
        if isinstance(message, tuple) and len(message) == 2 and message[1]:
            found.add(message[0])
    return found


def test_every_plural_has_its_french_and_english_forms():
    plurals = extracted_plurals()
    assert plurals, "ngettext is used"
    for lang in ("fr", "en"):
        path = ROOT / "lti_tool" / "translations" / lang / "LC_MESSAGES" / "messages.po"
        with path.open("rb") as f:
            catalog = read_po(f)
        have = {m.id[0] for m in catalog if isinstance(m.id, tuple) and all(m.string)}
        assert plurals <= have, (lang, sorted(plurals - have))


def test_no_template_writes_a_plural_with_parentheses():
    offenders = [
        f"{p.relative_to(ROOT)}:{n}"
        for p in TEMPLATES.rglob("*.html")
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"\w\(s\)", line)
    ]
    assert offenders == []


def test_french_plural_rule_and_decimal_comma(app):
    from flask_babel import ngettext

    with app.test_request_context("/"):
        with force_locale("fr"):
            assert ngettext("%(num)s élément coché sur %(t)s.", "%(num)s éléments cochés sur %(t)s.", 0, t=8) == "0 élément coché sur 8."
            assert ngettext("%(num)s élément coché sur %(t)s.", "%(num)s éléments cochés sur %(t)s.", 2, t=8) == "2 éléments cochés sur 8."
            assert number(2.17) == "2,17" and number(0.5, 2, fixed=True) == "0,50" and number(100) == "100"
            assert audit_label("exam.reset") == "Nouvelle tentative accordée"
            assert audit_label("exam.unknown") == "exam.unknown"
        with force_locale("en"):
            assert ngettext("%(num)s élément coché sur %(t)s.", "%(num)s éléments cochés sur %(t)s.", 0, t=8) == "0 items checked out of 8."
            assert number(2.17) == "2.17"
            assert audit_label("exam.release_review") == "Review released, session closed"


def test_pages_show_words_plurals_and_the_decimal_comma(client, launch, clock):
    from tests.exam.test_exam_web import begin
    from tests.grades.test_outbox import queue

    trainer = launch("trainer", sub="t-1", target="exam:certification")
    candidate = launch(
        "trainee", sub="c-1", target="exam:certification", lineitem_url="https://lms.example.org/li/1"
    )
    begin(client, candidate)
    client.post(
        trainer.url("/examen/amenagement"),
        data={"user_id": candidate.user.id, "percent": "33,33", "confirm": "1"},
    )
    client.post(
        trainer.url("/examen/reinitialiser"),
        data={"user_id": candidate.user.id, "reason": "Coupure de courant dans la salle"},
    )
    monitor = client.get(trainer.url("/examen/suivi")).get_data(as_text=True)
    assert "Nouvelle tentative accordée" in monitor and "Temps supplémentaire modifié" in monitor
    assert "Temps supplémentaire : 0 % → 33,33 %" in monitor
    assert "exam.reset" not in monitor and "exam.accommodation" not in monitor
    queue(candidate, clock, 2.17)
    grades = client.get(trainer.url("/notes/")).get_data(as_text=True)
    assert "2,17 / 100" in grades and "1 stagiaire : sa dernière note" in grades


def test_dossier_checklist_plural(client, launch):
    candidate = launch("trainee", sub="c-2", target="dossier:checklist")
    page = client.get(candidate.url("/dossier/")).get_data(as_text=True)
    assert re.search(r"0 élément coché sur \d+\.", page), page[:2000]

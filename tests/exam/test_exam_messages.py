"""The exam scripts speak the page's language: their messages come from the template."""

from __future__ import annotations

import json
import re

from lti_tool.extensions import db
from lti_tool.models import LaunchSession
from tests.exam.test_exam_web import begin


def _messages(html: str, block: str) -> dict[str, str]:
    match = re.search(rf'<script type="application/json" id="{block}">(.*?)</script>', html, re.S)
    assert match, block
    return json.loads(match.group(1))


def test_exam_script_messages_in_english_for_an_english_launch(client, launch, small_bank):
    candidate = launch("trainee", sub="cand-en", target="exam:certification")
    trainer = launch("trainer", sub="form-en", target="exam:certification")
    db.session.query(LaunchSession).update({"locale": "en"})
    db.session.commit()
    _, _, html = begin(client, candidate)
    messages = _messages(html, "exam-messages")
    assert messages["saved"] == "Saved. All your answers are saved."
    assert messages["minutes_left"] == "{n} minutes left."
    assert "{n}" in messages["offline"] and "{total}" in messages["summary"]
    monitor = client.get(trainer.url("/examen/suivi")).get_data(as_text=True)
    assert _messages(monitor, "monitor-messages")["in_progress"] == "in progress"


def test_exam_script_messages_in_french_by_default(client, launch, small_bank):
    candidate = launch("trainee", sub="cand-fr", target="exam:certification")
    _, _, html = begin(client, candidate)
    messages = _messages(html, "exam-messages")
    assert messages["saved"] == "Enregistré. Toutes vos réponses sont enregistrées."
    # Every key the script reads is there.
    script = open("lti_tool/static/exam.js", encoding="utf-8").read()
    used = set(re.findall(r"\bT\.(\w+)", script)) | set(re.findall(r"\bt\(\"(\w+)\"", script))
    assert used <= set(messages), used - set(messages)


def test_item_analysis_warning_in_the_page_language(client, launch, small_bank):
    trainer = launch("trainer", sub="form-an", target="exam:certification")
    db.session.query(LaunchSession).update({"locale": "en"})
    db.session.commit()
    page = client.get(trainer.url("/examen/analyse")).get_data(as_text=True)
    assert "A cohort of 0 candidates: below 30" in page and "Cohorte de" not in page


def test_reliability_of_papers_of_different_lengths_still_reports_the_totals():
    from lti_tool.exam.reports import _reliability

    scores = {"1": {"a": 1, "b": 1, "c": 0}, "2": {"a": 0, "d": 1}, "3": {"e": 1, "f": 1, "g": 1}}
    rel, method = _reliability(scores)
    assert method == "—" and rel.kr20 is None
    assert rel.mean == 2.0 and round(rel.sd, 3) == 1.0


def test_without_javascript_the_page_says_answers_cannot_be_saved(client, launch, small_bank):
    """The paper has no save button without JavaScript: the notice must not promise one."""
    candidate = launch("trainee", sub="cand-nojs", target="exam:certification")
    _, _, html = begin(client, candidate)
    notice = re.search(r"<noscript>(.*?)</noscript>", html, re.S).group(1)
    assert "ne peut pas enregistrer vos réponses" in notice and "bouton" not in notice
    assert "<button" not in html.split('id="summary"')[0]  # indeed no per-question button


def test_the_no_javascript_notice_in_english(client, launch, small_bank):
    # Its own test: the test app context keeps the first page's translations for the next.
    english = launch("trainee", sub="cand-nojs-en", target="exam:certification")
    db.session.query(LaunchSession).update({"locale": "en"})
    db.session.commit()
    _, _, page = begin(client, english)
    assert "this page cannot save your answers" in page

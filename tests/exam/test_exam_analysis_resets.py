"""Item analysis counts candidates, not papers (issue 15, point 12): a paper replaced by a new
attempt a trainer granted is listed apart and left out of the indices."""

from __future__ import annotations

from lti_tool.exam.attempts import latest_attempt
from lti_tool.exam.reports import item_analysis_report
from tests.exam.test_exam_web import begin, post_save

REASON = "Malaise pendant l'épreuve, attesté par le surveillant"


def sit(client, candidate, key):
    _, version, _ = begin(client, candidate)
    attempt = latest_attempt(candidate.resource_link.id, candidate.user.id)
    for seq, item in enumerate(attempt.paper, start=1):
        post_save(client, candidate, item["item_id"], key, version, seq)
    client.post(candidate.url("/examen/remettre"))
    return attempt


def test_a_reset_attempt_is_not_another_candidate(client, people):
    candidate, trainer = people
    sit(client, candidate, "c")
    client.post(
        trainer.url("/examen/reinitialiser"), data={"user_id": candidate.user.id, "reason": REASON}
    )
    # New attempt granted, not taken yet: the replaced paper is not counted.
    report = item_analysis_report(candidate.resource_link)
    assert report.candidates == 0 and [r.attempt_no for r in report.reset_attempts] == [1]
    second = sit(client, candidate, "a")
    report = item_analysis_report(candidate.resource_link)
    assert report.candidates == 1
    assert [(r.name, r.attempt_no) for r in report.reset_attempts] == [("Alice Candidate", 1)]
    # The indices are those of the second paper only (every answer "a").
    answered = {s.item_id: s.answered for s in report.items}
    assert set(answered) == {i["item_id"] for i in second.paper}
    assert all(n == 1 for n in answered.values())
    page = client.get(trainer.url("/examen/analyse")).get_data(as_text=True)
    assert "1 candidat compté" in page
    assert "1 copie remplacée par une nouvelle tentative (non comptée)" in page
    assert "Alice Candidate : tentative n° 1" in page
    assert "2 copies" not in page


def test_french_plural_of_zero_is_singular(client, people):
    _, trainer = people
    page = client.get(trainer.url("/examen/analyse")).get_data(as_text=True)
    assert "0 candidat compté" in page and "Cohorte de 0 candidat :" in page

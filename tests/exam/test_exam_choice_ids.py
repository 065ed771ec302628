"""Each candidate's paper has its own opaque choice ids (issue 13, point 15).

With the same letters on every paper, candidates could pass answers by letter. The page now
submits ids derived from the attempt's secret seed; the server maps them back to the
proposition keys (both save paths), and answers are stored under those keys, so scoring, item
analysis and exports are unchanged. The lean save path's own test is in
test_exam_autosave.py.
"""

from __future__ import annotations

import re

from sqlalchemy import select

from grading.exam import PaperItem, choice_id, score_paper
from lti_tool.extensions import db
from lti_tool.models.exam import ExamAnswer, ExamAttempt
from tests.exam.test_exam_web import begin


def _values(html, item):
    """The submitted values of an item's propositions, in the order shown."""
    return re.findall(r'name="choice" value="([^"]+)" id="p-\d+-' + re.escape(item) + '"', html)


def _raw_save(client, who, item, choices, version, seq, csrf=None):
    return client.post(
        who.url("/examen/enregistrer"),
        json={
            "item_id": item,
            "choices": choices,
            "flagged": False,
            "page_version": version,
            "seq": seq,
        },
        headers={"X-CSRFToken": csrf} if csrf else {},
    )


def test_two_candidates_papers_name_the_same_proposition_differently(client, people, launch):
    alice, _ = people
    bob = launch("trainee", sub="cand-2", target="exam:certification")
    a_attempt, _, a_html = begin(client, alice)
    b_attempt, _, b_html = begin(client, bob)
    shared = {p["item_id"] for p in a_attempt.paper} & {p["item_id"] for p in b_attempt.paper}
    assert shared  # the case study's items are on both papers
    for item in shared:
        keys = next(p["proposition_keys"] for p in a_attempt.paper if p["item_id"] == item)
        a_values, b_values = set(_values(a_html, item)), set(_values(b_html, item))
        assert len(a_values) == len(b_values) == len(keys)
        assert not a_values & b_values
        assert not a_values & set(keys) and not b_values & set(keys)  # no bare letters
        for key in keys:
            assert choice_id(a_attempt.seed, item, key) != choice_id(b_attempt.seed, item, key)
            assert re.fullmatch(r"[A-Za-z0-9_-]{12}", choice_id(a_attempt.seed, item, key))


def test_a_save_with_another_candidates_id_or_a_bare_letter_is_refused(client, people, launch):
    alice, _ = people
    bob = launch("trainee", sub="cand-2", target="exam:certification")
    a_attempt, a_version, _ = begin(client, alice)
    b_attempt, _, _ = begin(client, bob)
    item = next(
        p["item_id"]
        for p in a_attempt.paper
        if p["item_id"] in {q["item_id"] for q in b_attempt.paper}
    )
    bobs = choice_id(b_attempt.seed, item, "a")
    for choices in ([bobs], ["a"], ["A"]):
        refused = _raw_save(client, alice, item, choices, a_version, 1)
        assert refused.status_code == 400 and refused.get_json()["error"] == "bad_choice"
    assert (
        db.session.scalar(select(ExamAnswer).where(ExamAnswer.attempt_id == a_attempt.id)) is None
    )
    mine = choice_id(a_attempt.seed, item, "a")
    assert _raw_save(client, alice, item, [mine], a_version, 2).get_json()["stored"]


def test_grading_is_unchanged(client, people, small_bank):
    alice, trainer = people
    attempt, version, html = begin(client, alice)
    correct = {i.id: sorted(i.correct_keys) for i in small_bank.items}
    for seq, item in enumerate(attempt.paper, start=1):
        item_id = item["item_id"]
        ids = [choice_id(attempt.seed, item_id, key) for key in correct[item_id]]
        assert set(ids) <= set(_values(html, item_id))
        assert _raw_save(client, alice, item_id, ids, version, seq).get_json()["stored"]
    client.post(alice.url("/examen/remettre"))
    db.session.expire_all()
    done = db.session.get(ExamAttempt, attempt.id)
    answers = {
        a.item_id: frozenset(a.choices)
        for a in db.session.scalars(select(ExamAnswer).where(ExamAnswer.attempt_id == attempt.id))
    }
    assert answers == {k: frozenset(correct[k]) for k in answers}
    expected = score_paper([PaperItem.from_json(p) for p in done.paper], answers)
    assert done.score_points == expected.points == done.score_maximum
    csv_text = client.get(trainer.url("/examen/resultats.csv")).get_data(as_text=True)
    header, line = (r.split(";") for r in csv_text.lstrip("\ufeff").splitlines()[:2])
    row = dict(zip(header, line, strict=True))
    assert (row["points"], row["maximum"], row["réussite"]) == (
        f"{done.score_points}",
        f"{done.score_maximum}",
        "oui",
    )

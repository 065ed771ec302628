"""The questionnaire through HTTP: pages, autosave API, trainer endpoints, review policy."""

from __future__ import annotations

import re

from sqlalchemy import select

from grading.exam import choice_id
from lti_tool.extensions import db
from lti_tool.models.exam import ExamAnswer, ExamAttempt


def begin(client, candidate):
    response = client.post(candidate.url("/examen/commencer"))
    assert response.status_code == 303
    page = client.get(candidate.url("/examen/passer"))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    version = int(re.search(r'data-page-version="(\d+)"', html).group(1))
    attempt = db.session.scalar(select(ExamAttempt).where(ExamAttempt.user_id == candidate.user.id))
    return attempt, version, html


def paper_choice(user_id, item, key):
    """The id under which the candidate's latest paper shows the proposition ``key``."""
    seed = db.session.scalar(
        select(ExamAttempt.seed)
        .where(ExamAttempt.user_id == user_id)
        .order_by(ExamAttempt.attempt_no.desc())
        .limit(1)
    )
    return choice_id(seed, item, key)


def post_save(client, candidate, item, choice, version, seq):
    """Save the proposition ``choice`` (a key) as the candidate's page does (by its id)."""
    return client.post(
        candidate.url("/examen/enregistrer"),
        json={
            "item_id": item,
            "choices": [paper_choice(candidate.user.id, item, choice)],
            "flagged": False,
            "page_version": version,
            "seq": seq,
        },
    )


def test_candidate_takes_saves_and_submits(client, people, clock):
    candidate, _ = people
    intro = client.get(candidate.url("/examen/")).get_data(as_text=True)
    assert "60 minutes" in intro and "Une seule tentative" in intro
    attempt, version, html = begin(client, candidate)
    assert 'aria-live="polite"' in html and "Question 1 sur" in html
    item = attempt.paper[0]["item_id"]
    ok = post_save(client, candidate, item, "a", version, 1).get_json()
    assert ok["ok"] and ok["stored"] and ok["remaining_seconds"] == 3600
    clock.advance(minutes=5)
    assert (
        post_save(client, candidate, item, "b", version, 2).get_json()["remaining_seconds"] == 3300
    )
    assert client.post(candidate.url("/examen/remettre")).status_code == 303
    assert client.post(candidate.url("/examen/remettre")).status_code == 303  # harmless twice
    result = client.get(candidate.url("/examen/resultat")).get_data(as_text=True)
    assert "Résultat par compétence" in result
    assert "bonne réponse" not in result  # review not released yet
    late = post_save(client, candidate, item, "a", version, 3)
    assert late.status_code == 409 and late.get_json()["error"] == "submitted"


def test_second_tab_makes_the_first_stale(client, people):
    candidate, _ = people
    attempt, first_version, _ = begin(client, candidate)
    _, second_version, _ = begin(client, candidate)
    item = attempt.paper[0]["item_id"]
    stale = post_save(client, candidate, item, "a", first_version, 10)
    assert stale.status_code == 409 and "autre onglet" in stale.get_json()["message"]
    assert post_save(client, candidate, item, "b", second_version, 1).get_json()["ok"]


def test_answer_after_the_grace_is_refused_and_attempt_submitted(client, people, clock):
    candidate, _ = people
    attempt, version, _ = begin(client, candidate)
    clock.advance(minutes=61, seconds=1)
    late = post_save(client, candidate, attempt.paper[0]["item_id"], "a", version, 1)
    assert late.status_code == 409
    assert "temps de l'épreuve est écoulé" in late.get_json()["message"]
    db.session.expire_all()
    assert db.session.get(ExamAttempt, attempt.id).status == "submitted"
    assert db.session.scalar(select(ExamAnswer).where(ExamAnswer.attempt_id == attempt.id)) is None


def test_relaunch_after_deadline_shows_the_result(client, people, clock):
    candidate, _ = people
    begin(client, candidate)
    clock.advance(hours=2)
    response = client.get(candidate.url("/examen/passer"))
    assert response.status_code == 302 and response.headers["Location"].endswith("/examen/resultat")


def test_trainee_cannot_reach_trainer_endpoints(client, people):
    candidate, _ = people
    for method, path in [
        ("get", "/examen/suivi"),
        ("get", "/examen/suivi.json"),
        ("get", "/examen/resultats.csv"),
        ("get", "/examen/analyse"),
        ("post", "/examen/amenagement"),
        ("post", "/examen/reinitialiser"),
        ("post", "/examen/publier-correction"),
        ("get", "/examen/journal/1.json"),
    ]:
        assert getattr(client, method)(candidate.url(path)).status_code == 403, path


def test_trainer_monitors_accommodates_releases_and_exports(client, people, clock):
    candidate, trainer = people
    attempt, version, _ = begin(client, candidate)
    post_save(client, candidate, attempt.paper[0]["item_id"], "a", version, 1)
    page = client.get(trainer.url("/examen/suivi")).get_data(as_text=True)
    assert "Alice Candidate" in page and "en cours" in page
    rows = client.get(trainer.url("/examen/suivi.json")).get_json()
    assert rows[0]["answered"] == 1 and rows[0]["remaining_seconds"] == 3600
    response = client.post(
        trainer.url("/examen/amenagement"),
        data={"user_id": candidate.user.id, "percent": "33,3333", "confirm": "1"},
    )
    assert response.status_code == 303
    assert client.get(trainer.url("/examen/suivi.json")).get_json()[0]["remaining_seconds"] == 4800
    # The candidate's page learns the new time at its next save.
    assert (
        post_save(client, candidate, attempt.paper[1]["item_id"], "a", version, 2).get_json()[
            "remaining_seconds"
        ]
        == 4800
    )
    bad = client.post(
        trainer.url("/examen/amenagement"),
        data={"user_id": candidate.user.id, "percent": "beaucoup"},
    )
    assert bad.status_code == 302
    client.post(candidate.url("/examen/remettre"))
    client.post(trainer.url("/examen/publier-correction"))
    review = client.get(candidate.url("/examen/resultat")).get_data(as_text=True)
    assert "bonne réponse" in review and "Explication" in review
    csv_text = client.get(trainer.url("/examen/resultats.csv")).get_data(as_text=True)
    assert "Alice Candidate" in csv_text and "C1 (points/max)" in csv_text
    log = client.get(trainer.url(f"/examen/journal/{attempt.id}.json")).get_json()
    assert [e["payload"]["kind"] for e in log["events"]][:3] == ["start", "page", "save"]
    analysis = client.get(trainer.url("/examen/analyse")).get_data(as_text=True)
    assert "Cohorte de 1 candidat" in analysis and "<svg" in analysis


def test_trainer_of_another_course_cannot_read_an_attempt_log(client, people, launch):
    candidate, _ = people
    attempt, _, _ = begin(client, candidate)
    outsider = launch(
        "trainer", sub="other-trainer", context="course-2", target="exam:certification"
    )
    assert client.get(outsider.url(f"/examen/journal/{attempt.id}.json")).status_code == 404


def test_reset_needs_a_reason(client, people):
    candidate, trainer = people
    begin(client, candidate)
    client.post(candidate.url("/examen/remettre"))
    client.post(
        trainer.url("/examen/reinitialiser"), data={"user_id": candidate.user.id, "reason": "court"}
    )
    assert (
        client.post(candidate.url("/examen/commencer"))
        .headers["Location"]
        .endswith("/examen/resultat")
    )
    client.post(
        trainer.url("/examen/reinitialiser"),
        data={"user_id": candidate.user.id, "reason": "Malaise pendant l'épreuve, attesté"},
    )
    assert client.post(candidate.url("/examen/commencer")).status_code == 303
    assert (
        db.session.scalar(select(ExamAttempt.attempt_no).where(ExamAttempt.status == "in_progress"))
        == 2
    )


def test_malformed_saves_get_a_clear_400(client, people):
    candidate, _ = people
    attempt, version, _ = begin(client, candidate)
    item = attempt.paper[0]["item_id"]
    for payload in [
        {"item_id": item, "choices": ["a"], "page_version": version},
        {"item_id": item, "choices": ["a"], "page_version": version, "seq": "x"},
        {"item_id": item, "choices": ["a"], "page_version": version, "seq": 2**60},
        {"item_id": item, "choices": ["zz"], "page_version": version, "seq": 1},
        {"item_id": "not-in-paper", "choices": ["a"], "page_version": version, "seq": 1},
    ]:
        response = client.post(candidate.url("/examen/enregistrer"), json=payload)
        assert response.status_code == 400 and response.get_json()["ok"] is False


def test_page_sequence_numbers_in_milliseconds_are_stored(client, people):
    candidate, _ = people
    attempt, version, _ = begin(client, candidate)
    big = 1_795_000_000_000
    assert post_save(client, candidate, attempt.paper[0]["item_id"], "a", version, big).get_json()[
        "stored"
    ]
    assert not post_save(
        client, candidate, attempt.paper[0]["item_id"], "b", version, big - 1
    ).get_json()["stored"]


def test_reloaded_page_ticks_each_candidates_own_answers(client, people, launch):
    candidate, _ = people
    other = launch("trainee", sub="cand-2", target="exam:certification")
    attempt, version, _ = begin(client, candidate)
    first, second = (p["item_id"] for p in attempt.paper[:2])
    keys = attempt.paper[1]["proposition_keys"]
    client.post(
        candidate.url("/examen/enregistrer"),
        json={"item_id": second, "choices": [keys[-1]], "flagged": True},
    )  # refused: no page version; nothing ticked by it
    post_save(client, candidate, second, keys[-1], version, 1)
    client.post(
        candidate.url("/examen/enregistrer"),
        json={"item_id": first, "choices": [], "flagged": True, "page_version": version, "seq": 2},
    )
    html = client.get(candidate.url("/examen/passer")).get_data(as_text=True)
    checked = re.findall(r'id="([^"]+)" checked>', html)
    assert checked == [f"flag-{first}", f"p-{len(keys)}-{second}"]
    numbers = re.findall(r'<form class="exam-item" id="q-(\d+)"', html)
    assert numbers == [str(n) for n in range(1, len(attempt.paper) + 1)]
    assert f'action="{candidate.url("/examen/enregistrer")}"' in html
    # Another candidate's page reuses the rendered items, never the first one's answers or URL.
    other_attempt, _, other_html = begin(client, other)
    assert "checked>" not in other_html and candidate.token not in other_html
    assert other_html.count(f'action="{other.url("/examen/enregistrer")}"') == len(
        other_attempt.paper
    )
    assert "Question 1 sur" in other_html and "\x00" not in other_html

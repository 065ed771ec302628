"""Publishing the correction closes the session (issue 13, point 5).

No candidate still sitting can see the correction: publishing is refused while attempts run
(unless the trainer confirms ending them, each logged), no attempt starts afterwards, and a
reopening for one late candidate is explicit, logged, and hides the correction from that
candidate until they submit.
"""

from __future__ import annotations

import html
import re

from sqlalchemy import select

from lti_tool.exam import session
from lti_tool.extensions import db
from lti_tool.models.core import AuditEvent
from lti_tool.models.exam import ExamAttempt, ExamSettings
from tests.exam.test_exam_web import begin, post_save

CLOSED = "La session de cette épreuve est close"
CORRECTION = "bonne réponse"


def text(response):
    """The page's text as a reader sees it (entities decoded)."""
    return html.unescape(response.get_data(as_text=True))


def _actions():
    db.session.expire_all()
    return [
        (e.action, e.subject_user_id)
        for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))
        if e.action.startswith("exam.")
    ]


def _released(link_id):
    db.session.expire_all()
    return db.session.scalar(
        select(ExamSettings.review_released_at).where(ExamSettings.resource_link_id == link_id)
    )


def _attempts(user_id):
    db.session.expire_all()
    return db.session.scalars(
        select(ExamAttempt).where(ExamAttempt.user_id == user_id).order_by(ExamAttempt.attempt_no)
    ).all()


def test_publishing_is_refused_while_a_candidate_is_sitting(client, people):
    candidate, trainer = people
    attempt, version, _ = begin(client, candidate)
    monitor = text(client.get(trainer.url("/examen/suivi")))
    assert "Candidats qui passent encore l'épreuve : 1." in monitor
    assert 'name="end_running" value="1" id="end-running" required' in monitor
    assert '<label for="end-running">' in monitor
    refused = client.post(trainer.url("/examen/publier-correction"))
    assert refused.status_code == 303 and refused.headers["Location"].endswith("/examen/suivi")
    page = text(client.get(trainer.url("/examen/suivi")))
    assert "1 candidat passe encore l'épreuve" in page
    assert _released(candidate.resource_link.id) is None
    assert _attempts(candidate.user.id)[0].status == "in_progress"
    # The candidate goes on, then submits: the correction shows only once published.
    assert (
        post_save(client, candidate, attempt.paper[0]["item_id"], "a", version, 1).status_code
        == 200
    )
    client.post(candidate.url("/examen/remettre"))
    assert CORRECTION not in text(client.get(candidate.url("/examen/resultat")))
    assert client.post(trainer.url("/examen/publier-correction")).status_code == 303
    assert _released(candidate.resource_link.id) is not None
    assert CORRECTION in text(client.get(candidate.url("/examen/resultat")))
    assert ("exam.release_review", None) in _actions()


def test_confirmed_publishing_submits_the_running_attempts_and_logs_each(client, people, clock):
    candidate, trainer = people
    attempt, version, _ = begin(client, candidate)
    post_save(client, candidate, attempt.paper[0]["item_id"], "a", version, 1)
    clock.advance(minutes=20)
    response = client.post(trainer.url("/examen/publier-correction"), data={"end_running": "1"})
    assert response.status_code == 303
    ended = _attempts(candidate.user.id)[0]
    assert ended.status == "submitted" and ended.submit_reason == "closed"
    assert ended.finished_at == clock() and ended.score_maximum == len(ended.paper)
    assert _actions() == [
        ("exam.end_attempt", candidate.user.id),
        ("exam.release_review", None),
    ]
    release = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "exam.release_review")
    )
    assert release.data["ended_attempts"] == [attempt.id] and release.actor_id == trainer.user.id
    # The candidate's page can save no more; their result says who ended it.
    late = post_save(client, candidate, attempt.paper[1]["item_id"], "a", version, 2)
    assert late.status_code == 409 and late.get_json()["error"] == "submitted"
    result = text(client.get(candidate.url("/examen/resultat")))
    assert "remise par le formateur à la clôture de la session" in result
    assert CORRECTION in result
    log = client.get(trainer.url(f"/examen/journal/{attempt.id}.json")).get_json()
    assert log["events"][-1]["payload"]["reason"] == "closed"


def test_no_attempt_starts_after_publishing(client, people, launch):
    candidate, trainer = people
    client.post(trainer.url("/examen/publier-correction"))
    intro = client.get(candidate.url("/examen/"))
    html = text(intro)
    assert intro.status_code == 200 and CLOSED in html
    assert "Commencer l'épreuve" not in html and "<h1>Épreuve 1 : session close</h1>" in html
    started = client.post(candidate.url("/examen/commencer"))
    assert started.status_code == 403 and CLOSED in text(started)
    assert _attempts(candidate.user.id) == []
    assert client.get(candidate.url("/examen/passer")).status_code == 404


def test_reopening_lets_only_that_candidate_start_and_hides_the_correction_until_they_finish(
    client, people, launch, clock
):
    candidate, trainer = people
    late = launch("trainee", sub="cand-late", target="exam:certification", name="Bob Retard")
    other = launch("trainee", sub="cand-other", target="exam:certification")
    begin(client, candidate)
    client.post(candidate.url("/examen/remettre"))
    client.post(trainer.url("/examen/publier-correction"))
    monitor = text(client.get(trainer.url("/examen/suivi")))
    assert "Rouvrir la session pour ce candidat" in monitor
    assert f'<label for="reopen-reason-{late.user.id}">' in monitor
    # A reason is required, and reopening needs a closed session (tested below).
    client.post(trainer.url("/examen/rouvrir"), data={"user_id": late.user.id, "reason": "court"})
    assert ("exam.reopen", late.user.id) not in _actions()
    response = client.post(
        trainer.url("/examen/rouvrir"),
        data={"user_id": late.user.id, "reason": "Train en retard, arrivé à 10 h 20"},
    )
    assert response.status_code == 303
    assert ("exam.reopen", late.user.id) in _actions()
    reopen = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "exam.reopen"))
    assert "Train en retard" in reopen.detail and reopen.actor_id == trainer.user.id
    monitor = text(client.get(trainer.url("/examen/suivi")))
    assert "Session rouverte pour ce candidat" in monitor
    link_id = late.resource_link.id
    assert not session.correction_visible(link_id, late.user.id)
    assert session.correction_visible(link_id, candidate.user.id)
    # Only the reopened candidate may start.
    assert CLOSED in text(client.get(other.url("/examen/")))
    assert client.post(other.url("/examen/commencer")).status_code == 403
    assert "Commencer l'épreuve" in text(client.get(late.url("/examen/")))
    attempt, version, _ = begin(client, late)
    assert post_save(client, late, attempt.paper[0]["item_id"], "a", version, 1).status_code == 200
    assert not session.correction_visible(link_id, late.user.id)
    clock.advance(minutes=10)
    client.post(late.url("/examen/remettre"))
    # Finished: the correction shows, and the reopening is spent.
    assert session.correction_visible(link_id, late.user.id)
    assert CORRECTION in text(client.get(late.url("/examen/resultat")))
    assert session.pending_reopens(link_id) == set()
    assert client.post(late.url("/examen/commencer")).headers["Location"].endswith("/resultat")
    assert len(_attempts(late.user.id)) == 1


def test_a_reset_candidate_reopened_does_not_see_the_correction_until_they_finish(
    client, people, clock
):
    candidate, trainer = people
    begin(client, candidate)
    client.post(candidate.url("/examen/remettre"))
    client.post(trainer.url("/examen/publier-correction"))
    assert CORRECTION in text(client.get(candidate.url("/examen/resultat")))
    # Without a new attempt a reopening is pointless: refused with the way to do it.
    client.post(
        trainer.url("/examen/rouvrir"),
        data={"user_id": candidate.user.id, "reason": "Malaise attesté pendant l'épreuve"},
    )
    page = text(client.get(trainer.url("/examen/suivi")))
    assert "ouvrez d'abord une nouvelle tentative" in page
    client.post(
        trainer.url("/examen/reinitialiser"),
        data={"user_id": candidate.user.id, "reason": "Malaise attesté pendant l'épreuve"},
    )
    # Reset but not reopened: the closed session still refuses the start.
    assert client.post(candidate.url("/examen/commencer")).status_code == 403
    client.post(
        trainer.url("/examen/rouvrir"),
        data={"user_id": candidate.user.id, "reason": "Malaise attesté pendant l'épreuve"},
    )
    result = text(client.get(candidate.url("/examen/resultat")))
    assert CORRECTION not in result
    clock.advance(minutes=1)
    begin(client, candidate)
    assert [a.status for a in _attempts(candidate.user.id)] == ["submitted", "in_progress"]
    client.post(candidate.url("/examen/remettre"))
    assert CORRECTION in text(client.get(candidate.url("/examen/resultat")))
    assert [a for a, _ in _actions()] == [
        "exam.release_review",
        "exam.reset",
        "exam.reopen",
    ]


def test_reopening_an_open_session_is_refused(client, people):
    candidate, trainer = people
    client.post(
        trainer.url("/examen/rouvrir"),
        data={"user_id": candidate.user.id, "reason": "Train en retard, arrivé à 10 h 20"},
    )
    page = text(client.get(trainer.url("/examen/suivi")))
    assert "La session est encore ouverte" in page
    assert _actions() == []


def test_publishing_twice_changes_nothing(client, people):
    candidate, trainer = people
    client.post(trainer.url("/examen/publier-correction"))
    first = _released(candidate.resource_link.id)
    client.post(trainer.url("/examen/publier-correction"))
    assert _released(candidate.resource_link.id) == first
    assert [a for a, _ in _actions()] == ["exam.release_review"]


def test_trainee_cannot_reopen(client, people):
    candidate, _ = people
    assert client.post(candidate.url("/examen/rouvrir")).status_code == 403


def test_monitor_explains_the_closing(client, people):
    _, trainer = people
    page = text(client.get(trainer.url("/examen/suivi")))
    assert "Publier la correction clôt la session" in page
    assert re.search(r'<button type="submit" aria-describedby="release-help">', page)
    assert "end_running" not in page  # nobody sitting: nothing to confirm


def test_closed_page_in_english_for_an_english_launch(client, people):
    from lti_tool.models import LaunchSession

    candidate, trainer = people
    db.session.query(LaunchSession).update({"locale": "en"})
    db.session.commit()
    client.post(trainer.url("/examen/publier-correction"))
    page = text(client.get(candidate.url("/examen/")))
    assert "Exam 1: session closed" in page and "only they can reopen it" in page


def test_a_start_being_checked_holds_off_the_closing_postgresql(app, people):
    """The start's check holds the activity's row until its commit: a closing waits for it
    (then sees the new attempt), so no attempt can slip in after a publication."""
    import pytest
    from sqlalchemy import text as sql
    from sqlalchemy.exc import OperationalError
    from sqlalchemy.orm import Session

    from lti_tool.models.core import ResourceLink

    if db.engine.dialect.name != "postgresql":
        pytest.skip("row locks are PostgreSQL's (SQLite serialises writers)")
    candidate, _ = people
    link_id = candidate.resource_link.id
    session.ensure_may_start(link_id, candidate.user.id)  # a start, not yet committed
    with Session(db.engine) as closing:
        closing.execute(sql("SET LOCAL lock_timeout = '300ms'"))
        try:
            closing.execute(
                select(ResourceLink.id).where(ResourceLink.id == link_id).with_for_update()
            )
            raise AssertionError("the closing took the row while a start held it")
        except OperationalError as error:
            assert "lock" in str(error).lower()
        closing.rollback()
        db.session.commit()  # the start ends
        closing.execute(sql("SET LOCAL lock_timeout = '300ms'"))
        assert (
            closing.execute(
                select(ResourceLink.id).where(ResourceLink.id == link_id).with_for_update()
            ).scalar()
            == link_id
        )
        closing.rollback()

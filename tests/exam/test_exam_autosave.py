"""The autosave's lean path (lti_tool/exam/autosave.py): same guarantees as the Flask view.

Every test runs with launch sessions in the database and in Redis. The lean path serves
accepted saves only; the Flask view is replaced by a sentinel where a test needs to know which
one answered.
"""

from __future__ import annotations

import re
import secrets

import pytest
from flask import g
from sqlalchemy import select

from grading.event_chain import ChainEntry, verify
from grading.exam import choice_id
from lti_tool.exam import autosave
from lti_tool.extensions import db
from lti_tool.lti.store import DatabaseStore, RedisStore
from lti_tool.models.exam import ExamAnswer, ExamAttempt, ExamEvent
from tests.exam.test_exam_web import paper_choice
from tests.lti.conftest import redis_client


@pytest.fixture(params=["database", "redis"])
def store(request, app):
    """Launch sessions in the database, or in Redis under a prefix of their own."""
    if request.param == "database":
        app.extensions["bilan_launch_store"] = DatabaseStore()
        yield request.param
        return
    client = redis_client()
    prefix = f"bilan-test:{secrets.token_hex(6)}:"
    app.extensions["bilan_launch_store"] = RedisStore(client, prefix)
    yield request.param
    for key in client.scan_iter(match=prefix + "*"):
        client.delete(key)


@pytest.fixture()
def csrf_on(app):
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False


@pytest.fixture()
def candidate(store, launch, small_bank):
    return launch("trainee", sub="cand-1", target="exam:certification", name="Alice Candidate")


@pytest.fixture()
def view_calls(app):
    """Counts the requests the Flask view answers (the lean path answered the others)."""
    calls = []
    original = app.view_functions["exam.save"]

    def counted(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    app.view_functions["exam.save"] = counted
    return calls


def begin(client, candidate):
    # Flask-WTF caches the signed token in ``g``, which the tests' app context keeps between
    # requests: forget it so that each launch's page carries its own.
    g.pop("csrf_token", None)
    page = client.get(candidate.url("/examen/"))
    field = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))
    response = client.post(
        candidate.url("/examen/commencer"), data={"csrf_token": field.group(1) if field else ""}
    )
    assert response.status_code == 303
    html = client.get(candidate.url("/examen/passer")).get_data(as_text=True)
    version = int(re.search(r'data-page-version="(\d+)"', html).group(1))
    token = re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)
    attempt = db.session.scalar(select(ExamAttempt).where(ExamAttempt.user_id == candidate.user.id))
    return attempt, version, token


def save(client, candidate, item, choice, version, seq, csrf=None):
    headers = {"X-CSRFToken": csrf} if csrf else {}
    return client.post(
        candidate.url("/examen/enregistrer"),
        json={
            "item_id": item,
            "choices": [paper_choice(candidate.user.id, item, choice)],
            "flagged": False,
            "page_version": version,
            "seq": seq,
        },
        headers=headers,
    )


def stored(attempt_id):
    db.session.expire_all()
    return {
        a.item_id: a.choices
        for a in db.session.scalars(select(ExamAnswer).where(ExamAnswer.attempt_id == attempt_id))
    }


def test_accepted_saves_are_served_by_the_lean_path_and_chained(client, candidate, view_calls):
    attempt, version, _ = begin(client, candidate)
    first, second = (p["item_id"] for p in attempt.paper[:2])
    answer = save(client, candidate, first, "a", version, 1).get_json()
    assert answer == {
        "ok": True,
        "stored": True,
        "remaining_seconds": 3600,
        "deadline": attempt.deadline_at.isoformat(),
        "in_grace": False,
    }
    assert save(client, candidate, second, "b", version, 2).get_json()["stored"]
    # A late retry (older sequence number) is acknowledged but overwrites nothing.
    assert save(client, candidate, first, "c", version, 0).get_json()["stored"] is False
    assert view_calls == []
    assert stored(attempt.id) == {first: ["a"], second: ["b"]}
    events = db.session.scalars(
        select(ExamEvent).where(ExamEvent.attempt_id == attempt.id).order_by(ExamEvent.seq)
    ).all()
    assert [e.payload["kind"] for e in events] == ["start", "page", "save", "save"]
    assert verify(ChainEntry(e.seq, e.payload, e.previous_hash, e.hash) for e in events) == []


def test_refused_saves_go_to_the_view(client, candidate, view_calls):
    attempt, version, _ = begin(client, candidate)
    item = attempt.paper[0]["item_id"]
    assert save(client, candidate, item, "zz", version, 1).status_code == 400
    assert save(client, candidate, item, "a", version + 1, 2).status_code == 409  # stale tab
    assert len(view_calls) == 2 and stored(attempt.id) == {}


def test_lean_path_answers_with_the_views_security_headers(client, candidate):
    attempt, version, _ = begin(client, candidate)
    lean = save(client, candidate, attempt.paper[0]["item_id"], "a", version, 1)
    flask_json = client.get(candidate.url("/examen/temps"))
    for header in ("Content-Type", "Content-Security-Policy", "Referrer-Policy"):
        assert lean.headers[header] == flask_json.headers[header]
    assert lean.headers["X-Content-Type-Options"] == "nosniff"


def test_a_save_without_the_pages_csrf_token_is_refused(client, candidate, csrf_on):
    attempt, version, token = begin(client, candidate)
    item = attempt.paper[0]["item_id"]
    assert save(client, candidate, item, "a", version, 1).status_code == 400
    forged = save(client, candidate, item, "a", version, 2, csrf=token[:-2] + "xx")
    assert forged.status_code == 400
    assert stored(attempt.id) == {}
    assert save(client, candidate, item, "b", version, 3, csrf=token).get_json()["stored"]
    assert stored(attempt.id) == {item: ["b"]}


def test_a_remembered_csrf_signature_still_expires(
    app, client, candidate, csrf_on, view_calls, monkeypatch
):
    """The lean path checks a page's signed CSRF token once per process and remembers it
    (the same token comes with each of the page's saves); its age is still checked on every
    save, as Flask-WTF's ``loads(max_age=...)`` does, when the deployment sets a time limit
    (the tool's default is none: a page's token lives as long as its launch)."""
    import time

    monkeypatch.setitem(app.config, "WTF_CSRF_TIME_LIMIT", 3600)
    attempt, version, token = begin(client, candidate)
    item = attempt.paper[0]["item_id"]
    assert save(client, candidate, item, "a", version, 1, csrf=token).get_json()["stored"]
    assert save(client, candidate, item, "b", version, 2, csrf=token).get_json()["stored"]
    assert view_calls == []  # both served by the lean path, the second from what it remembered
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 3605)
    expired = save(client, candidate, item, "c", version, 3, csrf=token)
    assert expired.status_code == 400  # the lean path referred it; Flask-WTF refused it
    assert stored(attempt.id) == {item: ["b"]}
    monkeypatch.setattr(time, "time", lambda: real() - 60)  # signed in the future: refused too
    assert save(client, candidate, item, "c", version, 4, csrf=token).status_code == 400
    assert stored(attempt.id) == {item: ["b"]}


def test_another_launchs_csrf_token_is_refused(client, candidate, launch, csrf_on):
    attempt, version, _ = begin(client, candidate)
    other = launch("trainee", sub="cand-2", target="exam:certification")
    _, _, other_token = begin(client, other)
    item = attempt.paper[0]["item_id"]
    assert save(client, candidate, item, "a", version, 1, csrf=other_token).status_code == 400
    assert stored(attempt.id) == {}


def test_csrf_over_https_needs_a_same_origin_referrer(client, candidate, csrf_on):
    attempt, version, token = begin(client, candidate)
    item = attempt.paper[0]["item_id"]
    choice = paper_choice(candidate.user.id, item, "a")

    def post(**headers):
        return client.post(
            candidate.url("/examen/enregistrer"),
            json={"item_id": item, "choices": [choice], "page_version": version, "seq": 1},
            headers={"X-CSRFToken": token, **headers},
            base_url="https://tool.example.org",
        )

    assert post().status_code == 400
    assert post(Referer="https://evil.example.net/page").status_code == 400
    assert stored(attempt.id) == {}
    assert post(Referer="https://tool.example.org/s/x/examen/passer").status_code == 200
    assert stored(attempt.id) == {item: ["a"]}


def test_a_trainer_launch_of_the_same_user_cannot_save(client, candidate, launch):
    attempt, version, _ = begin(client, candidate)
    as_trainer = launch("trainer", sub="cand-1", target="exam:certification")
    refused = save(client, as_trainer, attempt.paper[0]["item_id"], "a", version, 1)
    assert refused.status_code == 403 and stored(attempt.id) == {}


def test_an_expired_launch_cannot_save(app, client, store, launch, small_bank, clock):
    app.config["LAUNCH_SESSION_HOURS"] = 1
    trainer = launch("trainer", sub="form-1", target="exam:certification")
    candidate = launch("trainee", sub="cand-1", target="exam:certification")
    response = client.post(
        trainer.url("/examen/amenagement"), data={"user_id": candidate.user.id, "percent": "300", "confirm": "1"},
    )
    assert response.status_code == 303  # four hours: the attempt outlives the launch
    attempt, version, _ = begin(client, candidate)
    clock.advance(hours=1, seconds=1)
    expired = save(client, candidate, attempt.paper[0]["item_id"], "a", version, 1)
    assert expired.status_code == 401 and stored(attempt.id) == {}


def test_unknown_token_and_other_shapes_go_to_flask(client, candidate, view_calls):
    attempt, version, _ = begin(client, candidate)
    item = attempt.paper[0]["item_id"]
    unknown = client.post(
        "/s/" + "x" * 43 + "/examen/enregistrer",
        json={"item_id": item, "choices": ["a"], "page_version": version, "seq": 1},
    )
    assert unknown.status_code == 401
    # A string sequence number is the view's to judge (it accepts what int() accepts).
    coerced = client.post(
        candidate.url("/examen/enregistrer"),
        json={
            "item_id": item,
            "choices": [paper_choice(candidate.user.id, item, "a")],
            "page_version": version,
            "seq": "7",
        },
    )
    assert coerced.status_code == 200 and len(view_calls) == 1
    assert stored(attempt.id) == {item: ["a"]}


def test_parse_save_refers_anything_but_the_pages_shape():
    good = b'{"item_id": "q1", "choices": ["a"], "flagged": true, "page_version": 1, "seq": 5}'
    assert autosave.parse_save(good) == ("q1", ["a"], True, 1, 5)
    for body in [
        b"not json",
        b"[]",
        b'{"item_id": "q1", "choices": ["a"], "page_version": 1}',
        b'{"item_id": "q1", "choices": "a", "page_version": 1, "seq": 1}',
        b'{"item_id": "q1", "choices": [1], "page_version": 1, "seq": 1}',
        b'{"item_id": "q1", "choices": [], "page_version": true, "seq": 1}',
        b'{"item_id": "q1", "choices": [], "page_version": 1, "seq": 9007199254740992}',
        b'{"item_id": "q1", "choices": [], "page_version": -1, "seq": 1}',
    ]:
        with pytest.raises(autosave.Refer):
            autosave.parse_save(body)


def test_opening_the_exam_writes_nothing_to_the_launch_session(app, client, launch):
    """The CSRF token exists from the launch: the intro page does not write the session back."""
    from sqlalchemy import event

    from lti_tool.extensions import db

    trainee = launch("trainee", target="exam:certification")
    writes: list[str] = []

    def spy(conn, cursor, statement, *args):  # noqa: ANN001
        if statement.lstrip().upper().startswith("UPDATE") and "launch_session" in statement:
            writes.append(statement)

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", spy)
    page = client.get(trainee.url("/examen/"))
    assert page.status_code == 200 and 'name="csrf_token"' in page.get_data(as_text=True)
    assert writes == []


def test_a_failing_psycopg_save_writes_nothing(client, candidate, clock):
    """PostgreSQL's lean path runs on psycopg itself: a statement that fails leaves nothing
    written, the connection usable after the rollback, and the same save then goes through."""
    from lti_tool.exam import service

    if db.engine.dialect.name != "postgresql":
        pytest.skip("the psycopg statements are the PostgreSQL path")
    attempt, version, _ = begin(client, candidate)
    db.session.commit()
    item = attempt.paper[0]["item_id"]
    head = service.AttemptHead.of(attempt)
    broken = service.AttemptHead(**{**head.__dict__, "last_hash": "x" * 65})  # too long
    lock = "SELECT id FROM exam_attempt WHERE id = %s FOR UPDATE"
    save_args = {
        "item_id": item,
        "picked": ["a"],
        "flagged": False,
        "page_version": version,
        "client_seq": 1,
        "now": clock(),
    }
    with db.engine.connect() as connection:
        raw = connection.connection.driver_connection
        raw.execute(lock, [attempt.id])
        with pytest.raises(Exception, match="too long"):
            service.store_answer(raw, broken, **save_args)
        raw.rollback()
        assert raw.execute("SELECT 1").fetchone() == (1,)
        raw.rollback()
    assert stored(attempt.id) == {}
    with db.engine.connect() as connection:
        raw = connection.connection.driver_connection
        raw.execute(lock, [attempt.id])
        assert service.store_answer(raw, head, **save_args) is not None
        raw.commit()
    assert stored(attempt.id) == {item: ["a"]}


def test_a_psycopg_statement_missing_a_parameter_is_refused_not_run_with_null(app):
    import psycopg

    from lti_tool.exam.autosave import _WITH_LAUNCH, Raw

    if db.engine.dialect.name != "postgresql":
        pytest.skip("the psycopg statements are the PostgreSQL path")
    with db.engine.connect() as connection:
        raw = Raw(connection.connection.driver_connection)
        with pytest.raises(psycopg.ProgrammingError, match="token_hash"):
            raw.execute(_WITH_LAUNCH, {})
        raw.rollback()
        assert raw.execute(_WITH_LAUNCH, {"token_hash": "0" * 64}).first() is None  # LIMIT kept
        raw.rollback()


def test_a_save_in_flight_at_the_deadline_is_left_to_the_view_which_logs_it_late(
    client, candidate, view_calls, clock
):
    """The lean path serves on-time saves only: one in the grace goes to the view, which
    stores it and records it as late in the audit log."""
    from lti_tool.models.core import AuditEvent

    attempt, version, _ = begin(client, candidate)
    item = attempt.paper[0]["item_id"]
    clock.advance(minutes=60, seconds=3)
    answer = save(client, candidate, item, "a", version, 1)
    assert answer.status_code == 200 and answer.get_json()["in_grace"] is True
    assert view_calls == [1]
    assert stored(attempt.id) == {item: ["a"]}
    late = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "exam.late_save")).one()
    assert late.data["seconds_late"] == 3 and late.data["attempt_id"] == attempt.id


def test_the_lean_path_takes_no_answer_after_the_bounded_grace(
    client, candidate, view_calls, clock
):
    """15 s after the deadline (the default grace is 10 s) the lean path stores nothing: the
    view refuses, submits, and every later save is refused as well."""
    attempt, version, _ = begin(client, candidate)
    clock.advance(minutes=60, seconds=15)
    for seq, item in enumerate((p["item_id"] for p in attempt.paper), start=1):
        refused = save(client, candidate, item, "a", version, seq)
        assert refused.status_code == 409
    assert stored(attempt.id) == {}
    assert len(view_calls) == len(attempt.paper)
    db.session.expire_all()
    assert db.session.get(ExamAttempt, attempt.id).status == "submitted"


def test_the_lean_path_bounds_a_long_stored_grace(client, candidate, view_calls, clock):
    """An attempt stored with the former 60 s grace gets the ceiling, not a minute."""
    from sqlalchemy import update

    from grading.timing import MAX_GRACE_SECONDS

    attempt, version, _ = begin(client, candidate)
    db.session.execute(update(ExamAttempt).values(grace_seconds=60))
    db.session.commit()
    clock.advance(minutes=60, seconds=MAX_GRACE_SECONDS + 1)
    refused = save(client, candidate, attempt.paper[0]["item_id"], "a", version, 1)
    assert refused.status_code == 409 and refused.get_json()["error"] == "late"
    assert stored(attempt.id) == {} and view_calls == [1]


def test_the_lean_path_refuses_a_save_after_the_page_closed_at_the_deadline(
    client, candidate, view_calls, clock
):
    attempt, version, _ = begin(client, candidate)
    clock.advance(minutes=60, seconds=2)
    assert client.get(candidate.url("/examen/passer")).status_code == 302  # the end screen
    refused = save(client, candidate, attempt.paper[0]["item_id"], "a", version, 1)
    assert refused.status_code == 409 and refused.get_json()["error"] == "submitted"
    assert stored(attempt.id) == {} and view_calls == [1]


def save_ids(client, candidate, item, ids, version, seq, csrf):
    """A save with the given choice ids, as sent (no translation)."""
    return client.post(
        candidate.url("/examen/enregistrer"),
        json={
            "item_id": item,
            "choices": ids,
            "flagged": False,
            "page_version": version,
            "seq": seq,
        },
        headers={"X-CSRFToken": csrf},
    )


def test_the_lean_path_maps_ids_and_refuses_another_candidates(
    client,
    candidate,
    view_calls,
    launch,
    small_bank,
):
    attempt, version, token = begin(client, candidate)
    other = launch("trainee", sub="cand-2", target="exam:certification")
    other_attempt, _, _ = begin(client, other)
    item = attempt.paper[0]["item_id"]
    mine = paper_choice(candidate.user.id, item, "b")
    assert save_ids(client, candidate, item, [mine], version, 1, token).get_json()["stored"]
    assert view_calls == []  # served by the lean path, stored under the key
    db.session.expire_all()
    stored = db.session.scalar(
        select(ExamAnswer.choices).where(ExamAnswer.attempt_id == attempt.id)
    )
    assert stored == ["b"]
    theirs = choice_id(other_attempt.seed, item, "a")
    refused = save_ids(client, candidate, item, [theirs], version, 2, token)
    assert refused.status_code == 400 and refused.get_json()["error"] == "bad_choice"
    assert len(view_calls) == 1  # the lean path left it to the view, which refused it

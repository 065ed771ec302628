"""Round trips of the LTI launch (issue 16, point 1): a cohort launches within a minute.

Guards, not timings. Every statement is counted: SQLAlchemy's, and on PostgreSQL those the lean
path sends to psycopg itself (lti_tool/lti/lean.py).

History: login 3 statements + the counter (an UPDATE, then an INSERT in a savepoint), launch 17
(nonce in a savepoint, the resource link and registration read again after the commit), then 14.
Now on PostgreSQL: login 3 (registration, counter upserted, state), launch 7 (state,
registration, deployment, nonce, state taken, course and activity read together, user +
enrolment + launch session in one statement); the platform keys come from the process's cache.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event

from lti_tool.extensions import db
from lti_tool.lti import lean
from tests.lti.platform import INSTRUCTOR, LEARNER


class _Spied:
    """psycopg's connection, each statement noted (lean path)."""

    def __init__(self, inner: Any, seen: list[str]) -> None:
        self.inner, self.seen = inner, seen

    def execute(self, sql: str, params: Any = None) -> Any:
        self.seen.append(" ".join(sql.split()[:4]).upper() + " " + sql.upper())
        return self.inner.execute(sql, params)


def _count(app, call, monkeypatch):
    statements: list[str] = []

    def spy(conn, cursor, statement, *args):  # noqa: ANN001
        statements.append(" ".join(statement.split()[:4]).upper() + " " + statement.upper())

    real = lean.connection

    def spied() -> Any:
        raw = real()
        return None if raw is None else _Spied(raw, statements)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", spy)
    monkeypatch.setattr(lean, "connection", spied)
    try:
        result = call()
    finally:
        event.remove(engine, "before_cursor_execute", spy)
        monkeypatch.setattr(lean, "connection", real)
    return result, statements


def _lean(app) -> bool:
    with app.app_context():
        return db.engine.dialect.name == "postgresql"


def test_statements_of_a_login_and_a_launch(app, lms, store, monkeypatch):
    lms.full_launch()  # the platform's keys fetched and cached: the cohort's case
    (state, nonce), login = _count(app, lms.login, monkeypatch)
    # registration, login counter (one upsert), state (Redis: counter and state there)
    assert len(login) <= 3, login
    assert sum(s.startswith("SELECT") and "LTI_REGISTRATION" in s for s in login) == 1, login
    assert not any(s.startswith(("SAVEPOINT", "RELEASE")) for s in login), login
    response, launch = _count(
        app, lambda: lms.launch(lms.sign(lms.claims(nonce)), state), monkeypatch
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    assert not any(s.startswith(("SAVEPOINT", "RELEASE")) for s in launch), launch
    assert sum("LTI_USED_NONCE" in s for s in launch) <= 1, launch  # 0 with Redis
    # the platform keys: read once by the process, then from its cache (a minute at most)
    assert not any("LTI_JWKS_CACHE" in s for s in launch), launch
    assert sum("LTI_REGISTRATION" in s for s in launch) == 1, launch
    if _lean(app):
        # state, registration, deployment, nonce, state taken, course + activity, people and
        # session (Redis: state, nonce and session there)
        assert len(launch) <= 7, launch
        assert sum("APP_USER" in s for s in launch) == 1, launch
    else:
        # the ORM path (SQLite): user, context, link, enrolment read one by one
        assert len(launch) <= 13, launch


def test_a_cohort_launch_writes_no_shared_row(app, lms, store, monkeypatch):
    """The 2nd candidate of a course neither updates the course nor the activity (a write
    would queue every launch of the cohort behind the others' transactions)."""
    lms.full_launch(sub="candidate-1")
    state, nonce = lms.login()
    response, launch = _count(
        app,
        lambda: lms.launch(lms.sign(lms.claims(nonce, sub="candidate-2")), state),
        monkeypatch,
    )
    assert response.status_code == 303
    writes = [s for s in launch if s.startswith(("INSERT", "UPDATE", "WITH"))]
    assert not any("APP_CONTEXT" in s or "APP_RESOURCE_LINK" in s for s in writes), writes


@pytest.mark.parametrize("role", [LEARNER, INSTRUCTOR])
def test_a_second_launch_reads_the_keys_from_the_process(app, lms, store, monkeypatch, role):
    lms.full_launch(roles=[role])
    _, launch = _count(app, lambda: lms.full_launch(roles=[role]), monkeypatch)
    assert not any("LTI_JWKS_CACHE" in s for s in launch), launch
    assert len(lms.fetches) == 1

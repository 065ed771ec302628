"""Round trips of the LTI launch (issue 16, point 1): a cohort launches within a minute.

Guards, not timings. Before: login 3 statements (the registration read again after the state's
commit), launch 17 (nonce in a savepoint: SAVEPOINT, INSERT, RELEASE; the resource link and the
registration read again after the final commit, for the redirect and the log line).
"""

from __future__ import annotations

from sqlalchemy import event

from lti_tool.extensions import db


def _count(app, call):
    statements: list[str] = []

    def spy(conn, cursor, statement, *args):  # noqa: ANN001
        statements.append(" ".join(statement.split()[:4]).upper())

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", spy)
    try:
        result = call()
    finally:
        event.remove(engine, "before_cursor_execute", spy)
    return result, statements


def test_statements_of_a_login_and_a_launch(app, lms):
    lms.full_launch()  # the platform's keys fetched and cached: the cohort's case
    (state, nonce), login = _count(app, lms.login)
    # registration, login counter (its insert or update), state
    assert len(login) <= 4, login
    assert sum("LTI_REGISTRATION" in s for s in login) == 1, login
    response, launch = _count(app, lambda: lms.launch(lms.sign(lms.claims(nonce)), state))
    assert response.status_code == 303, response.get_data(as_text=True)
    assert not any(s.startswith(("SAVEPOINT", "RELEASE")) for s in launch), launch
    assert sum("LTI_USED_NONCE" in s for s in launch) <= 1, launch  # 0 with Redis
    # state, registration, keys, deployment, nonce, state taken, user, context, link,
    # enrollment, earlier sessions ended, session: nothing read again after the commit
    assert len(launch) <= 14, launch
    assert sum("LTI_REGISTRATION" in s for s in launch) == 1, launch

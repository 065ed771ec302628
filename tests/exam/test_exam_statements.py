"""Round trips per exam page: a cohort opens them at once, each statement counts.

Guards, not timings: the number of SQL statements of the start and of the paper page. A
change that adds one (a lazy load, a refresh after the commit...) must be a deliberate one.
"""

from __future__ import annotations

from sqlalchemy import event

from lti_tool.extensions import db


def _count(app, call):
    statements: list[str] = []

    def spy(conn, cursor, statement, *args):  # noqa: ANN001
        if "lti_registration" not in statement:  # frame-ancestors origins, read every 5 s
            statements.append(statement.split()[0].upper())

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", spy)
    try:
        response = call()
    finally:
        event.remove(engine, "before_cursor_execute", spy)
    return response, statements


def test_statements_of_the_start_and_of_the_paper_page(app, client, launch, small_bank):
    candidate = launch("trainee", sub="cand-rt", target="exam:certification")
    response, start = _count(app, lambda: client.post(candidate.url("/examen/commencer")))
    assert response.status_code == 303
    # launch (with its user and link), latest attempt, session state (closed? holding the
    # activity against a concurrent closing), accommodation, attempt inserted with its chain
    # head, event (no savepoint, no update of the new row)
    assert len(start) <= 6, start
    assert "SAVEPOINT" not in start and "UPDATE" not in start
    response, page = _count(app, lambda: client.get(candidate.url("/examen/passer")))
    assert response.status_code == 200
    # launch (with its user and link), locked attempt, answers, attempt and event writes:
    # nothing read again after the commit.
    assert len(page) <= 5, page


def test_statements_of_the_first_page(app, client, launch, small_bank):
    """The page every candidate of a cohort opens right after the launch (issue 16, point 1)."""
    candidate = launch("trainee", sub="cand-intro", target="exam:certification")
    response, intro = _count(app, lambda: client.get(candidate.url("/examen/")))
    assert response.status_code == 200
    assert "Commencer" in response.get_data(as_text=True)
    # launch (with its user and link); latest attempt, closed session and accommodation read
    # together (they were three queries)
    assert len(intro) <= 2, intro

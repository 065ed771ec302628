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


def _round_trips(trace: str) -> list[list[str]]:
    """libpq's protocol trace cut into round trips: what the client sent before each wait for
    the server (a run of frontend ``F`` messages followed by backend ``B`` messages)."""
    trips: list[list[str]] = []
    sending = False
    for line in trace.splitlines():
        direction, _, rest = line.partition("\t")
        if direction == "F":
            if not sending:
                trips.append([])
                sending = True
            trips[-1].append(rest.split("\t")[1] if "\t" in rest else rest)
        elif direction == "B":
            sending = False
    return trips


def test_round_trips_of_an_autosave(app, client, launch, small_bank, tmp_path):
    """A save is most of a session's requests (46 per candidate): on PostgreSQL it waits for
    the server twice, the BEGIN sent with the locking query and the COMMIT with the save
    (psycopg's pipeline mode); it waited four times (BEGIN, lock, save, COMMIT)."""
    import json
    import re

    import pytest

    from lti_tool.exam.autosave import Autosave  # noqa: F401  (the lean path serves the save)

    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "postgresql":
        pytest.skip("round trips of the PostgreSQL path (libpq's trace)")
    candidate = launch("trainee", sub="cand-trips", target="exam:certification")
    client.post(candidate.url("/examen/commencer"))
    html = client.get(candidate.url("/examen/passer")).get_data(as_text=True)
    version = int(re.search(r'data-page-version="(\d+)"', html).group(1))
    item = re.search(r'data-item="([^"]+)"', html).group(1)
    choice = re.search(r'name="choice" value="([^"]+)" id="p-\d+-' + re.escape(item), html)

    def save(seq: int):  # noqa: ANN202
        return client.post(
            candidate.url("/examen/enregistrer"),
            data=json.dumps(
                {
                    "item_id": item,
                    "choices": [choice.group(1)],
                    "flagged": False,
                    "page_version": version,
                    "seq": seq,
                }
            ),
            content_type="application/json",
        )

    assert save(1).get_json()["stored"] is True  # the paper's index read once per process
    path = tmp_path / "libpq.trace"
    handle = path.open("w")

    def traced(dbapi_connection, record, proxy):  # noqa: ANN001
        dbapi_connection.pgconn.trace(handle.fileno())
        dbapi_connection.pgconn.set_trace_flags(1)  # no timestamps

    def untraced(dbapi_connection, record):  # noqa: ANN001
        dbapi_connection.pgconn.untrace()

    event.listen(engine, "checkout", traced)
    event.listen(engine, "checkin", untraced)
    try:
        response = save(2)
    finally:
        event.remove(engine, "checkout", traced)
        event.remove(engine, "checkin", untraced)
        handle.close()
    assert response.status_code == 200 and response.get_json()["stored"] is True
    trips = _round_trips(path.read_text())
    assert len(trips) <= 2, trips

"""frame-ancestors: registrations read once per few seconds, a change seen at once here."""

from __future__ import annotations

from sqlalchemy import event, text

from lti_tool import security
from lti_tool.extensions import db
from lti_tool.models.lti import Registration


def _registration_queries(app):
    seen: list[str] = []

    def spy(conn, cursor, statement, *args):  # noqa: ANN001
        if "lti_registration" in statement and "auth_login_url" in statement:
            seen.append(statement)

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", spy)
    return seen


def test_pages_reuse_the_origins_and_see_a_new_registration_at_once(app, client, launch, clock):
    url = launch("trainee").url("/")
    security.forget_origins()
    seen = _registration_queries(app)
    for _ in range(3):
        assert "https://lms.example.org" in client.get(url).headers["Content-Security-Policy"]
    assert len(seen) == 1  # not one query per page
    with app.app_context():
        db.session.add(
            Registration(
                issuer="https://moodle.new.example",
                client_id="c2",
                auth_login_url="https://moodle.new.example/auth",
                auth_token_url="https://moodle.new.example/token",
                key_set_url="https://moodle.new.example/jwks",
                created_at=clock(),
            )
        )
        db.session.commit()
    # Registered through this process: framed on the very next page.
    assert "https://moodle.new.example" in client.get(url).headers["Content-Security-Policy"]


def test_a_platform_deactivated_elsewhere_is_dropped_after_a_few_seconds(
    app, client, launch, monkeypatch
):
    url = launch("trainee").url("/")
    moment = [1000.0]
    monkeypatch.setattr(security.time, "monotonic", lambda: moment[0])
    security.forget_origins()
    assert "https://lms.example.org" in client.get(url).headers["Content-Security-Policy"]
    with app.app_context():  # another process: no ORM event reaches this one
        db.session.execute(text("UPDATE lti_registration SET active = false"))
        db.session.commit()
    moment[0] += 1
    assert "https://lms.example.org" in client.get(url).headers["Content-Security-Policy"]
    moment[0] += security.ORIGINS_SECONDS
    csp = client.get(url).headers["Content-Security-Policy"]
    assert "https://lms.example.org" not in csp and "frame-ancestors 'self'" in csp


def test_a_reading_taken_between_flush_and_commit_is_not_kept(app, clock):
    """Another thread may read the registrations after the flush, before the commit."""
    with app.app_context():
        security.forget_origins()
        db.session.add(
            Registration(
                issuer="https://moodle.race.example",
                client_id="c3",
                auth_login_url="https://moodle.race.example/auth",
                auth_token_url="https://moodle.race.example/token",
                key_set_url="https://moodle.race.example/jwks",
                created_at=clock(),
            )
        )
        db.session.flush()
        # What a page of another thread would have cached at that moment (not yet visible).
        security._origins[str(db.engine.url)] = (security.time.monotonic(), ["https://old"])
        db.session.commit()
        assert "https://moodle.race.example" in security.platform_origins()

"""What a launch stores, whichever path stores it (issue 16, point 1).

On PostgreSQL the launch upserts the people and the launch session in one statement and writes
the course and the activity only when they changed (lti_tool/lti/launch.py, lean path); on
SQLite the ORM path does it row by row. Both must leave the same rows: these tests run on both
(``BILAN_TEST_DATABASE_URL``).
"""

from __future__ import annotations

from sqlalchemy import select

from lti_tool.extensions import db
from lti_tool.launch_session import load_launch
from lti_tool.lti.keys import public_jwk, public_pem_of
from lti_tool.lti.store import RedisStore
from lti_tool.lti.validation import AGS, NRPS
from lti_tool.models import Context, Enrollment, LaunchSession, ResourceLink, User
from lti_tool.models.lti import JwksCache
from tests.lti.platform import INSTRUCTOR, OTHER_PEM
from tests.lti.test_launch import refused


def _rows():
    db.session.expire_all()
    return (
        db.session.scalars(select(User)).all(),
        db.session.scalars(select(Context)).all(),
        db.session.scalars(select(ResourceLink)).all(),
        db.session.scalars(select(Enrollment)).all(),
    )


def test_a_first_launch_stores_the_person_the_course_the_activity_and_the_session(
    lms, clock, store
):
    response = lms.full_launch(
        custom={"target": "exam:certification", "competency_columns": "oui"},
        **{
            AGS: {
                "scope": ["https://purl.imsglobal.org/spec/lti-ags/scope/score"],
                "lineitem": "https://lms.example.org/li/1",
                "lineitems": "https://lms.example.org/li",
            },
            NRPS: {"context_memberships_url": "https://lms.example.org/nrps/1"},
        },
    )
    assert response.status_code == 303
    [user], [context], [link], [enrollment] = _rows()
    assert (user.sub, user.name, user.email) == ("user-123", "Claire Martin", "claire@example.org")
    assert (context.lti_context_id, context.title) == ("course-1", "Promotion 2026")
    assert context.memberships_url == "https://lms.example.org/nrps/1"
    assert (link.lti_resource_link_id, link.title, link.target) == (
        "rl-1",
        "Activité",
        "exam:certification",
    )
    assert link.competency_columns is True
    assert link.lineitem_url == "https://lms.example.org/li/1"
    assert link.lineitems_url == "https://lms.example.org/li"
    assert link.ags_scopes == ["https://purl.imsglobal.org/spec/lti-ags/scope/score"]
    assert (enrollment.user_id, enrollment.context_id, enrollment.role) == (
        user.id,
        context.id,
        "trainee",
    )
    assert enrollment.last_launch_at == clock()
    assert enrollment.extra_time_percent == 0
    if isinstance(store, RedisStore):  # the launch session is kept in Redis
        token = response.headers["Location"].split("/")[2]
        session = load_launch(token)
        assert session is not None and db.session.scalar(select(LaunchSession)) is None
    else:
        [session] = db.session.scalars(select(LaunchSession)).all()
    assert (session.user_id, session.context_id, session.resource_link_id) == (
        user.id,
        context.id,
        link.id,
    )
    assert session.lti_roles and session.session_data.get("csrf_token")
    assert session.expires_at > clock()
    assert response.headers["Location"].startswith("/s/")


def test_a_relaunch_keeps_what_the_platform_did_not_send_again(lms, clock):
    lms.full_launch(
        custom={"target": "exam:certification"},
        **{AGS: {"lineitem": "https://lms.example.org/li/1", "scope": ["s"]}},
    )
    clock.advance(minutes=5)
    # No name, no e-mail, no titles, no custom target, no AGS claim this time.
    response = lms.full_launch(
        name=None,
        email=None,
        resource_link={"id": "rl-1"},
        context={"id": "course-1"},
    )
    assert response.status_code == 303
    [user], [context], [link], [enrollment] = _rows()
    assert (user.name, user.email) == ("Claire Martin", "claire@example.org")
    assert context.title == "Promotion 2026"
    assert (link.title, link.target) == ("Activité", "exam:certification")
    assert (link.lineitem_url, link.ags_scopes) == ("https://lms.example.org/li/1", ["s"])
    assert enrollment.last_launch_at == clock()


def test_a_relaunch_updates_what_changed(lms, clock):
    lms.full_launch(custom={"target": "exam:certification"})
    clock.advance(minutes=5)
    response = lms.full_launch(
        name="Claire Martin-Durand",
        resource_link={"id": "rl-1", "title": "Épreuve 1 (session de juin)"},
        context={"id": "course-1", "title": "Promotion 2026 — juin"},
        custom={"target": "module:c1", "competency_columns": "1"},
        roles=[INSTRUCTOR],
        **{AGS: {"lineitems": "https://lms.example.org/li2", "scope": ["a", "b"]}},
    )
    assert response.status_code == 303
    [user], [context], [link], [enrollment] = _rows()
    assert user.name == "Claire Martin-Durand"
    assert context.title == "Promotion 2026 — juin"
    assert (link.title, link.target, link.competency_columns) == (
        "Épreuve 1 (session de juin)",
        "module:c1",
        True,
    )
    assert (link.lineitems_url, link.ags_scopes) == ("https://lms.example.org/li2", ["a", "b"])
    assert enrollment.role == "trainer"


def test_a_role_change_ends_the_earlier_sessions_in_the_same_statement(lms, clock, store):
    first = lms.full_launch(roles=[INSTRUCTOR]).headers["Location"]
    clock.advance(minutes=1)
    lms.full_launch()  # now a learner: the trainer's token dies
    assert lms.client.get(first).status_code == 401
    if isinstance(store, RedisStore):
        return  # ended sessions are deleted there (test_store.py)
    db.session.expire_all()
    sessions = db.session.scalars(select(LaunchSession).order_by(LaunchSession.id)).all()
    assert [s.role for s in sessions] == ["trainer", "trainee"]
    assert sessions[0].expires_at <= clock() < sessions[1].expires_at


def test_the_process_reads_a_refreshed_key_set_within_a_minute(lms, clock):
    """The platform keys a process keeps are read again from the table after a minute: a key
    another process saw withdrawn (rotation) stops being accepted here too, without a fetch."""
    lms.full_launch()
    assert len(lms.fetches) == 1
    clock.advance(seconds=30)
    cache = db.session.scalar(select(JwksCache))
    # Another worker fetched the key set after a rotation: only the new key is published.
    cache.jwks = {"keys": [public_jwk(public_pem_of(OTHER_PEM), "platform-key-2")]}
    cache.fetched_at = cache.checked_at = clock()
    db.session.commit()
    assert lms.full_launch().status_code == 303  # this process's copy, under a minute old
    clock.advance(seconds=31)
    state, nonce = lms.login()
    refused(lms.launch(lms.sign(lms.claims(nonce)), state), 401, "clé inconnue")
    assert len(lms.fetches) == 1  # refused from the table: fetched less than a minute ago
    state, nonce = lms.login()
    rotated = lms.sign(lms.claims(nonce), kid="platform-key-2", pem=OTHER_PEM)
    assert lms.launch(rotated, state).status_code == 303


def test_the_process_copy_of_the_keys_never_outlives_the_cache_lifetime(lms, clock):
    lms.full_launch()
    clock.advance(hours=12, seconds=1)
    assert lms.full_launch().status_code == 303
    assert len(lms.fetches) == 2  # older than JWKS_TTL: fetched again
    clock.advance(seconds=10)
    assert lms.full_launch().status_code == 303
    assert len(lms.fetches) == 2


def test_the_lean_statements_see_what_the_orm_holds_unflushed(app, clock):
    """A lean statement (PostgreSQL) runs after what the session holds is flushed, as the
    ORM's autoflush would: no launch step reads around a pending change."""
    import pytest

    from lti_tool.lti import lean
    from lti_tool.models.lti import Registration

    if db.engine.dialect.name != "postgresql":
        pytest.skip("the lean path is PostgreSQL's; SQLite keeps the ORM")
    db.session.add(
        Registration(
            issuer="https://pending.example",
            client_id="c",
            auth_login_url="https://pending.example/auth",
            auth_token_url="https://pending.example/token",
            key_set_url="https://pending.example/jwks",
            created_at=clock(),
        )
    )
    found = lean.registration_for(lean.connection(), "https://pending.example", "c")
    assert found is not None and found.key_set_url == "https://pending.example/jwks"
    db.session.rollback()

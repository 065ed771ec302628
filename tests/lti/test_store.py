"""The launch store: the database by default, Redis when configured, same behaviour."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from lti_tool.lti.store import DatabaseStore, LoginState, RedisStore, launch_store
from tests.lti.conftest import redis_client


def record(clock, state="s-1", minutes=10):
    return LoginState(
        state=state,
        nonce="n-1",
        registration_id=1,
        target_link_uri="http://tool/lti/launch",
        browser_binding="h",
        login_params={"iss": "x"},
        created_at=clock(),
        expires_at=clock() + timedelta(minutes=minutes),
    )


def test_a_state_is_read_until_taken_once_and_expires_on_the_tools_clock(
    app, store, clock, platform
):
    rec = record(clock)
    store.save_state(rec)
    assert store.peek_state("s-1", clock()) == rec
    assert store.peek_state("s-1", clock()) == rec  # a second round (postMessage storage) keeps it
    assert store.take_state("s-1", clock()) is True
    assert store.take_state("s-1", clock()) is False
    assert store.peek_state("s-1", clock()) is None
    store.save_state(record(clock, "s-2", minutes=10))
    clock.advance(minutes=11)
    assert store.peek_state("s-2", clock()) is None


def test_a_nonce_is_accepted_once(app, store, clock):
    expires = clock() + timedelta(minutes=5)
    assert store.consume_nonce("https://lms", "abc", clock(), expires) is True
    assert store.consume_nonce("https://lms", "abc", clock(), expires) is False
    assert store.consume_nonce("https://other-lms", "abc", clock(), expires) is True


def test_redis_keys_carry_their_own_expiry(app, clock):
    client = redis_client()
    store = RedisStore(client, "bilan-test-ttl:")
    try:
        store.save_state(record(clock, "s-ttl", minutes=10))
        assert 590_000 < client.pttl("bilan-test-ttl:state:s-ttl") <= 600_000
        assert store.consume_nonce("https://lms", "n", clock(), clock() + timedelta(minutes=5))
        (key,) = client.keys("bilan-test-ttl:nonce:*")
        assert 0 < client.pttl(key) <= 6 * 60_000
    finally:
        for key in client.scan_iter(match="bilan-test-ttl:*"):
            client.delete(key)


def test_redis_nonce_and_state_are_single_use_under_concurrency(app, clock):
    client = redis_client()
    store = RedisStore(client, "bilan-test-race:")
    try:
        store.save_state(record(clock, "s-race"))
        moment = clock()
        expires = moment + timedelta(minutes=5)
        results: list[tuple[bool, bool]] = []
        barrier = threading.Barrier(8)

        def race():
            barrier.wait()
            results.append(
                (
                    store.consume_nonce("https://lms", "same", moment, expires),
                    store.take_state("s-race", moment),
                )
            )

        threads = [threading.Thread(target=race) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sum(n for n, _ in results) == 1
        assert sum(s for _, s in results) == 1
    finally:
        for key in client.scan_iter(match="bilan-test-race:*"):
            client.delete(key)


@pytest.mark.parametrize(
    ("url", "kind"), [(None, DatabaseStore), ("redis://127.0.0.1:6379/15", RedisStore)]
)
def test_the_store_follows_the_configuration(app, url, kind):
    app.extensions.pop("bilan_launch_store", None)
    app.config["REDIS_URL"] = url
    try:
        assert isinstance(launch_store(), kind)
    finally:
        app.extensions.pop("bilan_launch_store", None)
        app.config["REDIS_URL"] = None


@pytest.mark.parametrize("store", ["redis"], indirect=True)
def test_with_redis_a_launch_session_lives_in_redis_with_its_expiry(lms, store, clock, app):
    import re
    from urllib.parse import urlsplit

    from sqlalchemy import func, select

    from lti_tool.extensions import db
    from lti_tool.launch_session import hash_token, token_from_path
    from lti_tool.models import CheckAnswer, LaunchSession, ModuleProgress

    app.config["WTF_CSRF_ENABLED"] = True  # the suite turns it off; this test needs it
    response = lms.full_launch()
    assert response.status_code == 303
    token = token_from_path(urlsplit(response.headers["Location"]).path)
    assert db.session.scalar(select(func.count(LaunchSession.id))) == 0
    key = store.prefix + "launch:" + hash_token(token)
    hours = app.config["LAUNCH_SESSION_HOURS"]
    assert hours * 3_600_000 - 60_000 < store.client.pttl(key) <= hours * 3_600_000

    # A form with its CSRF token works: the Flask session data is kept in Redis too.
    module = "c1-cadre-legal-deontologique"
    page = lms.client.get(f"/s/{token}/modules/{module}").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    done = lms.client.post(f"/s/{token}/modules/{module}/fin", data={"csrf_token": csrf})
    assert done.status_code == 303
    assert db.session.scalar(select(ModuleProgress.read_to_end_at)) is not None
    refused = lms.client.post(f"/s/{token}/modules/{module}/fin", data={"csrf_token": "forged"})
    assert refused.status_code == 400
    assert db.session.scalar(select(func.count(CheckAnswer.id))) == 0

    # Past its lifetime (on the tool's clock) the token opens nothing.
    clock.advance(hours=hours, minutes=1)
    assert lms.client.get(f"/s/{token}/modules/").status_code == 401

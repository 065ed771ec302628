"""Fixtures for signed launches, run with each launch store (database, and Redis)."""

from __future__ import annotations

import os
import secrets

import pytest

from lti_tool.lti import validation
from lti_tool.lti.store import DatabaseStore, RedisStore
from tests.lti.platform import TestPlatform

REDIS_URL = os.environ.get("BILAN_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def redis_client():
    """A client on the test database number, or a skip (a failure in CI) when Redis is down."""
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as error:
        if os.environ.get("CI"):
            pytest.fail(f"Redis injoignable en CI ({REDIS_URL}) : {error}")
        pytest.skip(f"Redis injoignable ({REDIS_URL})")
    return client


@pytest.fixture(params=["database", "redis"])
def store(request, app):
    """The launch store the tool uses during the test; Redis keys under a prefix of their own."""
    if request.param == "database":
        chosen = DatabaseStore()
        app.extensions["bilan_launch_store"] = chosen
        yield chosen
        return
    client = redis_client()
    prefix = f"bilan-test:{secrets.token_hex(6)}:"
    chosen = RedisStore(client, prefix)
    app.extensions["bilan_launch_store"] = chosen
    yield chosen
    for key in client.scan_iter(match=prefix + "*"):
        client.delete(key)


@pytest.fixture()
def lms(client, platform, monkeypatch, clock, store):
    test_platform = TestPlatform(client, clock)
    monkeypatch.setattr(validation, "FETCH_JWKS", [test_platform.jwks])
    return test_platform

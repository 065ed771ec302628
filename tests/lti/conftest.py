"""Fixtures for signed launches."""

from __future__ import annotations

import pytest

from lti_tool.lti import validation
from tests.lti.platform import TestPlatform


@pytest.fixture()
def lms(client, platform, monkeypatch, clock):
    test_platform = TestPlatform(client, clock)
    monkeypatch.setattr(validation, "FETCH_JWKS", [test_platform.jwks])
    return test_platform

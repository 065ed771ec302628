"""Cookie attributes chosen from the mode and the tool's address."""

import pytest

from lti_tool.config import cookies_can_be_secure, from_environment


@pytest.mark.parametrize(
    ("mode", "base_url", "expected"),
    [
        ("production", "http://tool.internal:8000", True),
        ("development", "https://tool.example.org", True),
        ("development", "http://127.0.0.1:5000", True),
        ("development", "http://localhost:5000", True),
        ("development", "http://[::1]:5000", True),
        ("development", "http://tool.lan:5000", False),
    ],
)
def test_secure_cookies_wherever_a_browser_keeps_them(mode, base_url, expected):
    assert cookies_can_be_secure(mode, base_url) is expected


def test_a_local_tool_gets_cookies_a_cross_site_lms_frame_can_send(monkeypatch, tmp_path):
    # A local Moodle on another port or host launches the tool in an iframe: its state cookie
    # must be SameSite=None (and so Secure), or the launch POST arrives without it.
    monkeypatch.setenv("BILAN_BASE_URL", "http://localhost:5000")
    monkeypatch.delenv("BILAN_COOKIE_SECURE", raising=False)
    config = from_environment(str(tmp_path))
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["SESSION_COOKIE_SAMESITE"] == "None"


def test_the_administrator_can_still_turn_secure_cookies_off(monkeypatch, tmp_path):
    monkeypatch.setenv("BILAN_BASE_URL", "http://localhost:5000")
    monkeypatch.setenv("BILAN_COOKIE_SECURE", "0")
    config = from_environment(str(tmp_path))
    assert config["SESSION_COOKIE_SECURE"] is False
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax"

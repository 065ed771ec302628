"""Production fails closed: a mistyped mode, a weak secret or the demo platform stop the start."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest

from lti_tool.config import ConfigError, check_production, environment_mode, from_environment

POSTGRES = "postgresql+psycopg://db.internal/bilan"


@pytest.fixture()
def production(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A complete production environment; each test spoils one variable."""
    key = tmp_path / "tool.pem"
    key.write_text("-----BEGIN PRIVATE KEY-----\n")
    monkeypatch.setenv("BILAN_ENV", "production")
    monkeypatch.setenv("BILAN_SECRET_KEY", secrets.token_hex(32))
    monkeypatch.setenv("BILAN_TOOL_PRIVATE_KEY_FILE", str(key))
    monkeypatch.setenv("BILAN_DATABASE_URL", POSTGRES)
    monkeypatch.delenv("BILAN_DEMO_PLATFORM", raising=False)
    return tmp_path


def _start(instance: Path) -> dict:
    config = from_environment(str(instance))
    check_production(config)
    return config


def test_a_complete_production_environment_starts(production):
    config = _start(production)
    assert config["ENV_MODE"] == "production"
    assert config["DEMO_PLATFORM"] is False
    assert config["SQLALCHEMY_DATABASE_URI"] == POSTGRES


@pytest.mark.parametrize("value", ["prod", "Prod", "staging", "dev", "", "production!"])
def test_an_unknown_mode_stops_the_start_and_lists_the_allowed_values(monkeypatch, tmp_path, value):
    monkeypatch.setenv("BILAN_ENV", value)
    with pytest.raises(ConfigError) as excinfo:
        from_environment(str(tmp_path))
    message = str(excinfo.value)
    assert "BILAN_ENV" in message
    assert "development, production" in message


@pytest.mark.parametrize("value", ["Production", "PRODUCTION", " production "])
def test_production_in_any_case_is_production_never_development(production, monkeypatch, value):
    monkeypatch.setenv("BILAN_ENV", value)
    assert _start(production)["ENV_MODE"] == "production"
    monkeypatch.setenv("BILAN_DEMO_PLATFORM", "1")
    with pytest.raises(ConfigError):
        _start(production)


def test_unset_mode_is_development(monkeypatch):
    monkeypatch.delenv("BILAN_ENV", raising=False)
    assert environment_mode(None) == "development"


@pytest.mark.parametrize("secret", ["x", "x" * 64, "short-but-random-Zq8", "ab" * 20])
def test_production_refuses_a_short_or_repetitive_secret(production, monkeypatch, secret):
    monkeypatch.setenv("BILAN_SECRET_KEY", secret)
    with pytest.raises(ConfigError) as excinfo:
        _start(production)
    assert "BILAN_SECRET_KEY" in str(excinfo.value)
    if len(secret) > 8:
        assert secret not in str(excinfo.value)  # the refusal never echoes the secret


def test_production_refuses_the_demo_platform(production, monkeypatch):
    monkeypatch.setenv("BILAN_DEMO_PLATFORM", "1")
    with pytest.raises(ConfigError) as excinfo:
        _start(production)
    assert "BILAN_DEMO_PLATFORM" in str(excinfo.value)


def test_production_requires_an_explicit_database(production, monkeypatch):
    monkeypatch.delenv("BILAN_DATABASE_URL")
    config = from_environment(str(production))
    assert config["SQLALCHEMY_DATABASE_URI"] is None  # no SQLite fallback
    with pytest.raises(ConfigError) as excinfo:
        check_production(config)
    assert "BILAN_DATABASE_URL" in str(excinfo.value)


def test_production_refuses_sqlite_even_when_named(production, monkeypatch):
    monkeypatch.setenv("BILAN_DATABASE_URL", f"sqlite:///{production / 'x.sqlite3'}")
    with pytest.raises(ConfigError):
        _start(production)


def test_development_keeps_its_conveniences(monkeypatch, tmp_path):
    monkeypatch.setenv("BILAN_ENV", "development")
    monkeypatch.delenv("BILAN_DATABASE_URL", raising=False)
    monkeypatch.delenv("BILAN_DEMO_PLATFORM", raising=False)
    monkeypatch.setenv("BILAN_SECRET_KEY", "x")
    config = _start(tmp_path)
    assert config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    assert config["DEMO_PLATFORM"] is True

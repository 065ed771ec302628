"""The application factory, launch-scoped sessions and role checks."""

from __future__ import annotations

import secrets

import pytest

from lti_tool import create_app
from lti_tool.config import ConfigError


def test_production_refuses_to_start_without_secret_and_key(monkeypatch, tmp_path):
    monkeypatch.setenv("BILAN_ENV", "production")
    monkeypatch.delenv("BILAN_SECRET_KEY", raising=False)
    monkeypatch.setenv("BILAN_DATABASE_URL", "postgresql+psycopg://localhost/test")
    with pytest.raises(ConfigError) as excinfo:
        create_app()
    assert "BILAN_SECRET_KEY" in str(excinfo.value)
    assert "BILAN_TOOL_PRIVATE_KEY_FILE" in str(excinfo.value)


def test_production_starts_with_secret_and_key(monkeypatch, tmp_path):
    key = tmp_path / "tool.pem"
    key.write_text("-----BEGIN PRIVATE KEY-----\n")
    monkeypatch.setenv("BILAN_ENV", "production")
    monkeypatch.setenv("BILAN_SECRET_KEY", secrets.token_hex(32))
    monkeypatch.setenv("BILAN_TOOL_PRIVATE_KEY_FILE", str(key))
    monkeypatch.setenv("BILAN_DATABASE_URL", "postgresql+psycopg://localhost/test")
    app = create_app()
    assert app.config["DEMO_PLATFORM"] is False


def test_hub_requires_a_live_launch_token(client, launch, later):
    trainee = launch("trainee")
    assert client.get(trainee.url("/")).status_code == 200
    assert client.get("/s/" + "x" * 43 + "/").status_code == 401
    later(hours=13)
    response = client.get(trainee.url("/"))
    assert response.status_code == 401
    assert "Relancez l&#39;activité" in response.get_data(as_text=True)


def test_pages_are_french_by_default_and_have_lang(client, launch):
    page = client.get(launch("trainee").url("/")).get_data(as_text=True)
    assert '<html lang="fr">' in page
    assert "Bienvenue" in page


def test_frame_ancestors_lists_registered_platforms_and_no_x_frame_options(client, launch):
    response = client.get(launch("trainee").url("/"))
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'self' https://lms.example.org" in csp
    assert "X-Frame-Options" not in response.headers
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_english_pages_when_the_launch_asks_for_english(client, launch):
    from lti_tool.extensions import db
    from lti_tool.models import LaunchSession

    trainee = launch("trainee")
    db.session.query(LaunchSession).update({"locale": "en"})
    db.session.commit()
    page = client.get(trainee.url("/modules/")).get_data(as_text=True)
    assert (
        '<html lang="en">' in page
        and "Training modules" in page
        and "Modules de formation" not in page
    )

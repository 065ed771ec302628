"""Tool keys: generated into the instance folder (mode 600) in development, read from a file in production."""

from __future__ import annotations

import stat
from pathlib import Path

from sqlalchemy import select

from lti_tool.extensions import db
from lti_tool.lti import keys
from lti_tool.models.lti import ToolKey


def test_development_key_lives_in_the_instance_folder_mode_600(app):
    kid, pem = keys.signing_key()
    path = Path(app.instance_path) / "keys" / f"{kid}.pem"
    assert path.read_bytes() == pem
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    row = db.session.scalar(select(ToolKey).where(ToolKey.kid == kid))
    assert row.private_pem is None and "PUBLIC KEY" in row.public_pem
    assert keys.signing_key() == (kid, pem)  # stable across calls


def test_production_key_is_read_from_the_configured_file(app, tmp_path):
    pem = keys.generate_private_pem()
    key_file = tmp_path / "tool.pem"
    key_file.write_bytes(pem)
    app.config["TOOL_PRIVATE_KEY_FILE"] = str(key_file)
    kid, private = keys.signing_key()
    assert private == pem
    assert not (Path(app.instance_path) / "keys" / f"{kid}.pem").exists()
    assert keys.public_jwks()["keys"][0]["kid"] == kid

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


def test_a_replaced_key_file_is_checked_again(app, tmp_path):
    """The kid check of a key file is cached per file version, never beyond it."""
    key_file = tmp_path / "tool.pem"
    key_file.write_bytes(keys.generate_private_pem())
    app.config["TOOL_PRIVATE_KEY_FILE"] = str(key_file)
    kid, private = keys.signing_key()
    assert keys.signing_key() == (kid, private)
    other = keys.generate_private_pem()
    key_file.write_bytes(other)
    import os

    info = key_file.stat()
    os.utime(key_file, ns=(info.st_atime_ns, info.st_mtime_ns + 1_000_000_000))
    try:
        keys.signing_key()
    except RuntimeError as error:
        assert kid in str(error)  # the registered key is gone: never sign with another one
    else:
        raise AssertionError("a replaced key file was used under the old kid")


def test_private_key_objects_sign_what_the_public_key_verifies(app):
    import jwt

    kid, pem = keys.signing_key()
    key = keys.private_key(pem)
    assert keys.private_key(pem) is key  # parsed once
    token = jwt.encode({"sub": "x"}, key, algorithm="RS256", headers={"kid": kid})
    jwk = keys.public_jwks()["keys"][0]
    assert jwt.decode(token, jwt.PyJWK(jwk).key, algorithms=["RS256"])["sub"] == "x"

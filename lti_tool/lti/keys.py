"""The tool's RSA keys: generated in the instance folder for development, a file in production."""

from __future__ import annotations

import base64
import functools
import hashlib
import json
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lti_tool.clock import now
from lti_tool.extensions import db
from lti_tool.models.lti import ToolKey


def _b64(value: int) -> str:
    data = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def public_jwk(public_pem: str, kid: str) -> dict[str, Any]:
    """The JWK of a public key."""
    key = serialization.load_pem_public_key(public_pem.encode())
    assert isinstance(key, rsa.RSAPublicKey)
    numbers = key.public_numbers()
    return {
        "kty": "RSA",
        "alg": "RS256",
        "use": "sig",
        "kid": kid,
        "n": _b64(numbers.n),
        "e": _b64(numbers.e),
    }


def generate_private_pem() -> bytes:
    """A new 2048-bit RSA private key in PEM."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def public_pem_of(private_pem: bytes) -> str:
    key = serialization.load_pem_private_key(private_pem, password=None)
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def _kid(public_pem: str) -> str:
    return hashlib.sha256(public_pem.encode()).hexdigest()[:16]


def keys_dir() -> Path:
    """Where development keys live (never committed: the instance folder is ignored)."""
    path = Path(current_app.instance_path) / "keys"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _register(private_pem: bytes, status: str, store_private: bool) -> ToolKey:
    public_pem = public_pem_of(private_pem)
    kid = _kid(public_pem)
    row = db.session.scalar(select(ToolKey).where(ToolKey.kid == kid))
    if row is None:
        savepoint = db.session.begin_nested()
        try:
            row = ToolKey(
                kid=kid,
                public_pem=public_pem,
                private_pem=private_pem.decode() if store_private else None,
                status=status,
                created_at=now(),
            )
            db.session.add(row)
            db.session.flush()
            savepoint.commit()
        except IntegrityError:
            # Another process registered the same key at the same moment: use its row.
            savepoint.rollback()
            row = db.session.scalar(select(ToolKey).where(ToolKey.kid == kid))
            assert row is not None
    return row


#: Key files already checked against their kid, by (path, size, mtime): loading a private key
#: and deriving its public half costs ≈ 25 ms of CPU, once per process and file version.
_checked: dict[tuple[str, int, int], str] = {}


def _private_for(row: ToolKey) -> bytes:
    if row.private_pem:
        return row.private_pem.encode()
    configured = current_app.config.get("TOOL_PRIVATE_KEY_FILE")
    candidates = [Path(configured)] if configured else []
    candidates.append(keys_dir() / f"{row.kid}.pem")
    for path in candidates:
        if path.is_file():
            info = path.stat()  # before reading: a replaced file is then seen as new
            pem = path.read_bytes()
            seen = (str(path), info.st_size, info.st_mtime_ns)
            kid = _checked.get(seen)
            if kid is None:
                kid = _kid(public_pem_of(pem))
                _checked[seen] = kid
            if kid == row.kid:
                return pem
    raise RuntimeError(f"clé privée introuvable pour kid={row.kid}")


@functools.lru_cache(maxsize=8)
def private_key(pem: bytes) -> rsa.RSAPrivateKey:
    """The key object of a private PEM, parsed and validated once per process.

    Give it to ``jwt.encode`` instead of the PEM: PyJWT would parse and validate the PEM on
    every signature (≈ 25 ms of CPU for a 2048-bit key).
    """
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("la clé de l'outil doit être une clé RSA")
    return key


def signing_key() -> tuple[str, bytes]:
    """The active key as (kid, private PEM); created on first use in development."""
    row = db.session.scalar(
        select(ToolKey).where(ToolKey.status == "active").order_by(ToolKey.id.desc())
    )
    configured = current_app.config.get("TOOL_PRIVATE_KEY_FILE")
    if row is None:
        if configured and Path(configured).is_file():
            pem = Path(configured).read_bytes()
        else:
            # Written under its own kid: concurrent first uses each get a complete key file.
            pem = generate_private_pem()
            path = keys_dir() / f"{_kid(public_pem_of(pem))}.pem"
            path.write_bytes(pem)
            path.chmod(0o600)
        row = _register(pem, "active", store_private=False)
        db.session.commit()
    return row.kid, _private_for(row)


def rotate() -> str:
    """Make a new active key; the previous one stays published until the next rotation."""
    signing_key()
    for old in db.session.scalars(select(ToolKey).where(ToolKey.status == "previous")):
        old.status = "retired"
    for current in db.session.scalars(select(ToolKey).where(ToolKey.status == "active")):
        current.status = "previous"
    pem = generate_private_pem()
    public_pem = public_pem_of(pem)
    path = keys_dir() / f"{_kid(public_pem)}.pem"
    path.write_bytes(pem)
    path.chmod(0o600)
    row = _register(pem, "active", store_private=False)
    db.session.commit()
    return row.kid


def public_jwks() -> dict[str, Any]:
    """The JWKS: the active key and, during a rotation, the previous one."""
    signing_key()
    rows = db.session.scalars(
        select(ToolKey).where(ToolKey.status.in_(["active", "previous"])).order_by(ToolKey.id)
    )
    return {"keys": [public_jwk(row.public_pem, row.kid) for row in rows]}


def jwks_json() -> str:
    """The JWKS as JSON text."""
    return json.dumps(public_jwks())

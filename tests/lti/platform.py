"""A test platform that signs real JWTs and serves its JWKS without a network."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt

from lti_tool.lti.keys import generate_private_pem, public_jwk, public_pem_of
from lti_tool.lti.validation import DL, LTI

ISSUER = "https://lms.example.org"
CLIENT_ID = "client-1"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
_PEM = generate_private_pem()
_OTHER_PEM = generate_private_pem()


@dataclass
class TestPlatform:
    """Signs id_tokens as the registered platform (fixtures ``platform`` and ``client``)."""

    __test__ = False

    client: Any
    clock: Any = None
    kid: str = "platform-key-1"
    pem: bytes = _PEM
    fetches: list[str] = field(default_factory=list)

    def jwks(self, url: str) -> dict[str, Any]:
        self.fetches.append(url)
        return {"keys": [public_jwk(public_pem_of(self.pem), self.kid)]}

    def login(self, target: str = "http://localhost/lti/launch", **extra: str) -> tuple[str, str]:
        """Run the OIDC login initiation; return (state, nonce)."""
        params = {
            "iss": ISSUER,
            "login_hint": "u1",
            "target_link_uri": target,
            "client_id": CLIENT_ID,
            **extra,
        }
        response = self.client.get("/lti/login", query_string=params)
        assert response.status_code == 302, response.get_data(as_text=True)
        query = parse_qs(urlsplit(response.headers["Location"]).query)
        return query["state"][0], query["nonce"][0]

    def claims(self, nonce: str, **overrides: Any) -> dict[str, Any]:
        now = int(self.clock().timestamp()) if self.clock else int(time.time())
        claims: dict[str, Any] = {
            "iss": ISSUER,
            "aud": CLIENT_ID,
            "sub": "user-123",
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            "name": "Claire Martin",
            "email": "claire@example.org",
            LTI + "version": "1.3.0",
            LTI + "message_type": "LtiResourceLinkRequest",
            LTI + "deployment_id": "1",
            LTI + "roles": [LEARNER],
            LTI + "target_link_uri": "http://localhost/lti/launch",
            LTI + "resource_link": {"id": "rl-1", "title": "Activité"},
            LTI + "context": {"id": "course-1", "title": "Promotion 2026"},
        }
        for key, value in overrides.items():
            key = key.replace("__", "/")
            if value is None:
                claims.pop(key, None)
                claims.pop(LTI + key, None)
            elif key in claims or key in ("azp", "given_name"):
                claims[key] = value
            else:
                claims[LTI + key if not key.startswith(("http", DL)) else key] = value
        return claims

    def sign(
        self,
        claims: dict[str, Any],
        *,
        kid: str | None = "default",
        pem: bytes | None = None,
        alg: str = "RS256",
        key: Any = None,
    ) -> str:
        headers = {} if kid is None else {"kid": self.kid if kid == "default" else kid}
        return jwt.encode(
            claims, key if key is not None else (pem or self.pem), algorithm=alg, headers=headers
        )

    def launch(self, token: str, state: str) -> Any:
        return self.client.post("/lti/launch", data={"id_token": token, "state": state})

    def full_launch(self, **overrides: Any) -> Any:
        state, nonce = self.login()
        return self.launch(self.sign(self.claims(nonce, **overrides)), state)


def new_id() -> str:
    return uuid.uuid4().hex


OTHER_PEM = _OTHER_PEM

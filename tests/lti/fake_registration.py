"""A platform answering dynamic registration, at the transport level of lti_tool.lti.outbound."""

from __future__ import annotations

import json as jsonlib
from typing import Any

ISSUER = "https://moodle.example.org"
CONFIG_URL = f"{ISSUER}/mod/lti/openid-configuration.php"
#: Public addresses by host name (the tests never touch the real DNS).
ADDRESSES = {
    "moodle.example.org": ["93.184.216.34"],
    "evil.example.org": ["93.184.216.35"],
    "internal.example.org": ["10.0.0.7"],
    "metadata.example.org": ["169.254.169.254"],
    "loopback.example.org": ["127.0.0.1"],
}


def resolve(host: str, port: int) -> list[str]:
    if host in ADDRESSES:
        return ADDRESSES[host]
    if host.replace(".", "").isdigit() or ":" in host:
        return [host]
    raise OSError(f"unknown host {host}")


class Reply:
    """A streamed response, as requests gives it with ``stream=True``."""

    def __init__(self, data: Any = None, status: int = 200, headers=None, raw: bytes | None = None):
        self.status_code = status
        self.headers = dict(headers or {})
        self.body = raw if raw is not None else jsonlib.dumps(data).encode()
        self.closed = False

    def iter_content(self, chunk_size: int = 1024):
        for start in range(0, len(self.body), chunk_size):
            yield self.body[start : start + chunk_size]

    def close(self) -> None:
        self.closed = True


def configuration(issuer: str = ISSUER) -> dict[str, Any]:
    return {
        "issuer": issuer,
        "authorization_endpoint": f"{ISSUER}/mod/lti/auth.php",
        "token_endpoint": f"{ISSUER}/mod/lti/token.php",
        "jwks_uri": f"{ISSUER}/mod/lti/certs.php",
        "registration_endpoint": f"{ISSUER}/mod/lti/openid-registration.php",
        "https://purl.imsglobal.org/spec/lti-platform-configuration": {
            "product_family_code": "moodle"
        },
    }


class FakePlatform:
    """Answers by URL; ``routes`` maps (method, url) to a Reply or an exception to raise."""

    def __init__(self, issuer: str = ISSUER) -> None:
        self.calls: list[tuple[str, str, dict]] = []
        self.posted: Any = None
        self.headers: dict | None = None
        self.routes: dict[tuple[str, str], Any] = {
            ("GET", CONFIG_URL): Reply(configuration(issuer)),
            ("POST", f"{ISSUER}/mod/lti/openid-registration.php"): Reply(
                {
                    "client_id": "moodle-client-7",
                    "https://purl.imsglobal.org/spec/lti-tool-configuration": {
                        "deployment_id": "3"
                    },
                }
            ),
        }

    def __call__(self, allow_private: bool) -> FakePlatform:
        return self  # the transport factory of lti_tool.lti.outbound

    def request(
        self, method, url, headers=None, json=None, timeout=None, stream=None, allow_redirects=None
    ):
        assert allow_redirects is False and stream is True
        self.calls.append((method, url, dict(headers or {})))
        if method == "GET" and self.headers is None:
            self.headers = dict(headers or {})
        if method == "POST":
            self.posted = json
        answer = self.routes.get((method, url))
        if answer is None:
            return Reply({"error": "not found"}, status=404)
        if isinstance(answer, Exception):
            raise answer
        return answer

    def close(self) -> None:
        pass

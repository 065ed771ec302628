"""A fake gradebook that behaves like Moodle's AGS service."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests


@dataclass
class Reply:
    status_code: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        return self.body

    @property
    def text(self) -> str:
        return json.dumps(self.body) if self.body is not None else ""


class FakeMoodle:
    """Token endpoint, paginated line items, scores with Moodle's rules."""

    def __init__(self) -> None:
        self.tokens_issued = 0
        self.valid_tokens: set[str] = set()
        self.lineitems: list[dict[str, Any]] = [
            {
                "id": f"https://lms.example.org/li/{n}",
                "resourceId": f"other-{n}",
                "resourceLinkId": "x",
                "label": f"Autre {n}",
            }
            for n in range(7)
        ]
        self.grades: dict[tuple[str, str], dict[str, Any]] = {}
        self.score_posts: list[dict[str, Any]] = []
        self.teachers = {"teacher-sub"}
        self.fail_next: list[Any] = []  # status codes or exceptions for the next score posts
        self.page_size = 3
        self.members: list[dict[str, Any]] = []
        self.token_scopes: list[str] = []

    # --- HTTP surface used by the sender ---
    def post(self, url: str, data: Any = None, timeout: float | None = None, **_: Any) -> Reply:
        assert url.endswith("/token")
        assert data["grant_type"] == "client_credentials" and data["client_assertion"]
        self.tokens_issued += 1
        self.token_scopes.append(data["scope"])
        token = f"tok-{self.tokens_issued}"
        self.valid_tokens.add(token)
        return Reply(200, {"access_token": token, "token_type": "Bearer", "expires_in": 3600})

    def request(
        self,
        method: str,
        url: str,
        headers: dict[str, str] | None = None,
        json: Any = None,
        timeout: float | None = None,
    ) -> Reply:
        token = (headers or {}).get("Authorization", "").removeprefix("Bearer ")
        if token not in self.valid_tokens:
            return Reply(401, {"error": "invalid token"})
        parts = urlsplit(url)
        if parts.path.endswith("/scores"):
            return self._score(parts.path.removesuffix("/scores"), json)
        if parts.path.endswith("/memberships"):
            assert headers and "membershipcontainer" in headers["Accept"]
            start = int(parse_qs(parts.query).get("page", ["0"])[0])
            page = self.members[start : start + self.page_size]
            links = {}
            if start + self.page_size < len(self.members):
                nxt = f"{parts.scheme}://{parts.netloc}{parts.path}?page={start + self.page_size}"
                links["Link"] = f'<{nxt}>; rel="next"'
            return Reply(200, {"id": url, "members": page}, links)
        if method == "GET":
            query = parse_qs(parts.query)
            items = [
                i
                for i in self.lineitems
                if not query.get("resource_id") or i["resourceId"] == query["resource_id"][0]
            ]
            start = int(query.get("page", ["0"])[0])
            page = items[start : start + self.page_size]
            headers_out = {}
            if start + self.page_size < len(items):
                nxt = f"{parts.scheme}://{parts.netloc}{parts.path}?{parts.query.split('&page=')[0]}&page={start + self.page_size}"
                headers_out["Link"] = f'<{nxt}>; rel="next"'
            return Reply(200, page, headers_out)
        item = {**json, "id": f"https://lms.example.org/li/{len(self.lineitems)}"}
        self.lineitems.append(item)
        return Reply(201, item)

    def _score(self, lineitem_path: str, body: dict[str, Any]) -> Reply:
        if self.fail_next:
            failure = self.fail_next.pop(0)
            if isinstance(failure, Exception):
                raise failure
            return Reply(failure, {"error": "boom"})
        self.score_posts.append(body)
        if body["userId"] in self.teachers:
            return Reply(400, {"error": "User is not gradable"})
        key = (lineitem_path, body["userId"])
        previous = self.grades.get(key)
        stamp = datetime.fromisoformat(body["timestamp"].replace("Z", "+00:00")).replace(
            microsecond=0
        )
        if previous is not None and stamp <= previous["_stamp"]:
            return Reply(409, {"error": "timestamp not newer"})
        # Moodle: anything but FullyGraded (or no scoreGiven) leaves an empty grade.
        grade = body.get("scoreGiven") if body["gradingProgress"] == "FullyGraded" else None
        self.grades[key] = {"grade": grade, "_stamp": stamp, "comment": body.get("comment")}
        return Reply(200, {})


TIMEOUT = requests.Timeout("read timed out")
REFUSED = requests.ConnectionError("connection refused")

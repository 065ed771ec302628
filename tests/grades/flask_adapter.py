"""A requests transport adapter that answers from a Flask app in-process (no network)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import requests
from flask import Flask
from requests.adapters import BaseAdapter


class FlaskAdapter(BaseAdapter):
    """Route every request of a ``requests.Session`` to ``app``'s test client."""

    def __init__(self, app: Flask) -> None:
        super().__init__()
        self.client = app.test_client()

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        parts = urlsplit(request.url)
        answer = self.client.open(
            parts.path,
            method=request.method,
            query_string=parts.query,
            headers=dict(request.headers),
            data=request.body,
            base_url=f"{parts.scheme}://{parts.netloc}",
        )
        response = requests.Response()
        response.status_code = answer.status_code
        response.headers.update(answer.headers)
        response._content = answer.get_data()
        response.url = request.url or ""
        response.request = request
        return response

    def close(self) -> None:
        """Nothing to release."""


def session_for(app: Flask) -> requests.Session:
    """A requests session whose every call reaches ``app``."""
    session = requests.Session()
    adapter = FlaskAdapter(app)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session

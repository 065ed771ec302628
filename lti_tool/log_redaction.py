"""Launch tokens never reach a log: ``/s/<token>/`` is written ``/s/…/``; a registration's
``invite`` and ``registration_token`` query values are written ``…``.

The token in a URL is a bearer credential (lti_tool/launch_session.py): whoever reads it in an
access log could open a candidate's or a trainer's pages for 12 hours. Three places could
write it:

- gunicorn's access log (request line, ``Referer``, ``Location``): ``RedactingLogger``, named
  by ``gunicorn.conf.py`` (production) and by ``make run``;
- gunicorn's error log (« Error handling request /s/… »): the same class;
- every Python logger (Flask, werkzeug's development server, the tool's own ``log.info``):
  ``install()`` makes every log record redact its formatted message.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from gunicorn.glogging import Logger as GunicornLogger

#: A launch token as it appears in a path, a URL or a request line.
TOKEN_IN_TEXT = re.compile(r"/s/[A-Za-z0-9_-]{32,}")
REDACTED = "/s/…"
#: Dynamic registration's query values: the one-time invite and the platform's registration
#: bearer token (a real Moodle 4.4 sends ``registration_token=<JWT>``, valid one hour).
SECRET_PARAMETER = re.compile(r"((?:^|[?&])(?:invite|registration_token)=)[^&\s\"']+")


def redact_tokens(text: str) -> str:
    """``GET /s/<token>/examen/ HTTP/1.1`` -> ``GET /s/…/examen/ HTTP/1.1``; likewise
    ``?invite=…&registration_token=…`` in a registration URL."""
    return SECRET_PARAMETER.sub(r"\1…", TOKEN_IN_TEXT.sub(REDACTED, text))


class RedactingRecord(logging.LogRecord):
    """A log record whose message never carries a launch token, whatever its arguments."""

    def getMessage(self) -> str:  # noqa: N802  (logging's own name)
        """The formatted message, tokens redacted."""
        return redact_tokens(super().getMessage())

    # A traceback's text (an exception message may quote a URL), redacted when the formatter
    # stores it on the record.
    @property
    def exc_text(self) -> str | None:
        """The formatted exception, tokens redacted."""
        return self._exc_text

    @exc_text.setter
    def exc_text(self, value: str | None) -> None:
        self._exc_text = redact_tokens(value) if isinstance(value, str) else value


def install() -> None:
    """Make every log record of this process a ``RedactingRecord`` (idempotent)."""
    if logging.getLogRecordFactory() is not RedactingRecord:
        logging.setLogRecordFactory(RedactingRecord)


class RedactingLogger(GunicornLogger):  # type: ignore[misc]
    """Gunicorn's logger, launch tokens redacted from the access and error logs."""

    def setup(self, cfg: Any) -> None:
        """Gunicorn's setup, then redacting records for everything this process logs."""
        super().setup(cfg)
        install()

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        """The access log's fields (request line, path, referrer, headers...), redacted."""
        found = super().atoms(resp, req, environ, request_time)
        return {
            key: redact_tokens(value) if isinstance(value, str) else value
            for key, value in found.items()
        }

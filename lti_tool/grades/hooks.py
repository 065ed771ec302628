"""Sending right after the commit (never inside the transaction), and the worker task."""

from __future__ import annotations

import logging
from datetime import datetime

from flask import Flask, Response, current_app, g

from lti_tool.clock import now
from lti_tool.extensions import db
from lti_tool.grades.sender import drain_due, send_due
from lti_tool.grades.service import catch_up
from lti_tool.lti.registry import ON_LAUNCH
from lti_tool.models.core import ROLE_TRAINEE, ResourceLink
from lti_tool.worker import TASKS

log = logging.getLogger("bilan.grades")


def init_app(app: Flask) -> None:
    """After a request that queued scores has committed, try to send them at once."""

    @app.after_request
    def send_after_commit(response: Response) -> Response:
        ids = g.pop("queued_scores", None)
        if ids and app.config.get("GRADES_SEND_AFTER_COMMIT", True):
            application = current_app._get_current_object()  # type: ignore[attr-defined]

            def send() -> None:
                with application.app_context():
                    try:
                        send_due(now(), ids=ids)
                    except Exception:  # the worker will retry: never break the response
                        db.session.rollback()
                        log.exception("grade_send_after_commit_failed")

            response.call_on_close(send)
        return response


def _task(at):  # type: ignore[no-untyped-def]
    return drain_due(now)


def _catch_up_on_launch(link: ResourceLink | None, user_id: int, role: str, at: datetime) -> None:
    """A trainee opening a graded activity gets the grade of content completed before."""
    if role == ROLE_TRAINEE:
        catch_up(link, user_id, at)


TASKS.append(("grades", _task, 2.0))
ON_LAUNCH.append(_catch_up_on_launch)

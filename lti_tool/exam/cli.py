"""``flask exam sweep``: finalise overdue attempts now (the worker also does it)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from lti_tool.clock import now
from lti_tool.exam.passback import sweep
from lti_tool.extensions import db

exam_cli = AppGroup("exam", help="Épreuve 1.")


@exam_cli.command("sweep")
def sweep_command() -> None:
    """Submit every attempt whose deadline and grace have passed, and queue their grades."""
    summary = sweep(now())
    db.session.commit()
    click.echo(summary)

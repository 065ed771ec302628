"""``flask course check``: the trainers' content check from the Flask CLI."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from course.cli import summary

course_cli = AppGroup("course", help="Contenu du cours.")


@course_cli.command("check")
def check() -> None:
    """Print every content error as file:line: message; exit 1 when there are any."""
    code, text = summary(Path(current_app.config["COURSE_ROOT"]))
    click.echo(text)
    if code:
        raise SystemExit(code)

"""``flask grades sync`` and ``flask grades resend-failed``."""

from __future__ import annotations

import time

import click
from flask.cli import AppGroup

from lti_tool.clock import now
from lti_tool.extensions import db
from lti_tool.grades.sender import resend_failed, send_due

grades_cli = AppGroup("grades", help="Envoi des notes au carnet de notes de la plateforme.")


@grades_cli.command("sync")
@click.option("--once", is_flag=True, help="Un seul passage.")
@click.option("--idle", default=2.0, show_default=True, help="Pause quand la file est vide (s).")
def sync(once: bool, idle: float) -> None:
    """Send due scores; loop unless --once."""
    while True:
        summary = send_due(now())
        click.echo(summary)
        if once:
            return
        db.session.remove()
        time.sleep(idle)  # idle polling of the long-running worker


@grades_cli.command("resend-failed")
@click.option("--context", "context_id", type=int, required=True, help="Identifiant du cours.")
def resend(context_id: int) -> None:
    """Queue again every failed score of a course."""
    count = resend_failed(context_id, now())
    db.session.commit()
    click.echo(f"{count} note(s) remise(s) en file d'envoi.")

"""``flask exam sweep`` (finalise overdue attempts now) and ``flask exam blueprint-report``."""

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


@exam_cli.command("blueprint-report")
@click.option("--papers", default=1000, show_default=True, help="Copies simulées.")
def blueprint_report_command(papers: int) -> None:
    """Simulate papers from the blueprint: composition, exposure of each item, cut score."""
    from lti_tool.content import course
    from lti_tool.exam.blueprint_report import build_report, report_text

    bank = course().bank
    if bank is None or bank.blueprint is None:
        raise click.ClickException(
            "Pas de plan d'épreuve chargé : lancez « python -m course check »."
        )
    click.echo(report_text(build_report(bank, papers=papers)))

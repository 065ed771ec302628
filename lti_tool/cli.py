"""Administrative commands that do not belong to a feature."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from lti_tool.extensions import db

db_tools = AppGroup("devdb", help="Outils de base de données pour le développement.")


@db_tools.command("create-all")
def create_all() -> None:
    """Create every table without migrations (tests and throwaway databases only)."""
    db.create_all()
    click.echo("Tables créées.")

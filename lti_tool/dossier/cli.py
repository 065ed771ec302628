"""``flask dossier purge``: delete drafts older than the retention period."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from lti_tool.clock import now
from lti_tool.dossier.service import purge

dossier_cli = AppGroup("dossier", help="Dossiers professionnels déposés.")


@dossier_cli.command("purge")
def purge_command() -> None:
    """Delete the files past the retention period (BILAN_DOSSIER_RETENTION_DAYS)."""
    click.echo(f"{purge(now())} fichier(s) supprimé(s).")

"""``flask certif grant|revoke|verify``: the certifier's role, given in the tool, logged."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from lti_tool.certification import audit, services
from lti_tool.clock import now
from lti_tool.extensions import db
from lti_tool.models.core import User

certif_cli = AppGroup("certif", help="Certification : rôle de certificateur, journal.")


def _person(platform: str, sub: str) -> User:
    user: User | None = db.session.scalar(
        select(User).where(User.issuer == platform, User.sub == sub)
    )
    if user is None:
        raise click.ClickException(
            "Personne inconnue : elle doit avoir lancé l'outil une fois depuis cette plateforme "
            "(issuer et sub exacts)."
        )
    return user


@certif_cli.command("grant")
@click.argument("platform")
@click.argument("sub")
def grant(platform: str, sub: str) -> None:
    """Grant the certifier's role to PLATFORM's user SUB (issuer and LTI sub)."""
    user = _person(platform, sub)
    services.grant_certifier(user, via="cli", now=now())
    db.session.commit()
    click.echo(f"Rôle de certificateur accordé à {user.display_name}.")


@certif_cli.command("revoke")
@click.argument("platform")
@click.argument("sub")
def revoke(platform: str, sub: str) -> None:
    """Withdraw the certifier's role."""
    user = _person(platform, sub)
    if not services.revoke_certifier(user, now=now()):
        raise click.ClickException("Cette personne n'a pas le rôle de certificateur.")
    db.session.commit()
    click.echo(f"Rôle de certificateur retiré à {user.display_name}.")


@certif_cli.command("verify")
@click.option("--session", "session_id", type=int, default=None, help="Session (sinon registre).")
def verify(session_id: int | None) -> None:
    """Verify a hash chain (a session's, or the certifiers' register)."""
    problems = audit.verify_chain(session_id)
    for problem in problems:
        click.echo(problem)
    if problems:
        raise SystemExit(1)
    click.echo(f"Chaîne intègre ({len(audit.events(session_id))} entrées).")

"""``flask lti …``: register platforms by hand, list, deactivate, rotate the tool key."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from lti_tool import listening
from lti_tool.clock import now
from lti_tool.extensions import db
from lti_tool.lti import keys
from lti_tool.lti.registration import create_invite
from lti_tool.models.lti import Deployment, Registration

lti_cli = AppGroup("lti", help="Administration LTI : plateformes, déploiements, clés.")


@lti_cli.command("registration-url")
@click.option("--hours", default=24, show_default=True, help="Durée de validité.")
def registration_url(hours: int) -> None:
    """Print a one-time URL to paste in the platform's "Tool URL" field."""
    url = create_invite(hours)
    db.session.commit()
    instance = current_app.config.get("LISTENING_RECORD_DIR") or current_app.instance_path
    warning = listening.base_url_warning(
        current_app.config["TOOL_BASE_URL"], listening.read_record(instance)
    )
    if warning:
        click.echo(warning, err=True)
    click.echo(url)


@lti_cli.command("add-platform")
@click.option("--issuer", required=True)
@click.option("--client-id", required=True)
@click.option("--auth-login-url", required=True)
@click.option("--auth-token-url", required=True)
@click.option("--key-set-url", required=True)
@click.option("--deployment-id", "deployment_ids", multiple=True, required=True)
@click.option("--name", default="")
@click.option(
    "--profile",
    default="generic",
    type=click.Choice(["generic", "moodle", "canvas", "brightspace", "openedx", "sakai"]),
)
@click.option("--audience", default=None, help="Audience OAuth2 si la plateforme en demande une.")
def add_platform(
    issuer: str,
    client_id: str,
    auth_login_url: str,
    auth_token_url: str,
    key_set_url: str,
    deployment_ids: tuple[str, ...],
    name: str,
    profile: str,
    audience: str | None,
) -> None:
    """Register a platform manually (one issuer may have several client ids)."""
    moment = now()
    registration = db.session.scalar(
        select(Registration).where(
            Registration.issuer == issuer, Registration.client_id == client_id
        )
    )
    if registration is None:
        registration = Registration(issuer=issuer, client_id=client_id, created_at=moment)
        db.session.add(registration)
    registration.name = name or issuer
    registration.auth_login_url, registration.auth_token_url = auth_login_url, auth_token_url
    registration.key_set_url, registration.platform_profile = key_set_url, profile
    registration.auth_audience, registration.active = audience, True
    db.session.flush()
    for deployment_id in deployment_ids:
        _add_deployment(registration, deployment_id)
    db.session.commit()
    click.echo(f"Plateforme enregistrée (id {registration.id}) : {issuer} / {client_id}")


def _add_deployment(registration: Registration, deployment_id: str) -> None:
    existing = db.session.scalar(
        select(Deployment).where(
            Deployment.registration_id == registration.id, Deployment.deployment_id == deployment_id
        )
    )
    if existing is None:
        db.session.add(
            Deployment(
                registration_id=registration.id, deployment_id=deployment_id, created_at=now()
            )
        )
    else:
        existing.active = True


@lti_cli.command("add-deployment")
@click.option("--registration", "registration_id", type=int, required=True)
@click.option("--deployment-id", required=True)
def add_deployment(registration_id: int, deployment_id: str) -> None:
    """Add a deployment id to a registration (one client id may have several)."""
    registration = db.session.get(Registration, registration_id)
    if registration is None:
        raise click.ClickException(
            f"Enregistrement {registration_id} introuvable (voir « flask lti list »)."
        )
    _add_deployment(registration, deployment_id)
    db.session.commit()
    click.echo(f"Déploiement « {deployment_id} » ajouté à {registration.issuer}.")


@lti_cli.command("list")
def list_platforms() -> None:
    """List registrations and their deployments."""
    rows = db.session.scalars(select(Registration).order_by(Registration.id)).all()
    if not rows:
        click.echo("Aucune plateforme enregistrée.")
    for r in rows:
        state = "active" if r.active else "désactivée"
        deployments = (
            ", ".join(
                f"{d.deployment_id}{'' if d.active else ' (désactivé)'}" for d in r.deployments
            )
            or "aucun"
        )
        click.echo(
            f"[{r.id}] {r.name} — iss={r.issuer} client_id={r.client_id} profil={r.platform_profile} ({state}) déploiements: {deployments}"
        )


@lti_cli.command("deactivate")
@click.argument("registration_id", type=int, required=False)
@click.option("--issuer", default=None, help="Au lieu du numéro : l'issuer de la plateforme.")
@click.option("--client-id", default=None, help="Avec --issuer : le client_id.")
def deactivate(registration_id: int | None, issuer: str | None, client_id: str | None) -> None:
    """Deactivate a registration (by number, or issuer + client_id): its launches are refused."""
    if registration_id is not None:
        registration = db.session.get(Registration, registration_id)
    elif issuer and client_id:
        registration = db.session.scalar(
            select(Registration).where(
                Registration.issuer == issuer, Registration.client_id == client_id
            )
        )
    else:
        raise click.UsageError(
            "Indiquez le numéro de l'enregistrement, ou --issuer et --client-id."
        )
    if registration is None:
        raise click.ClickException("Enregistrement introuvable (voir « flask lti list »).")
    registration.active = False
    db.session.commit()
    click.echo(f"Plateforme {registration.issuer} ({registration.client_id}) désactivée.")


@lti_cli.command("rotate-key")
def rotate_key() -> None:
    """Create a new signing key; the previous one stays in the JWKS until the next rotation."""
    kid = keys.rotate()
    click.echo(f"Nouvelle clé active : {kid} (l'ancienne reste publiée dans /lti/jwks).")

"""LTI Dynamic Registration: an administrator pastes a one-time URL in the platform."""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import requests
from flask import Blueprint, current_app, render_template, request
from sqlalchemy import select

from lti_tool.clock import now
from lti_tool.extensions import csrf_exempt, db
from lti_tool.lti.validation import end_transaction_before_network
from lti_tool.models.lti import Deployment, Registration, RegistrationInvite

log = logging.getLogger("bilan.lti")
bp = Blueprint("lti_register", __name__, url_prefix="/lti")
TOOL_CONFIG = "https://purl.imsglobal.org/spec/lti-tool-configuration"
PLATFORM_CONFIG = "https://purl.imsglobal.org/spec/lti-platform-configuration"
SCOPES = [
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
    "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
]
PROFILES = {
    "moodle": "moodle",
    "canvas": "canvas",
    "desire2learn": "brightspace",
    "brightspace": "brightspace",
    "sakai": "sakai",
    "openedx": "openedx",
}

#: The HTTP client (replaced by a fake platform in tests).
HTTP: list[Any] = [requests]


class RegistrationError(Exception):
    """Dynamic registration cannot go on; the message is shown to the administrator."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_invite(hours: int = 24) -> str:
    """Create a one-time registration URL (flushed); return the URL."""
    token = secrets.token_urlsafe(24)
    moment = now()
    db.session.add(
        RegistrationInvite(
            token_hash=_hash(token), created_at=moment, expires_at=moment + timedelta(hours=hours)
        )
    )
    db.session.flush()
    return f"{current_app.config['TOOL_BASE_URL'].rstrip('/')}/lti/register?invite={token}"


def tool_configuration() -> dict[str, Any]:
    """The registration request the tool sends to the platform."""
    base = current_app.config["TOOL_BASE_URL"].rstrip("/")
    parts = urlsplit(base)
    return {
        "application_type": "web",
        "response_types": ["id_token"],
        "grant_types": ["implicit", "client_credentials"],
        "initiate_login_uri": f"{base}/lti/login",
        "redirect_uris": [f"{base}/lti/launch"],
        "client_name": "Pratique du bilan de compétences",
        "client_name#fr": "Pratique du bilan de compétences",
        "client_name#en": "Skills assessment practice",
        "jwks_uri": f"{base}/lti/jwks",
        "token_endpoint_auth_method": "private_key_jwt",
        "scope": " ".join(SCOPES),
        TOOL_CONFIG: {
            "domain": parts.netloc,
            "target_link_uri": f"{base}/lti/launch",
            "description": "Formation et certification des consultants en bilan de compétences",
            "description#fr": "Formation et certification des consultants en bilan de compétences",
            "description#en": "Training and certification of skills assessment consultants",
            "claims": ["iss", "sub", "name", "given_name", "family_name", "email"],
            "messages": [
                {
                    "type": "LtiResourceLinkRequest",
                    "target_link_uri": f"{base}/lti/launch",
                    "label": "Pratique du bilan de compétences",
                    "label#fr": "Pratique du bilan de compétences",
                    "label#en": "Skills assessment practice",
                },
                {
                    "type": "LtiDeepLinkingRequest",
                    "target_link_uri": f"{base}/lti/launch",
                    "label": "Choisir un contenu",
                    "label#fr": "Choisir un contenu",
                    "label#en": "Select content",
                    "placements": ["ContentArea"],
                },
            ],
        },
    }


def register(
    invite_token: str, openid_configuration: str, registration_token: str | None
) -> Registration:
    """Run dynamic registration end to end; flush (the read-only transaction ends before the
    platform is called: no lock or connection held while it answers)."""
    moment = now()
    invite = db.session.scalar(
        select(RegistrationInvite).where(RegistrationInvite.token_hash == _hash(invite_token))
    )
    if invite is None:
        raise RegistrationError(
            "Cette adresse d'enregistrement est inconnue. Créez-en une avec « flask lti registration-url ».",
            404,
        )
    if invite.used_at is not None:
        raise RegistrationError(
            "Cette adresse d'enregistrement a déjà servi. Créez-en une nouvelle avec « flask lti registration-url ».",
            410,
        )
    if invite.expires_at < moment:
        raise RegistrationError(
            "Cette adresse d'enregistrement a expiré. Créez-en une nouvelle avec « flask lti registration-url ».",
            410,
        )
    if not openid_configuration.startswith(("https://", "http://")):
        raise RegistrationError(
            "La plateforme n'a pas fourni son adresse de configuration (openid_configuration)."
        )
    headers = {"Authorization": f"Bearer {registration_token}"} if registration_token else {}
    http = HTTP[0]
    invite_id = invite.id
    end_transaction_before_network()  # the platform's documents are fetched with no lock held
    try:
        reply = http.get(openid_configuration, headers=headers, timeout=15)
        reply.raise_for_status()
        config: dict[str, Any] = reply.json()
    except (requests.RequestException, ValueError) as error:
        raise RegistrationError(
            f"Configuration de la plateforme illisible ({type(error).__name__}).", 502
        ) from error
    issuer = str(config.get("issuer", ""))
    if urlsplit(issuer).netloc != urlsplit(openid_configuration).netloc or not issuer:
        raise RegistrationError(
            f"L'émetteur annoncé ({issuer or 'absent'}) ne correspond pas à l'hôte de la configuration "
            f"({urlsplit(openid_configuration).netloc}) : enregistrement refusé."
        )
    missing = [
        k
        for k in ("registration_endpoint", "authorization_endpoint", "token_endpoint", "jwks_uri")
        if not config.get(k)
    ]
    if missing:
        raise RegistrationError("Configuration de la plateforme incomplète : " + ", ".join(missing))
    try:
        answer = http.post(
            str(config["registration_endpoint"]),
            json=tool_configuration(),
            headers=headers,
            timeout=15,
        )
        answer.raise_for_status()
        created: dict[str, Any] = answer.json()
    except (requests.RequestException, ValueError) as error:
        raise RegistrationError(
            f"La plateforme a refusé l'enregistrement ({type(error).__name__}).", 502
        ) from error
    client_id = str(created.get("client_id", ""))
    if not client_id:
        raise RegistrationError(
            "La plateforme n'a pas renvoyé d'identifiant client (client_id).", 502
        )
    # Back in a transaction: the invite locked, and still unused (two attempts may have crossed).
    invite = db.session.scalar(
        select(RegistrationInvite).where(RegistrationInvite.id == invite_id).with_for_update()
    )
    if invite is None or invite.used_at is not None:
        raise RegistrationError(
            "Cette adresse d'enregistrement a déjà servi. Créez-en une nouvelle avec « flask lti registration-url ».",
            410,
        )
    family = str((config.get(PLATFORM_CONFIG) or {}).get("product_family_code", "")).lower()
    registration = db.session.scalar(
        select(Registration).where(
            Registration.issuer == issuer, Registration.client_id == client_id
        )
    )
    if registration is None:
        registration = Registration(issuer=issuer, client_id=client_id, created_at=moment)
        db.session.add(registration)
    registration.name = str(created.get("client_name") or issuer)
    registration.auth_login_url = str(config["authorization_endpoint"])
    registration.auth_token_url = str(config["token_endpoint"])
    registration.key_set_url = str(config["jwks_uri"])
    registration.auth_audience = config.get("authorization_server")
    registration.platform_profile = PROFILES.get(family, "generic")
    registration.active = True
    registration.registration_data = created
    db.session.flush()
    deployment_id = (created.get(TOOL_CONFIG) or {}).get("deployment_id")
    if deployment_id:
        exists = db.session.scalar(
            select(Deployment).where(
                Deployment.registration_id == registration.id,
                Deployment.deployment_id == str(deployment_id),
            )
        )
        if exists is None:
            db.session.add(
                Deployment(
                    registration_id=registration.id,
                    deployment_id=str(deployment_id),
                    created_at=moment,
                )
            )
    invite.used_at = moment
    invite.registration_id = registration.id
    db.session.flush()
    log.info("lti_registered iss=%s client_id=%s deployment=%s", issuer, client_id, deployment_id)
    return registration


@bp.get("/register")
@csrf_exempt
def dynamic_registration() -> Any:
    """The page the platform opens from its "Tool URL" field."""
    try:
        registration = register(
            request.args.get("invite", ""),
            request.args.get("openid_configuration", ""),
            request.args.get("registration_token"),
        )
    except RegistrationError as error:
        db.session.rollback()
        log.warning("lti_registration_refused status=%s message=%s", error.status, error.message)
        return render_template("lti/registered.html", error=error.message), error.status
    db.session.commit()
    return render_template("lti/registered.html", registration=registration, error=None)

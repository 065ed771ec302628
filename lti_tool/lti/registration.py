"""LTI Dynamic Registration: an administrator pastes a one-time URL in the platform.

The invite is spent by the first attempt that gets an HTTP answer from the platform, or after
``MAX_ATTEMPTS`` attempts that get none; the calls themselves go through ``outbound`` (public
addresses only unless allowed, checked redirects, bounded size and time) and outside any
database transaction.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import datetime, timedelta
from typing import Any, cast
from urllib.parse import urlsplit

from flask import Blueprint, current_app, render_template, request
from flask_babel import lazy_gettext
from sqlalchemy import CursorResult, select, update

from lti_tool.clock import now
from lti_tool.extensions import csrf_exempt, db
from lti_tool.lti import outbound
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
                {
                    # A trainer clicking a grade opens the learner's work (Submission Review).
                    "type": "LtiSubmissionReviewRequest",
                    "target_link_uri": f"{base}/lti/launch",
                    "label": "Voir le travail dans l'outil",
                    "label#fr": "Voir le travail dans l'outil",
                    "label#en": "View the work in the tool",
                },
            ],
        },
    }


#: Attempts an invite allows when none of them reaches the platform (a typo, a platform down).
MAX_ATTEMPTS = 3
#: The one message the browser sees for every failure past the invite: which one it was (the
#: host did not answer, answered an error, or answered with another issuer…) is in the log only,
#: so that an invite cannot be used to map what the tool can reach.
GENERIC_FAILURE = lazy_gettext(
    "L'enregistrement auprès de la plateforme n'a pas abouti. Le détail est consigné dans le "
    "journal de l'outil ; si cette adresse d'enregistrement a déjà servi, créez-en une nouvelle "
    "avec « flask lti registration-url »."
)
USED = (
    "Cette adresse d'enregistrement a déjà servi. Créez-en une nouvelle avec "
    "« flask lti registration-url »."
)


def claim_attempt(invite_token: str, moment: datetime) -> int:
    """Count one attempt of an invite still usable; return its id (flush, never commit)."""
    invite = db.session.scalar(
        select(RegistrationInvite).where(RegistrationInvite.token_hash == _hash(invite_token))
    )
    if invite is None:
        raise RegistrationError(
            "Cette adresse d'enregistrement est inconnue. Créez-en une avec « flask lti registration-url ».",
            404,
        )
    if invite.used_at is not None or invite.attempts >= MAX_ATTEMPTS:
        raise RegistrationError(USED, 410)
    if invite.expires_at < moment:
        raise RegistrationError(
            "Cette adresse d'enregistrement a expiré. Créez-en une nouvelle avec « flask lti registration-url ».",
            410,
        )
    # One atomic statement, so that parallel attempts cannot all read the same count.
    claimed = db.session.execute(
        update(RegistrationInvite)
        .where(
            RegistrationInvite.id == invite.id,
            RegistrationInvite.used_at.is_(None),
            RegistrationInvite.attempts < MAX_ATTEMPTS,
        )
        .values(attempts=RegistrationInvite.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    if cast(CursorResult[Any], claimed).rowcount != 1:
        raise RegistrationError(USED, 410)
    return int(invite.id)


def consume(invite_id: int, moment: datetime) -> bool:
    """Mark the invite used unless it already is; return whether this call did (flush)."""
    done = db.session.execute(
        update(RegistrationInvite)
        .where(RegistrationInvite.id == invite_id, RegistrationInvite.used_at.is_(None))
        .values(used_at=moment)
        .execution_options(synchronize_session=False)
    )
    return cast(CursorResult[Any], done).rowcount == 1


def end_failed_attempt(invite_id: int, reached: bool, moment: datetime) -> None:
    """After a failure: the invite is spent if the platform answered or the tries are used up."""
    attempts = db.session.scalar(
        select(RegistrationInvite.attempts).where(RegistrationInvite.id == invite_id)
    )
    if reached or (attempts or 0) >= MAX_ATTEMPTS:
        consume(invite_id, moment)


def fetch_platform_configuration(
    openid_configuration: str, registration_token: str | None, allow_private: bool
) -> dict[str, Any]:
    """The platform's OpenID configuration, checked (network only, no database)."""
    config = outbound.fetch_json(
        "GET",
        openid_configuration,
        headers=_bearer(registration_token),
        allow_private=allow_private,
    )
    issuer = str(config.get("issuer", ""))
    if not issuer or urlsplit(issuer).netloc != urlsplit(openid_configuration).netloc:
        raise outbound.OutboundError(
            f"émetteur annoncé {issuer or 'absent'!r} différent de l'hôte de la configuration "
            f"{urlsplit(openid_configuration).netloc!r}",
            reached=True,
        )
    missing = [
        k
        for k in ("registration_endpoint", "authorization_endpoint", "token_endpoint", "jwks_uri")
        if not config.get(k)
    ]
    if missing:
        raise outbound.OutboundError(
            "configuration de la plateforme incomplète : " + ", ".join(missing), reached=True
        )
    return config


def send_registration(
    config: dict[str, Any], registration_token: str | None, allow_private: bool
) -> dict[str, Any]:
    """POST the tool's configuration to the platform; return its answer (network only)."""
    created = outbound.fetch_json(
        "POST",
        str(config["registration_endpoint"]),
        headers=_bearer(registration_token),
        body=tool_configuration(),
        allow_private=allow_private,
    )
    if not str(created.get("client_id", "")):
        raise outbound.OutboundError("la plateforme n'a pas renvoyé de client_id", reached=True)
    return created


def _bearer(registration_token: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {registration_token}"} if registration_token else {}


def save_registration(
    invite_id: int, config: dict[str, Any], created: dict[str, Any], moment: datetime
) -> Registration:
    """Store the registration and its deployment answered by the platform (flush, never commit)."""
    issuer = str(config["issuer"])
    client_id = str(created["client_id"])
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
    invite = db.session.get(RegistrationInvite, invite_id)
    if invite is not None:
        invite.registration_id = registration.id
    db.session.flush()
    log.info("lti_registered iss=%s client_id=%s deployment=%s", issuer, client_id, deployment_id)
    return registration


def _refused(error: RegistrationError) -> Any:
    db.session.rollback()
    log.warning("lti_registration_refused status=%s message=%s", error.status, error.message)
    return render_template("lti/registered.html", error=error.message), error.status


@bp.get("/register")
@csrf_exempt
def dynamic_registration() -> Any:
    """The page the platform opens from its "Tool URL" field.

    Three short transactions around the two network calls, never one held across them: count
    the attempt; fetch the platform's configuration; spend the invite (only one attempt ever
    gets past this point, so the platform receives one registration); post the tool's
    configuration; store the result.
    """
    openid_configuration = request.args.get("openid_configuration", "")
    registration_token = request.args.get("registration_token")
    allow_private = bool(current_app.config.get("REGISTRATION_ALLOW_PRIVATE"))
    try:
        if not openid_configuration.startswith(("https://", "http://")):
            raise RegistrationError(
                "La plateforme n'a pas fourni son adresse de configuration (openid_configuration)."
            )
        invite_id = claim_attempt(request.args.get("invite", ""), now())
        db.session.commit()
    except RegistrationError as error:
        return _refused(error)
    stage = "configuration"
    try:
        config = fetch_platform_configuration(
            openid_configuration, registration_token, allow_private
        )
        if not consume(invite_id, now()):
            db.session.commit()
            return _refused(RegistrationError(USED, 410))
        db.session.commit()
        stage = "registration"
        created = send_registration(config, registration_token, allow_private)
    except outbound.OutboundError as error:
        db.session.rollback()
        end_failed_attempt(invite_id, error.reached, now())
        db.session.commit()
        log.warning(
            "lti_registration_failed invite=%s stage=%s reached=%s detail=%r",
            invite_id,
            stage,
            error.reached,
            error.detail,
        )
        return render_template("lti/registered.html", error=str(GENERIC_FAILURE)), 502
    registration = save_registration(invite_id, config, created, now())
    db.session.commit()
    return render_template("lti/registered.html", registration=registration, error=None)

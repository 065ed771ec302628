"""id_token validation, closing the gaps of pylti1p3 2.0.0 (aud/azp, nonce, replay)."""

from __future__ import annotations

import base64
import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import requests
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from jwt.algorithms import RSAAlgorithm
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lti_tool.extensions import db
from lti_tool.lti import lean, outbound
from lti_tool.lti.lean import DeploymentRow, RegistrationRow
from lti_tool.models.lti import Deployment, JwksCache, Registration

log = logging.getLogger("bilan.lti")

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
#: LtiSubmissionReviewRequest: a trainer clicks a grade in the gradebook (LTI Submission Review).
MESSAGE_TYPES = ("LtiResourceLinkRequest", "LtiDeepLinkingRequest", "LtiSubmissionReviewRequest")
REVIEW = "LtiSubmissionReviewRequest"
MAX_SKEW = timedelta(minutes=5)
MAX_AGE = timedelta(hours=1)
JWKS_TTL = timedelta(hours=12)
JWKS_REFETCH = timedelta(seconds=60)


class LaunchRefused(Exception):
    """A launch refused: a reason code for logs, a French message and a hint for the admin."""

    def __init__(self, reason: str, message: str, hint: str = "", status: int = 400) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.hint = hint
        self.status = status


@dataclass(frozen=True)
class ValidLaunch:
    """A validated launch: its claims and the registration/deployment it belongs to."""

    claims: dict[str, Any]
    registration: Registration | RegistrationRow
    deployment: Deployment | DeploymentRow

    @property
    def message_type(self) -> str:
        """LtiResourceLinkRequest or LtiDeepLinkingRequest."""
        return str(self.claims[LTI + "message_type"])


Fetch = Callable[[str], dict[str, Any]]


#: In-process key sets (the built-in demo platform), consulted before the network.
LOCAL_KEY_SETS: list[Callable[[str], dict[str, Any] | None]] = []


#: Largest key set read from a platform: a JWKS holds a few keys of about 0.5 KB each.
JWKS_MAX_BYTES = 256 * 1024


def http_fetch_jwks(url: str) -> dict[str, Any]:
    """Fetch a JWKS from an in-process key set, or over HTTP as every platform-chosen URL is
    (``outbound.fetch_json``): at most ``JWKS_MAX_BYTES`` within a bounded time, redirects
    checked hop by hop, internal addresses refused unless ``BILAN_REGISTRATION_ALLOW_PRIVATE``.
    """
    from flask import current_app

    for local in LOCAL_KEY_SETS:
        found = local(url)
        if found is not None:
            return found
    return outbound.fetch_json(
        "GET",
        url,
        headers={"Accept": "application/json"},
        allow_private=bool(current_app.config.get("REGISTRATION_ALLOW_PRIVATE")),
        max_bytes=JWKS_MAX_BYTES,
    )


#: Replaced in tests to serve a platform's keys without a network.
FETCH_JWKS: list[Fetch] = [http_fetch_jwks]


def end_transaction_before_network() -> None:
    """End the session's transaction before a network call: a platform that hangs must not hold
    a database lock (SQLite: « database is locked » for everyone) or a connection (PostgreSQL).

    Callers have read, not written: what is pending would be committed here.
    """
    if db.session().in_transaction():
        db.session.commit()


def _unreachable(registration: Registration | RegistrationRow) -> LaunchRefused:
    return LaunchRefused(
        "jwks_unreachable",
        "Les clés publiques de la plateforme sont inaccessibles.",
        f"Vérifiez l'URL du jeu de clés ({registration.key_set_url}) ; "
        "l'outil réessaie au plus une fois par minute.",
        502,
    )


#: The platform keys of a key set this process read from ``lti_jwks_cache``, in
#: ``app.extensions``: key set URL -> (read at, fetched at, keys by kid). Reused for at most
#: JWKS_REFETCH (a refresh stored by another process is seen within a minute, as a re-fetch is
#: allowed once a minute), never past JWKS_TTL, and only for a kid it holds: an unknown kid
#: (rotation) goes to the table and the platform as before.
KEYS_EXTENSION = "bilan_platform_keys"
#: Public keys built from their JWK (a pure function of it), shared by the process.
_PARSED: dict[str, Any] = {}


def _key_of(jwk: dict[str, Any]) -> Any:
    text = json.dumps(jwk, sort_keys=True)
    key = _PARSED.get(text)
    if key is None:
        key = _PARSED[text] = RSAAlgorithm.from_jwk(text)
    return key


def _known_keys() -> dict[str, tuple[datetime, datetime, dict[str, dict[str, Any]]]]:
    from flask import current_app

    known: dict[str, tuple[datetime, datetime, dict[str, dict[str, Any]]]] = (
        current_app.extensions.setdefault(KEYS_EXTENSION, {})
    )
    return known


def _remember_keys(url: str, jwks: dict[str, Any], fetched_at: datetime, now: datetime) -> None:
    by_kid = {str(k.get("kid")): k for k in jwks.get("keys", []) if isinstance(k, dict)}
    _known_keys()[url] = (now, fetched_at, by_kid)


def platform_key(registration: Registration | RegistrationRow, kid: str, now: datetime) -> Any:
    """The platform's public key for ``kid``: cached, one rate-limited re-fetch on unknown kid.

    The fetch runs outside any transaction; its outcome, a failure too, is stored (flushed) so
    that for a minute other launches neither wait for a platform that hangs nor ask it again.
    """
    url = registration.key_set_url
    known = _known_keys().get(url)
    if known is not None:
        read_at, fetched_at, by_kid = known
        if (
            read_at <= now < read_at + JWKS_REFETCH
            and fetched_at > now - JWKS_TTL
            and kid in by_kid
        ):
            return _key_of(by_kid[kid])
    query = select(JwksCache).where(JwksCache.key_set_url == url)
    cache = db.session.scalar(query)

    def find(jwks: dict[str, Any]) -> dict[str, Any] | None:
        return next((k for k in jwks.get("keys", []) if k.get("kid") == kid), None)

    jwk = find(cache.jwks) if cache and cache.fetched_at > now - JWKS_TTL else None
    if jwk is not None and cache is not None:
        _remember_keys(url, cache.jwks, cache.fetched_at, now)
    last_try: datetime | None = None
    if cache is not None:
        last_try = cache.checked_at or cache.fetched_at
        if jwk is None and cache.error and last_try > now - JWKS_REFETCH:
            raise _unreachable(registration)  # failed less than a minute ago: not asked again
    if jwk is None and (last_try is None or last_try <= now - JWKS_REFETCH):
        end_transaction_before_network()
        try:
            fresh, error = FETCH_JWKS[0](url), None
        except (requests.RequestException, ValueError, outbound.OutboundError) as failure:
            fresh, error = None, failure
        cache = _remember(url, query, fresh, error, now)
        if error is not None:
            log.warning("jwks_fetch_failed url=%s error=%s", url, type(error).__name__)
            raise _unreachable(registration) from error
        jwk = find(cache.jwks)
        _known_keys().pop(url, None)
        if jwk is not None:
            _remember_keys(url, cache.jwks, cache.fetched_at, now)
    if jwk is None:
        raise LaunchRefused(
            "unknown_kid",
            "La signature du lancement utilise une clé inconnue de l'outil.",
            "La plateforme a peut-être changé de clé : réessayez dans une minute ; sinon vérifiez l'URL du jeu de clés.",
            401,
        )
    return _key_of(jwk)


def _remember(
    url: str,
    query: Any,
    fresh: dict[str, Any] | None,
    error: Exception | None,
    now: datetime,
) -> JwksCache:
    """Store a fetch's outcome (flushed); a concurrent launch may have stored the row first."""
    cache = db.session.scalar(query)
    if cache is None:
        savepoint = db.session.begin_nested()
        try:
            cache = JwksCache(key_set_url=url, jwks=fresh or {"keys": []}, fetched_at=now)
            db.session.add(cache)
            db.session.flush()
        except IntegrityError:
            savepoint.rollback()
            cache = db.session.scalar(query.execution_options(populate_existing=True))
            assert cache is not None
        else:
            savepoint.commit()
    cache.checked_at = now
    if fresh is not None:
        cache.jwks, cache.fetched_at, cache.error = fresh, now, None
    else:
        cache.error = type(error).__name__[:255]
    db.session.flush()
    stored: JwksCache = cache
    return stored


#: The base64url alphabet, unpadded (RFC 7515 §2).
_B64URL = re.compile(rb"[A-Za-z0-9_-]*")
#: RS256 as PyJWT verifies it (PKCS#1 v1.5, SHA-256, by ``cryptography``).
_RS256 = RSAAlgorithm(RSAAlgorithm.SHA256)


def _segment(segment: bytes) -> bytes:
    """A segment decoded as strictly as PyJWT does (GHSA-hxm8-2xgr-2p9m: no junk, no
    non-canonical encoding, at most two trailing ``=``), the alphabet checked by a regular
    expression rather than character by character in Python."""
    stripped = segment.rstrip(b"=")
    padding = len(segment) - len(stripped)
    if (
        padding > 2
        or (padding and len(segment) % 4)
        or len(stripped) % 4 == 1
        or not _B64URL.fullmatch(stripped)
    ):
        raise ValueError("base64url")
    decoded = base64.urlsafe_b64decode(stripped + b"=" * (-len(stripped) % 4))
    if base64.urlsafe_b64encode(decoded).rstrip(b"=") != stripped:
        raise ValueError("non-canonical base64url")
    return decoded


@dataclass(frozen=True)
class _Parsed:
    """An id_token parsed once: header and claims (not yet trusted), what the signature covers."""

    header: dict[str, Any]
    claims: dict[str, Any]
    signing_input: bytes
    signature: bytes


def _unverified(token: str) -> _Parsed:
    """Parse the compact JWS once; the claims are trusted only after ``_verified``."""
    try:
        signing_input, crypto = token.encode().rsplit(b".", 1)
        header_segment, payload_segment = signing_input.split(b".", 1)
        header = json.loads(_segment(header_segment))
        claims = json.loads(_segment(payload_segment))
        signature = _segment(crypto)
        # What PyJWT refuses in a header: a kid that is not a string, critical extensions
        # (``crit``; ``b64``, a detached payload, is never an id_token).
        if (
            not isinstance(header, dict)
            or not isinstance(claims, dict)
            or not isinstance(header.get("kid", ""), str)
            or "crit" in header
            or "b64" in header
        ):
            raise ValueError("header or payload")
    except (ValueError, UnicodeError, RecursionError) as error:
        raise LaunchRefused("malformed", "Le jeton de lancement est illisible.", "", 400) from error
    return _Parsed(header, claims, signing_input, signature)


#: The claims PyJWT's ``require`` option demanded.
_REQUIRED = ("iss", "aud", "exp", "iat", "sub", "nonce")


def _verified(parsed: _Parsed, key: Any, client_id: str, issuer: str) -> dict[str, Any]:
    """The RS256 signature with the platform's key, then what ``jwt.decode`` checked
    (required claims, issuer, audience, types of ``sub`` and ``jti``), the same refusals."""
    public = _RS256.prepare_key(key)
    valid = isinstance(public, RSAPublicKey) and _RS256.verify(
        parsed.signing_input, public, parsed.signature
    )
    signature_refused = LaunchRefused(
        "bad_signature",
        "Signature du lancement invalide.",
        "Vérifiez les clés de la plateforme.",
        401,
    )
    if not valid:
        raise signature_refused
    claims = parsed.claims
    for name in _REQUIRED:
        if claims.get(name) is None:
            raise LaunchRefused(
                "missing_claim", f"Information obligatoire absente du lancement : {name}."
            )
    if claims["iss"] != issuer:
        raise signature_refused
    audience = claims["aud"]
    audiences = [audience] if isinstance(audience, str) else audience
    if (
        not isinstance(audiences, list)
        or any(not isinstance(a, str) for a in audiences)
        or client_id not in audiences
    ):
        raise LaunchRefused("bad_aud", "Le lancement n'est pas destiné à cet outil (aud).", "", 401)
    if not isinstance(claims["sub"], str) or not isinstance(claims.get("jti", ""), str):
        raise signature_refused
    return claims


def validate(
    token: str,
    *,
    now: datetime,
    expected_nonce: str | None,
    expected_registration_id: int | None = None,
    registration_for: Callable[[str, str], Registration | RegistrationRow | None],
    target_link_ok: Callable[[str], bool],
) -> ValidLaunch:
    """Validate an id_token completely; raise LaunchRefused with a clear reason.

    Call it before writing anything: fetching the platform's keys ends the current transaction.
    ``expected_registration_id`` is the registration the login state was created for.
    """
    parsed = _unverified(token)
    header, unverified = parsed.header, parsed.claims
    if header.get("alg") != "RS256":
        raise LaunchRefused("bad_alg", "Algorithme de signature refusé (RS256 attendu).", "", 401)
    kid = header.get("kid")
    if not kid:
        raise LaunchRefused("no_kid", "Le jeton de lancement n'indique pas sa clé (kid).", "", 401)
    issuer = unverified.get("iss")
    audience = unverified.get("aud")
    if not isinstance(issuer, str) or not issuer:
        raise LaunchRefused("no_iss", "Le jeton de lancement n'indique pas la plateforme (iss).")
    audiences = (
        [audience] if isinstance(audience, str) else audience if isinstance(audience, list) else []
    )
    if not audiences:
        raise LaunchRefused("no_aud", "Le jeton de lancement n'indique pas son destinataire (aud).")
    registration = None
    client_id = str(audiences[0])
    for candidate in audiences:
        registration = registration_for(issuer, str(candidate))
        if registration is not None:
            client_id = str(candidate)
            break
    if registration is None or not registration.active:
        raise LaunchRefused(
            "unknown_registration",
            "Cette plateforme n'est pas enregistrée (ou désactivée) dans l'outil.",
            f"Administrateur : enregistrez la plateforme {issuer} (client_id {client_id}) "
            "par l'enregistrement dynamique ou « flask lti add-platform ».",
            403,
        )
    if expected_registration_id is not None and registration.id != expected_registration_id:
        # The login was started for another registration: its state is not this platform's.
        raise LaunchRefused(
            "wrong_platform",
            "Ce lancement ne vient pas de la plateforme qui a ouvert la connexion.",
            "Relancez l'activité depuis votre plateforme.",
            401,
        )
    key = platform_key(registration, str(kid), now)
    claims = _verified(parsed, key, registration.client_id, registration.issuer)
    if len(audiences) > 1 and claims.get("azp") != registration.client_id:
        raise LaunchRefused("bad_azp", "Le champ « azp » ne désigne pas cet outil.", "", 401)
    exp = claims.get("exp")
    if not isinstance(exp, (int, float)) or isinstance(exp, bool):
        raise LaunchRefused("bad_exp", "Date d'expiration (exp) invalide.")
    if datetime.fromtimestamp(exp, tz=now.tzinfo) < now - MAX_SKEW:
        raise LaunchRefused("expired", "Le lancement a expiré : relancez l'activité.", "", 401)
    iat = claims.get("iat")
    if not isinstance(iat, (int, float)) or isinstance(iat, bool):
        raise LaunchRefused("bad_iat", "Date d'émission (iat) invalide.")
    issued = datetime.fromtimestamp(iat, tz=now.tzinfo)
    if issued < now - MAX_AGE:
        raise LaunchRefused("expired", "Le lancement a expiré : relancez l'activité.", "", 401)
    if issued > now + MAX_SKEW:
        raise LaunchRefused(
            "bad_iat",
            "Date d'émission du lancement incohérente : vérifiez l'horloge de la plateforme.",
            "",
            401,
        )
    if expected_nonce is not None and claims.get("nonce") != expected_nonce:
        raise LaunchRefused(
            "bad_nonce", "Le lancement ne correspond pas à la connexion en cours (nonce).", "", 401
        )
    if claims.get(LTI + "version") != "1.3.0":
        raise LaunchRefused("bad_version", "Version LTI non prise en charge (1.3.0 attendue).")
    message_type = claims.get(LTI + "message_type")
    if message_type not in MESSAGE_TYPES:
        raise LaunchRefused("bad_message_type", "Ce type de message LTI n'est pas pris en charge.")
    if not claims.get("sub"):
        raise LaunchRefused("no_sub", "Le lancement n'identifie pas l'utilisateur (sub).")
    if not isinstance(claims.get(LTI + "roles"), list):
        raise LaunchRefused("no_roles", "Le lancement ne contient pas la liste des rôles.")
    if message_type in ("LtiResourceLinkRequest", REVIEW):
        link = claims.get(LTI + "resource_link")
        if not isinstance(link, dict) or not link.get("id"):
            raise LaunchRefused(
                "no_resource_link", "Le lancement ne désigne pas d'activité (resource_link.id)."
            )
        for_user = claims.get(LTI + "for_user")
        if message_type == REVIEW and not (isinstance(for_user, dict) and for_user.get("user_id")):
            raise LaunchRefused(
                "no_for_user", "La demande de revue ne désigne pas l'apprenant (for_user.user_id)."
            )
    elif not isinstance(claims.get(DL + "deep_linking_settings"), dict) or not claims[
        DL + "deep_linking_settings"
    ].get("deep_link_return_url"):
        raise LaunchRefused(
            "no_dl_settings", "Demande de sélection de contenu incomplète (deep_linking_settings)."
        )
    target = claims.get(LTI + "target_link_uri")
    if not isinstance(target, str) or not target_link_ok(target):
        raise LaunchRefused(
            "foreign_target",
            "Le lancement vise une adresse qui n'appartient pas à cet outil.",
            "",
            400,
        )
    deployment_id = claims.get(LTI + "deployment_id")
    if not isinstance(deployment_id, str) or not deployment_id:
        raise LaunchRefused(
            "no_deployment", "Le lancement n'indique pas son déploiement (deployment_id)."
        )
    raw = lean.connection()
    deployment: Deployment | DeploymentRow | None = (
        lean.deployment_for(raw, registration.id, deployment_id)
        if raw is not None
        else db.session.scalar(
            select(Deployment).where(
                Deployment.registration_id == registration.id,
                Deployment.deployment_id == deployment_id,
            )
        )
    )
    if deployment is None or not deployment.active:
        raise LaunchRefused(
            "unknown_deployment",
            "Ce déploiement de l'outil n'est pas enregistré.",
            f"Administrateur : ajoutez le déploiement « {deployment_id} » avec "
            f"« flask lti add-deployment --registration {registration.id} --deployment-id {deployment_id} », "
            "ou refaites l'enregistrement dynamique.",
            403,
        )
    consume_nonce(registration.issuer, str(claims["nonce"]), now)
    return ValidLaunch(claims, registration, deployment)


def consume_nonce(issuer: str, nonce: str, now: datetime) -> None:
    """Record the nonce once: the same id_token posted twice is refused (atomic in each store)."""
    from lti_tool.lti.store import launch_store

    if not launch_store().consume_nonce(issuer, nonce, now, now + MAX_AGE + MAX_SKEW):
        raise LaunchRefused(
            "replayed", "Ce lancement a déjà été utilisé : relancez l'activité.", "", 401
        )

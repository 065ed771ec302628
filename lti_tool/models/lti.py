"""LTI 1.3 registrations, deployments, tool keys and the launch stores (state, nonce, JWKS)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lti_tool.extensions import db
from lti_tool.models.types import JsonType, UtcDateTime


class Registration(db.Model):  # type: ignore[name-defined,misc]
    """A platform registration: one issuer may have several client_ids (Canvas)."""

    __tablename__ = "lti_registration"
    __table_args__ = (UniqueConstraint("issuer", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The platform's issuer, compared exactly with the id_token's ``iss``.
    issuer: Mapped[str] = mapped_column(String(255))
    client_id: Mapped[str] = mapped_column(String(255))
    #: A human name for administrators ("Moodle de l'organisme").
    name: Mapped[str] = mapped_column(String(255), default="")
    auth_login_url: Mapped[str] = mapped_column(String(1024))
    auth_token_url: Mapped[str] = mapped_column(String(1024))
    key_set_url: Mapped[str] = mapped_column(String(1024))
    #: OAuth2 audience for the token request, when the platform wants one.
    auth_audience: Mapped[str | None] = mapped_column(String(1024), default=None)
    #: The platform family for known quirks: moodle, canvas, brightspace, openedx, sakai, generic.
    platform_profile: Mapped[str] = mapped_column(String(32), default="generic")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    #: Whatever the platform returned at dynamic registration (for diagnostics).
    registration_data: Mapped[dict[str, Any] | None] = mapped_column(JsonType, default=None)

    deployments: Mapped[list[Deployment]] = relationship(back_populates="registration")


class Deployment(db.Model):  # type: ignore[name-defined,misc]
    """A deployment of the tool under a registration: one client_id may have several (Blackboard)."""

    __tablename__ = "lti_deployment"
    __table_args__ = (UniqueConstraint("registration_id", "deployment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("lti_registration.id"))
    deployment_id: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())

    registration: Mapped[Registration] = relationship(back_populates="deployments")


class ToolKey(db.Model):  # type: ignore[name-defined,misc]
    """The tool's RSA signing keys; during a rotation the previous key stays published."""

    __tablename__ = "lti_tool_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    kid: Mapped[str] = mapped_column(String(64), unique=True)
    #: PEM of the private key; ``None`` when the key lives in a file given by configuration.
    private_pem: Mapped[str | None] = mapped_column(Text, default=None)
    public_pem: Mapped[str] = mapped_column(Text)
    #: "active" signs; "previous" is still published in the JWKS; "retired" is not.
    status: Mapped[str] = mapped_column(String(16), default="active")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class OidcState(db.Model):  # type: ignore[name-defined,misc]
    """An OIDC login in progress: state and nonce, bound to the browser, with expiry."""

    __tablename__ = "lti_oidc_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    state: Mapped[str] = mapped_column(String(128), unique=True)
    nonce: Mapped[str] = mapped_column(String(128))
    registration_id: Mapped[int] = mapped_column(ForeignKey("lti_registration.id"))
    target_link_uri: Mapped[str] = mapped_column(String(1024))
    #: Hash of the browser-binding secret (cookie or postMessage storage); never the secret itself.
    browser_binding: Mapped[str] = mapped_column(String(128))
    #: The login request's parameters, to restart it in a new window when cookies are blocked.
    login_params: Mapped[dict[str, Any] | None] = mapped_column(JsonType, default=None)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)


class UsedNonce(db.Model):  # type: ignore[name-defined,misc]
    """A nonce already consumed: the same id_token posted twice is refused."""

    __tablename__ = "lti_used_nonce"
    __table_args__ = (UniqueConstraint("issuer", "nonce"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer: Mapped[str] = mapped_column(String(255))
    nonce: Mapped[str] = mapped_column(String(255))
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)


class JwksCache(db.Model):  # type: ignore[name-defined,misc]
    """The platform's public keys, cached, with the time of the last fetch (rate limit)."""

    __tablename__ = "lti_jwks_cache"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_set_url: Mapped[str] = mapped_column(String(1024), unique=True)
    jwks: Mapped[dict[str, Any]] = mapped_column(JsonType)
    #: Time of the last successful fetch (the keys' age).
    fetched_at: Mapped[datetime] = mapped_column(UtcDateTime())
    #: Time of the last attempt, successful or not: fetches are limited to one a minute.
    checked_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    #: Why the last attempt failed (None after a success): remembered until the next allowed
    #: attempt, so a platform whose key set hangs is not asked again by every launch.
    error: Mapped[str | None] = mapped_column(String(255), default=None)


class RateCounter(db.Model):  # type: ignore[name-defined,misc]
    """Requests counted per client address and time window (unauthenticated endpoints)."""

    __tablename__ = "lti_rate_counter"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: ``<bucket>:<address>:<window start>``, e.g. ``login:203.0.113.7:1795338000``.
    key: Mapped[str] = mapped_column(String(128), unique=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
    #: End of the window: the worker deletes the row after it.
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)


class RegistrationInvite(db.Model):  # type: ignore[name-defined,misc]
    """A one-time dynamic-registration URL created by an administrator."""

    __tablename__ = "lti_registration_invite"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: SHA-256 of the secret token in the URL.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("lti_registration.id"), default=None
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)

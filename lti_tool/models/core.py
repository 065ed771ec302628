"""People and places: users, courses (contexts), resource links, enrolments, launch sessions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lti_tool.extensions import db
from lti_tool.models.lti import Deployment, Registration
from lti_tool.models.types import JsonType, UtcDateTime

ROLE_TRAINEE = "trainee"
ROLE_TRAINER = "trainer"
ROLE_ADMIN = "admin"


class User(db.Model):  # type: ignore[name-defined,misc]
    """A person, identified by the platform's issuer and the opaque ``sub``."""

    __tablename__ = "app_user"
    __table_args__ = (UniqueConstraint("issuer", "sub"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer: Mapped[str] = mapped_column(String(255))
    sub: Mapped[str] = mapped_column(String(255))
    #: Name and e-mail only when the platform sends them (personal data kept to the minimum).
    name: Mapped[str | None] = mapped_column(String(255), default=None)
    email: Mapped[str | None] = mapped_column(String(255), default=None)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())

    @property
    def display_name(self) -> str:
        """The name to show, falling back to a neutral label built from the opaque id."""
        return self.name or self.email or f"Participant {self.sub[-6:]}"


class Context(db.Model):  # type: ignore[name-defined,misc]
    """A course of a platform. Everything a course owns is scoped by its id."""

    __tablename__ = "app_context"
    __table_args__ = (UniqueConstraint("deployment_id", "lti_context_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("lti_registration.id"))
    deployment_id: Mapped[int] = mapped_column(ForeignKey("lti_deployment.id"))
    #: The platform's context id; a launch without context gets a synthetic one per deployment.
    lti_context_id: Mapped[str] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(String(255), default="")
    #: NRPS endpoint of the course, when the platform offers it.
    memberships_url: Mapped[str | None] = mapped_column(String(1024), default=None)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())

    registration: Mapped[Registration] = relationship()
    deployment: Mapped[Deployment] = relationship()


class ResourceLink(db.Model):  # type: ignore[name-defined,misc]
    """An activity placed in a course; ``target`` names what it delivers (e.g. ``module:c1-...``)."""

    __tablename__ = "app_resource_link"
    __table_args__ = (UniqueConstraint("context_id", "lti_resource_link_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    context_id: Mapped[int] = mapped_column(ForeignKey("app_context.id"))
    lti_resource_link_id: Mapped[str] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(String(255), default="")
    #: "kind:id" of the content delivered, from the deep-linking custom parameters.
    target: Mapped[str | None] = mapped_column(String(255), default=None)
    #: AGS endpoints given by the platform for this link.
    lineitem_url: Mapped[str | None] = mapped_column(String(1024), default=None)
    lineitems_url: Mapped[str | None] = mapped_column(String(1024), default=None)
    ags_scopes: Mapped[list[str] | None] = mapped_column(JsonType, default=None)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    #: Exam only: also publish one column per competency (C1..C7), chosen by the trainer at
    #: content selection (custom parameter ``competency_columns``); off by default.
    competency_columns: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )

    context: Mapped[Context] = relationship()


class Enrollment(db.Model):  # type: ignore[name-defined,misc]
    """A person in a course, with the role of the last launch and their accommodation."""

    __tablename__ = "app_enrollment"
    __table_args__ = (UniqueConstraint("context_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    context_id: Mapped[int] = mapped_column(ForeignKey("app_context.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    role: Mapped[str] = mapped_column(String(16))
    #: Extra time for every timed activity of the course, in percent (tiers temps = 33.33...).
    extra_time_percent: Mapped[float] = mapped_column(default=0.0)
    last_launch_at: Mapped[datetime] = mapped_column(UtcDateTime())

    user: Mapped[User] = relationship()
    context: Mapped[Context] = relationship()


class LaunchSession(db.Model):  # type: ignore[name-defined,misc]
    """What a launch grants, carried by a token in the URL so no page needs a third-party cookie."""

    __tablename__ = "app_launch_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: SHA-256 of the URL token (the token itself is never stored).
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    context_id: Mapped[int] = mapped_column(ForeignKey("app_context.id"))
    resource_link_id: Mapped[int | None] = mapped_column(
        ForeignKey("app_resource_link.id"), default=None
    )
    role: Mapped[str] = mapped_column(String(16))
    #: Every LTI role URI of the launch, for display and audits.
    lti_roles: Mapped[list[str]] = mapped_column(JsonType, default=list)
    locale: Mapped[str] = mapped_column(String(8), default="fr")
    message_type: Mapped[str] = mapped_column(String(64), default="LtiResourceLinkRequest")
    #: Deep-linking settings (return URL, data) when the launch is a deep-linking request.
    deep_linking: Mapped[dict[str, Any] | None] = mapped_column(JsonType, default=None)
    #: Server-side Flask session data (CSRF token, flashes) bound to this launch.
    session_data: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)

    user: Mapped[User] = relationship()
    context: Mapped[Context] = relationship()
    resource_link: Mapped[ResourceLink | None] = relationship()

    @property
    def is_trainer(self) -> bool:
        """True for trainers and administrators."""
        return self.role in (ROLE_TRAINER, ROLE_ADMIN)


class AuditEvent(db.Model):  # type: ignore[name-defined,misc]
    """An audit log entry visible to trainers and the jury (resets, accommodations, file reads)."""

    __tablename__ = "app_audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    context_id: Mapped[int | None] = mapped_column(ForeignKey("app_context.id"), default=None)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), default=None)
    subject_user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), default=None)
    action: Mapped[str] = mapped_column(String(64), index=True)
    detail: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, Any] | None] = mapped_column(JsonType, default=None)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    seq: Mapped[int] = mapped_column(Integer, default=0)

"""What a validated launch does: people, places, roles, then a launch-scoped session."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from lti_tool.extensions import db
from lti_tool.i18n import normalise_locale
from lti_tool.launch_session import create_launch_session, end_launch_sessions
from lti_tool.lti.registry import ON_LAUNCH
from lti_tool.lti.roles import ROLE_NONE, map_roles
from lti_tool.lti.validation import AGS, DL, LTI, NRPS, LaunchRefused, ValidLaunch
from lti_tool.models.core import Context, Enrollment, ResourceLink, User


def _upsert_user(launch: ValidLaunch, now: datetime) -> User:
    claims = launch.claims
    user = db.session.scalar(
        select(User).where(
            User.issuer == launch.registration.issuer, User.sub == str(claims["sub"])
        )
    )
    if user is None:
        user = User(issuer=launch.registration.issuer, sub=str(claims["sub"]), created_at=now)
        db.session.add(user)
    # Personal data kept to the minimum: name and e-mail only when the platform sends them.
    name = claims.get("name") or " ".join(
        str(claims[k]) for k in ("given_name", "family_name") if claims.get(k)
    )
    if name:
        user.name = str(name)[:255]
    if claims.get("email"):
        user.email = str(claims["email"])[:255]
    return user


def _lti_context_id(launch: ValidLaunch) -> str:
    context_claim = launch.claims.get(LTI + "context") or {}
    return str(context_claim.get("id") or f"__sans-contexte__{launch.deployment.deployment_id}")


def _upsert_context(launch: ValidLaunch, now: datetime) -> Context:
    claims = launch.claims
    context_claim = claims.get(LTI + "context") or {}
    context_id = _lti_context_id(launch)
    context = db.session.scalar(
        select(Context).where(
            Context.deployment_id == launch.deployment.id, Context.lti_context_id == context_id
        )
    )
    if context is None:
        context = Context(
            registration_id=launch.registration.id,
            deployment_id=launch.deployment.id,
            lti_context_id=context_id,
            created_at=now,
        )
        db.session.add(context)
    title = context_claim.get("title") or context_claim.get("label")
    if title:
        context.title = str(title)[:255]
    nrps = claims.get(NRPS) or {}
    if nrps.get("context_memberships_url"):
        context.memberships_url = str(nrps["context_memberships_url"])
    db.session.flush()
    return context


def _upsert_link(launch: ValidLaunch, context: Context, now: datetime) -> ResourceLink | None:
    claims = launch.claims
    link_claim = claims.get(LTI + "resource_link")
    if not isinstance(link_claim, dict) or not link_claim.get("id"):
        return None
    link = db.session.scalar(
        select(ResourceLink).where(
            ResourceLink.context_id == context.id,
            ResourceLink.lti_resource_link_id == str(link_claim["id"]),
        )
    )
    if link is None:
        link = ResourceLink(
            context_id=context.id, lti_resource_link_id=str(link_claim["id"]), created_at=now
        )
        db.session.add(link)
    link.title = str(link_claim.get("title") or link.title or "")[:255]
    custom = claims.get(LTI + "custom") or {}
    if isinstance(custom, dict) and custom.get("target"):
        link.target = str(custom["target"])[:255]
        link.competency_columns = str(custom.get("competency_columns", "")).lower() in {
            "1",
            "true",
            "oui",
        }
    ags = claims.get(AGS) or {}
    if isinstance(ags, dict):
        link.lineitem_url = ags.get("lineitem") or link.lineitem_url
        link.lineitems_url = ags.get("lineitems") or link.lineitems_url
        link.ags_scopes = list(ags.get("scope") or []) or link.ags_scopes
    db.session.flush()
    return link


class NoCourseRole(LaunchRefused):
    """A valid launch whose roles grant nothing in the course (mentor, institution role only)."""

    def __init__(self) -> None:
        super().__init__(
            "no_course_role",
            _("Votre rôle dans ce cours ne donne accès à aucune page de cet outil."),
            _(
                "L'outil est réservé aux stagiaires inscrits au cours (rôle « Apprenant ») et à "
                "leurs formateurs (rôles « Enseignant », « Concepteur » ou « Administrateur » du "
                "cours). Un rôle d'établissement ou de plateforme ne suffit pas ; les "
                "observateurs, parents et tuteurs n'y ont pas accès. Si vous devez y accéder, "
                "demandez à l'administrateur de votre plateforme de vous inscrire au cours avec "
                "le bon rôle."
            ),
            403,
        )


def _end_rights_of(launch: ValidLaunch) -> None:
    """A launch granting nothing: the person's earlier sessions in this course end too."""
    claims = launch.claims
    user_id = db.session.scalar(
        select(User.id).where(
            User.issuer == launch.registration.issuer, User.sub == str(claims["sub"])
        )
    )
    context_id = db.session.scalar(
        select(Context.id).where(
            Context.deployment_id == launch.deployment.id,
            Context.lti_context_id == _lti_context_id(launch),
        )
    )
    if user_id is not None and context_id is not None:
        end_launch_sessions(user_id, context_id, keep_role=None)


def start_session(launch: ValidLaunch, now: datetime) -> tuple[str, ResourceLink | None, str]:
    """Store the people and places of a launch; return (URL token, resource link, role).

    Raises NoCourseRole (nothing stored, earlier sessions ended) when the person's roles in
    the course grant nothing: lti_tool/lti/roles.py holds the table.
    """
    claims = launch.claims
    roles = [r for r in claims.get(LTI + "roles", []) if isinstance(r, str)]
    role = map_roles(roles)
    if role == ROLE_NONE:
        _end_rights_of(launch)
        raise NoCourseRole()
    user = _upsert_user(launch, now)
    context = _upsert_context(launch, now)
    link = _upsert_link(launch, context, now)
    db.session.flush()
    enrollment = db.session.scalar(
        select(Enrollment).where(Enrollment.context_id == context.id, Enrollment.user_id == user.id)
    )
    if enrollment is None:
        enrollment = Enrollment(
            context_id=context.id, user_id=user.id, role=role, last_launch_at=now
        )
        db.session.add(enrollment)
    enrollment.role, enrollment.last_launch_at = role, now
    for hook in ON_LAUNCH:  # e.g. a graded activity opened after its content was completed
        hook(link, user.id, role, now)
    presentation: dict[str, Any] = claims.get(LTI + "launch_presentation") or {}
    deep_linking = None
    if launch.message_type == "LtiDeepLinkingRequest":
        deep_linking = dict(claims[DL + "deep_linking_settings"])
        deep_linking["registration_id"] = launch.registration.id
        deep_linking["deployment_id"] = launch.deployment.deployment_id
    token = create_launch_session(
        user_id=user.id,
        context_id=context.id,
        role=role,
        resource_link_id=link.id if link else None,
        lti_roles=roles,
        locale=normalise_locale(presentation.get("locale")),
        message_type=launch.message_type,
        deep_linking=deep_linking,
    )
    return token, link, role

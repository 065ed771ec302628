"""What a validated launch does: people, places, roles, then a launch-scoped session."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _
from sqlalchemy import select

from lti_tool.extensions import db
from lti_tool.i18n import normalise_locale
from lti_tool.launch_session import (
    create_launch_session,
    end_launch_sessions,
    new_launch_values,
)
from lti_tool.lti import lean
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


def start_session(
    launch: ValidLaunch, now: datetime
) -> tuple[str, ResourceLink | LinkRow | None, str]:
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
    raw = lean.connection()
    if raw is not None:
        return _lean_start(raw, launch, now, role, roles)
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
    token = create_launch_session(
        user_id=user.id,
        context_id=context.id,
        role=role,
        resource_link_id=link.id if link else None,
        lti_roles=roles,
        **_session_claims(launch),
    )
    return token, link, role


def _session_claims(launch: ValidLaunch) -> dict[str, Any]:
    """What the launch session keeps of the claims: locale, message type, deep-linking settings."""
    claims = launch.claims
    presentation: dict[str, Any] = claims.get(LTI + "launch_presentation") or {}
    deep_linking = None
    if launch.message_type == "LtiDeepLinkingRequest":
        deep_linking = dict(claims[DL + "deep_linking_settings"])
        deep_linking["registration_id"] = launch.registration.id
        deep_linking["deployment_id"] = launch.deployment.deployment_id
    return {
        "locale": normalise_locale(presentation.get("locale")),
        "message_type": launch.message_type,
        "deep_linking": deep_linking,
    }


@dataclass(frozen=True)
class LinkRow:
    """A resource link as the lean launch stored it (the columns the launch and hooks read)."""

    id: int
    context_id: int
    title: str
    target: str | None
    competency_columns: bool
    lineitem_url: str | None
    lineitems_url: str | None
    ags_scopes: list[str] | None


_PLACES = (
    "SELECT c.id, c.title, c.memberships_url, l.id, l.title, l.target, l.competency_columns,"
    " l.lineitem_url, l.lineitems_url, l.ags_scopes FROM app_context c"
    " LEFT JOIN app_resource_link l"
    " ON l.context_id = c.id AND l.lti_resource_link_id = %(link)s::varchar"
    " WHERE c.deployment_id = %(deployment)s AND c.lti_context_id = %(context)s"
)
#: Written only when missing or changed: every candidate of a cohort launches the same course
#: and activity, and a write to their shared rows would queue the launches behind one another.
_UPSERT_CONTEXT = (
    "INSERT INTO app_context (registration_id, deployment_id, lti_context_id, title,"
    " memberships_url, created_at) VALUES (%(registration)s, %(deployment)s, %(context)s,"
    " COALESCE(%(title)s::varchar, ''), %(memberships)s::varchar, %(now)s)"
    " ON CONFLICT (deployment_id, lti_context_id) DO UPDATE SET"
    " title = COALESCE(%(title)s::varchar, app_context.title),"
    " memberships_url = COALESCE(%(memberships)s::varchar, app_context.memberships_url)"
    " RETURNING id"
)
_UPSERT_LINK = (
    "INSERT INTO app_resource_link (context_id, lti_resource_link_id, title, target,"
    " competency_columns, lineitem_url, lineitems_url, ags_scopes, created_at) VALUES"
    " (%(context)s, %(link)s, COALESCE(%(title)s::varchar, ''), %(target)s::varchar,"
    " COALESCE(%(columns)s::boolean, false), %(lineitem)s::varchar, %(lineitems)s::varchar,"
    " %(scopes)s::jsonb, %(now)s)"
    " ON CONFLICT (context_id, lti_resource_link_id) DO UPDATE SET"
    " title = COALESCE(%(title)s::varchar, app_resource_link.title),"
    " target = COALESCE(%(target)s::varchar, app_resource_link.target),"
    " competency_columns = COALESCE(%(columns)s::boolean, app_resource_link.competency_columns),"
    " lineitem_url = COALESCE(%(lineitem)s::varchar, app_resource_link.lineitem_url),"
    " lineitems_url = COALESCE(%(lineitems)s::varchar, app_resource_link.lineitems_url),"
    " ags_scopes = COALESCE(%(scopes)s::jsonb, app_resource_link.ags_scopes)"
    " RETURNING id, title, target, competency_columns, lineitem_url, lineitems_url, ags_scopes"
)
_PERSON = (
    "INSERT INTO app_user (issuer, sub, name, email, created_at)"
    " VALUES (%(issuer)s, %(sub)s, %(name)s::varchar, %(email)s::varchar, %(now)s)"
    " ON CONFLICT (issuer, sub) DO UPDATE SET"
    " name = COALESCE(EXCLUDED.name, app_user.name),"
    " email = COALESCE(EXCLUDED.email, app_user.email) RETURNING id"
)
_ENROLL = (
    ", enrolled AS (INSERT INTO app_enrollment"
    " (context_id, user_id, role, extra_time_percent, last_launch_at)"
    " SELECT %(context)s, person.id, %(role)s, 0, %(now)s FROM person"
    " ON CONFLICT (context_id, user_id) DO UPDATE SET"
    " role = EXCLUDED.role, last_launch_at = EXCLUDED.last_launch_at)"
)
#: The person's other sessions in the course that grant something else end (as
#: end_launch_sessions does), then the new one: the snapshot of the statement does not see it.
_SESSION = (
    ", ended AS (UPDATE app_launch_session SET expires_at = %(now)s"
    " WHERE user_id = (SELECT id FROM person) AND context_id = %(context)s"
    " AND expires_at > %(now)s AND role <> %(role)s)"
    ", opened AS (INSERT INTO app_launch_session (token_hash, user_id, context_id,"
    " resource_link_id, role, lti_roles, locale, message_type, deep_linking, session_data,"
    " created_at, expires_at) SELECT %(token_hash)s, person.id, %(context)s,"
    " %(resource_link_id)s::integer, %(role)s, %(lti_roles)s, %(locale)s, %(message_type)s,"
    " %(deep_linking)s::jsonb, %(session_data)s, %(created_at)s, %(expires_at)s FROM person)"
)
#: User, enrolment and launch session in one statement (database store).
_PEOPLE_AND_SESSION = f"WITH person AS ({_PERSON}){_ENROLL}{_SESSION} SELECT id FROM person"  # noqa: S608  (constants)
#: User and enrolment (the launch session in Redis).
_PEOPLE = f"WITH person AS ({_PERSON}){_ENROLL} SELECT id FROM person"  # noqa: S608  (constants)


def _wanted_context(launch: ValidLaunch) -> dict[str, Any]:
    """The context's columns a launch sets (None: kept as stored), as _upsert_context does."""
    claims = launch.claims
    context_claim = claims.get(LTI + "context") or {}
    title = context_claim.get("title") or context_claim.get("label")
    nrps = claims.get(NRPS) or {}
    memberships = nrps.get("context_memberships_url")
    return {
        "title": str(title)[:255] if title else None,
        "memberships": str(memberships) if memberships else None,
    }


def _wanted_link(launch: ValidLaunch) -> dict[str, Any]:
    """The link's columns a launch sets (None: kept as stored), as _upsert_link does."""
    claims = launch.claims
    link_claim = claims[LTI + "resource_link"]
    custom = claims.get(LTI + "custom") or {}
    target = columns = None
    if isinstance(custom, dict) and custom.get("target"):
        target = str(custom["target"])[:255]
        columns = str(custom.get("competency_columns", "")).lower() in {"1", "true", "oui"}
    ags = claims.get(AGS) or {}
    ags = ags if isinstance(ags, dict) else {}
    return {
        "title": str(link_claim["title"])[:255] if link_claim.get("title") else None,
        "target": target,
        "columns": columns,
        "lineitem": ags.get("lineitem") or None,
        "lineitems": ags.get("lineitems") or None,
        "scopes": list(ags.get("scope") or []) or None,
    }


def _lean_places(raw: Any, launch: ValidLaunch, now: datetime) -> tuple[int, LinkRow | None]:
    """The context and the resource link of a launch: read together, written only if needed."""
    link_claim = launch.claims.get(LTI + "resource_link")
    link_id = (
        str(link_claim["id"]) if isinstance(link_claim, dict) and link_claim.get("id") else None
    )
    keys = {
        "deployment": launch.deployment.id,
        "context": _lti_context_id(launch),
        "link": link_id,
    }
    found = lean.one(raw, _PLACES, keys)
    context = _wanted_context(launch)
    if found is None or any(
        value is not None and value != stored
        for value, stored in zip(context.values(), found[1:3], strict=True)
    ):
        written = lean.one(
            raw,
            _UPSERT_CONTEXT,
            {**keys, **context, "registration": launch.registration.id, "now": now},
        )
        assert written is not None
        context_id = int(written[0])
        found = None  # a new or changed course: its link is written below
    else:
        context_id = int(found[0])
    if link_id is None:
        return context_id, None
    wanted = _wanted_link(launch)
    stored = found[3:] if found is not None and found[3] is not None else None
    if stored is not None and all(
        value is None or value == current
        for value, current in zip(wanted.values(), stored[1:], strict=True)
    ):
        return context_id, LinkRow(stored[0], context_id, *stored[1:])
    row = lean.one(
        raw,
        _UPSERT_LINK,
        {
            **wanted,
            "context": context_id,
            "link": link_id,
            "scopes": lean.jsonb(wanted["scopes"]),
            "now": now,
        },
    )
    assert row is not None
    return context_id, LinkRow(row[0], context_id, *row[1:])


def _lean_start(
    raw: Any, launch: ValidLaunch, now: datetime, role: str, roles: list[str]
) -> tuple[str, LinkRow | None, str]:
    """start_session on PostgreSQL: 2 to 4 statements on psycopg (lti_tool/lti/lean.py)."""
    from flask import current_app

    from lti_tool.lti.store import redis_launch_sessions

    claims = launch.claims
    context_id, link = _lean_places(raw, launch, now)
    name = claims.get("name") or " ".join(
        str(claims[k]) for k in ("given_name", "family_name") if claims.get(k)
    )
    hours = int(current_app.config["LAUNCH_SESSION_HOURS"])
    token, session = new_launch_values(
        user_id=None,
        context_id=context_id,
        role=role,
        resource_link_id=link.id if link else None,
        lti_roles=roles,
        hours=hours,
        **_session_claims(launch),
    )
    values = {
        "issuer": launch.registration.issuer,
        "sub": str(claims["sub"]),
        "name": str(name)[:255] if name else None,
        "email": str(claims["email"])[:255] if claims.get("email") else None,
        "context": context_id,
        "role": role,
        "now": now,
    }
    in_redis = redis_launch_sessions()
    if in_redis is None:
        for column in ("lti_roles", "deep_linking", "session_data"):
            session[column] = lean.jsonb(session[column])
        person = lean.one(raw, _PEOPLE_AND_SESSION, {**session, **values})
    else:
        person = lean.one(raw, _PEOPLE, values)
    assert person is not None
    user_id = int(person[0])
    if in_redis is not None:
        token = create_launch_session(
            user_id=user_id,
            context_id=context_id,
            role=role,
            resource_link_id=link.id if link else None,
            lti_roles=roles,
            **_session_claims(launch),
        )
    for hook in ON_LAUNCH:  # e.g. a graded activity opened after its content was completed
        hook(link, user_id, role, now)
    return token, link, role

"""Course roster from the platform (LTI NRPS), merged with each member's activity status.

Other features report progress through ``ACTIVITY_STATUS_PROVIDERS``: each provider is called
with ``(context_id, user_ids)`` (the tool's user ids of members who have launched the tool) and
returns ``{user_id: [ActivityStatus, ...]}``; users it knows nothing about may be left out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext
from sqlalchemy import select

from lti_tool.extensions import db
from lti_tool.grades.sender import Permanent, Retry, _next_link, _request
from lti_tool.lti.roles import map_roles
from lti_tool.models.core import ROLE_TRAINEE, Context, User
from lti_tool.models.grades import DELIVERED, FAILED, SUPERSEDED, ScoreOutbox
from lti_tool.models.lti import Registration

NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
MEMBERSHIPS = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
#: Safety net against a platform whose "next" links loop.
MAX_PAGES = 200

NOT_STARTED, IN_PROGRESS, DONE, GRADE_DELIVERED = "not_started", "in_progress", "done", "delivered"
#: Translated when shown (the page's language), hence lazy.
STATUS_LABELS = {
    NOT_STARTED: lazy_gettext("non commencé"),
    IN_PROGRESS: lazy_gettext("en cours"),
    DONE: lazy_gettext("terminé"),
    GRADE_DELIVERED: lazy_gettext("terminé, note transmise"),
}
_ORDER = [NOT_STARTED, IN_PROGRESS, DONE, GRADE_DELIVERED]


@dataclass(frozen=True)
class ActivityStatus:
    """One activity's progress for one learner (``state``: not_started, in_progress, done, delivered)."""

    activity: str
    state: str
    detail: str | None = None

    @property
    def label(self) -> str:
        """The state in words (never colour only)."""
        label = STATUS_LABELS.get(self.state)
        return str(label) if label is not None else self.state


StatusProvider = Callable[[int, list[int]], dict[int, list[ActivityStatus]]]
#: Features append a provider here (modules, case studies, exam, dossier).
ACTIVITY_STATUS_PROVIDERS: list[StatusProvider] = []


@dataclass
class Member:
    """A course member as the platform lists them."""

    sub: str
    name: str | None
    email: str | None
    roles: list[str]
    status: str = "Active"
    user_id: int | None = None
    activities: list[ActivityStatus] = field(default_factory=list)

    @property
    def display_name(self) -> str:
        """The name, or a neutral label when the platform withholds it."""
        return self.name or f"Participant sans nom ({self.sub[:12]})"

    @property
    def tool_role(self) -> str:
        """The member's role in the tool, by the launch's own table (lti_tool/lti/roles.py):
        trainee, trainer, admin, or none (mentors, managers...). A member listed without any
        role is counted as a trainee, as platforms list learners first."""
        return map_roles(self.roles) if self.roles else ROLE_TRAINEE

    @property
    def is_learner(self) -> bool:
        """Learner role in the course (a Learner sub-role, or a simple « Learner », included)."""
        return self.tool_role == ROLE_TRAINEE

    @property
    def overall(self) -> str:
        """Over every activity of the course: not started when none is, done (or delivered)
        only when all are, in progress otherwise (1 module of 7 done is « en cours »)."""
        states = [a.state for a in self.activities]
        if not states or all(s == NOT_STARTED for s in states):
            return NOT_STARTED
        least = min(states, key=_ORDER.index)
        return least if least in (DONE, GRADE_DELIVERED) else IN_PROGRESS


class RosterUnavailable(Exception):
    """The platform's member list cannot be read now (message in French)."""


def _member(raw: dict[str, Any]) -> Member | None:
    sub = raw.get("user_id")
    if not sub:
        return None
    name = raw.get("name") or " ".join(
        p for p in (raw.get("given_name"), raw.get("family_name")) if p
    )
    return Member(
        sub=str(sub),
        name=str(name).strip() or None,
        email=raw.get("email") or None,
        roles=[str(r) for r in raw.get("roles") or []],
        status=str(raw.get("status") or "Active"),
    )


def fetch_members(context: Context, now: datetime) -> list[Member]:
    """Every member of the course, following the ``Link: rel="next"`` pages."""
    if not context.memberships_url:
        raise RosterUnavailable("la plateforme n'a pas ouvert la liste des participants")
    registration = db.session.get(Registration, context.registration_id)
    assert registration is not None
    members: dict[str, Member] = {}
    url: str | None = context.memberships_url
    pages = 0
    while url and pages < MAX_PAGES:
        pages += 1
        try:
            response = _request(
                "GET", url, registration, now, scopes=NRPS_SCOPE, headers={"Accept": MEMBERSHIPS}
            )
        except (Retry, Permanent) as error:
            raise RosterUnavailable(f"liste des participants indisponible : {error}") from error
        if response.status_code >= 400:
            raise RosterUnavailable(
                f"liste des participants indisponible (HTTP {response.status_code})"
            )
        try:
            body = response.json()
        except ValueError as error:
            raise RosterUnavailable("réponse illisible de la plateforme") from error
        for raw in body.get("members") or []:
            member = _member(raw)
            if member is not None:
                members[member.sub] = member
        url = _next_link(response.headers.get("Link"))
    return list(members.values())


def grade_statuses(context_id: int, user_ids: list[int]) -> dict[int, list[ActivityStatus]]:
    """Built-in provider: a produced grade means "done", "delivered" once in the gradebook."""
    rows = db.session.scalars(
        select(ScoreOutbox)
        .where(
            ScoreOutbox.context_id == context_id,
            ScoreOutbox.user_id.in_(user_ids),
            ScoreOutbox.state != SUPERSEDED,
            ScoreOutbox.tag.is_(None),
        )
        .order_by(ScoreOutbox.id.desc())
    ).all()
    latest: dict[tuple[int, str], ScoreOutbox] = {}
    for row in rows:
        latest.setdefault((row.user_id, row.column_key), row)
    out: dict[int, list[ActivityStatus]] = {}
    for row in latest.values():
        if row.state == DELIVERED:
            status = ActivityStatus(row.label, GRADE_DELIVERED)
        elif row.state == FAILED:
            status = ActivityStatus(row.label, DONE, f"note non transmise : {row.last_error}")
        elif row.activity_progress in ("Completed", "Submitted"):
            status = ActivityStatus(row.label, DONE, "note en attente d'envoi")
        else:
            status = ActivityStatus(row.label, IN_PROGRESS)
        out.setdefault(row.user_id, []).append(status)
    return out


def _activity_statuses(context_id: int, user_ids: list[int]) -> dict[int, list[ActivityStatus]]:
    from lti_tool.grades.progress import activity_statuses

    return activity_statuses(context_id, user_ids)


# Every activity of the course from its own records (lti_tool/grades/progress.py); the outbox
# alone (grade_statuses) knew only the activities already graded.
ACTIVITY_STATUS_PROVIDERS.append(_activity_statuses)


def roster(context: Context, now: datetime) -> list[Member]:
    """The platform's members with their activity statuses, learners first, by name."""
    members = fetch_members(context, now)
    registration = db.session.get(Registration, context.registration_id)
    assert registration is not None
    subs = [m.sub for m in members]
    users = (
        {
            u.sub: u.id
            for u in db.session.scalars(
                select(User).where(User.issuer == registration.issuer, User.sub.in_(subs))
            )
        }
        if subs
        else {}
    )
    for member in members:
        member.user_id = users.get(member.sub)
    known = [uid for uid in users.values()]
    by_user: dict[int, dict[str, ActivityStatus]] = {}
    if known:
        for provider in ACTIVITY_STATUS_PROVIDERS:
            for uid, statuses in provider(context.id, known).items():
                slot = by_user.setdefault(uid, {})
                for status in statuses:
                    # Several providers may report the same activity: keep the most advanced.
                    previous = slot.get(status.activity)
                    if previous is None or _ORDER.index(status.state) > _ORDER.index(
                        previous.state
                    ):
                        slot[status.activity] = status
    for member in members:
        if member.user_id is not None:
            member.activities = sorted(
                by_user.get(member.user_id, {}).values(), key=lambda s: s.activity
            )
    return sorted(members, key=lambda m: (not m.is_learner, m.display_name.lower()))

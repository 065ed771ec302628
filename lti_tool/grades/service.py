"""Publishing a score writes an outbox row in the caller's transaction; nothing is sent here.

Feature packages call :func:`publish_score` (or :func:`publish_competency_scores`) inside the
transaction that records the result; the request commits once, then the worker (``flask grades
sync`` / ``flask worker run``) sends and retries. Outside production (``GRADES_SEND_AFTER_COMMIT``)
the web process also tries to send at once (``hooks``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import g, has_app_context
from sqlalchemy import select, update

from lti_tool.extensions import db
from lti_tool.models.core import Context, ResourceLink
from lti_tool.models.grades import (
    DELIVERED,
    PENDING,
    SENDING,
    SUPERSEDED,
    ScoreOutbox,
)

STARTED, SUBMITTED, COMPLETED = "Started", "Submitted", "Completed"
ACTIVITY_PROGRESS = {"Initialized", STARTED, "InProgress", SUBMITTED, COMPLETED}
GRADING_PROGRESS = {"FullyGraded", "Pending", "PendingManual", "Failed", "NotReady"}
#: Competency columns the tool may create (tagged line items).
COMPETENCY_TAGS = tuple(f"C{n}" for n in range(1, 8))


class PublishError(ValueError):
    """A score that cannot be queued (unknown activity, bad values)."""


def column_key_for(
    *, resource_link_id: int | None, resource_id: str | None, tag: str | None
) -> str:
    """The identity of a gradebook column: one per resource link (and tag), never shared."""
    if resource_link_id is not None:
        return f"{resource_link_id}:{tag}" if tag else f"{resource_link_id}"
    return f"ctx:{resource_id}:{tag}" if tag else f"ctx:{resource_id}"


def publish_score(
    *,
    user_id: int,
    score_given: float,
    score_maximum: float,
    activity_progress: str,
    now: datetime,
    resource_link_id: int | None = None,
    link: ResourceLink | None = None,
    context_id: int | None = None,
    resource_id: str | None = None,
    grading_progress: str = "FullyGraded",
    started_at: datetime | None = None,
    submitted_at: datetime | None = None,
    comment: str | None = None,
    line_item_tag: str | None = None,
    tag: str | None = None,
    label: str | None = None,
) -> ScoreOutbox:
    """Queue a score for a column (resource link, or context + resource_id); flush, never commit."""
    return publish_scores(
        [
            dict(
                user_id=user_id,
                score_given=score_given,
                score_maximum=score_maximum,
                activity_progress=activity_progress,
                resource_link_id=resource_link_id,
                link=link,
                context_id=context_id,
                resource_id=resource_id,
                grading_progress=grading_progress,
                started_at=started_at,
                submitted_at=submitted_at,
                comment=comment,
                tag=line_item_tag or tag,
                label=label,
            )
        ],
        now=now,
    )[0]


def publish_scores(scores: list[dict[str, Any]], *, now: datetime) -> list[ScoreOutbox]:
    """Queue several scores (``publish_score``'s arguments each, ``tag`` for the column tag).

    Same rows as one ``publish_score`` per score, in three statements per learner instead of
    three per score: an exam's overall and seven competency scores are queued by the submit
    request while the cohort is saving answers.

    A score equal to the latest one queued, being sent or delivered for its column is not
    queued again (ten identical checklist saves sent ten grades): that row is returned instead.
    """
    prepared = [_prepare(now=now, **score) for score in scores]
    by_user: dict[int, list[ScoreOutbox]] = {}
    for row in prepared:
        by_user.setdefault(row.user_id, []).append(row)
    unchanged: dict[int, ScoreOutbox] = {}
    rows: list[ScoreOutbox] = []
    for user_id, candidates in by_user.items():
        keys = sorted({row.column_key for row in candidates})
        # The learner's earlier scores of these columns, oldest first (one statement).
        history = db.session.scalars(
            select(ScoreOutbox)
            .where(ScoreOutbox.user_id == user_id, ScoreOutbox.column_key.in_(keys))
            .order_by(ScoreOutbox.timestamp, ScoreOutbox.id)
        ).all()
        # Serialise publishers of the same column: the timestamp must strictly increase.
        last: dict[str, datetime] = {}
        current: dict[str, ScoreOutbox] = {}
        for earlier_row in history:
            last[earlier_row.column_key] = max(
                earlier_row.timestamp, last.get(earlier_row.column_key, earlier_row.timestamp)
            )
            if earlier_row.state != SUPERSEDED:
                current[earlier_row.column_key] = earlier_row
        own = []
        for row in candidates:
            same = current.get(row.column_key)
            if same is not None and _same_grade(same, row):
                unchanged[id(row)] = same
            else:
                own.append(row)
        if not own:
            continue
        rows.extend(own)
        # A newer score makes the older unsent ones pointless: the gradebook keeps the latest.
        db.session.execute(
            update(ScoreOutbox)
            .where(
                ScoreOutbox.user_id == user_id,
                ScoreOutbox.column_key.in_(sorted({row.column_key for row in own})),
                ScoreOutbox.state == PENDING,
            )
            .values(state=SUPERSEDED, last_error="remplacée par une note plus récente")
        )
        latest: dict[str, ScoreOutbox] = {}
        for row in own:
            earlier = latest.get(row.column_key)
            if earlier is not None:  # two scores of one column in a batch: the last one wins
                earlier.state, earlier.last_error = (
                    SUPERSEDED,
                    "remplacée par une note plus récente",
                )
            latest[row.column_key] = row
            # Moodle compares whole seconds and answers 409 to an equal timestamp.
            timestamp = now.replace(microsecond=0)
            previous = last.get(row.column_key)
            if previous is not None and timestamp < previous + timedelta(seconds=1):
                # A second score within the same second: its timestamp is the next second,
                # and it is not sent before that second has come (a timestamp must never be
                # in the platform's future: ten saves in a row were stamped up to 9 s ahead).
                timestamp = previous.replace(microsecond=0) + timedelta(seconds=1)
                row.next_attempt_at = timestamp
            row.timestamp = last[row.column_key] = timestamp
    db.session.add_all(rows)
    db.session.flush()
    if has_app_context() and rows:
        queued: list[int] = g.setdefault("queued_scores", [])
        queued.extend(row.id for row in rows)
    return [unchanged.get(id(row), row) for row in prepared]


#: What makes two scores the same grade (submission times do not: a new save is not a new grade).
_GRADE_FIELDS = (
    "score_given",
    "score_maximum",
    "activity_progress",
    "grading_progress",
    "comment",
)


def _same_grade(existing: ScoreOutbox, new: ScoreOutbox) -> bool:
    """The latest row already carries this grade (a failed one does not: it is queued again)."""
    return existing.state in (PENDING, SENDING, DELIVERED) and all(
        getattr(existing, field) == getattr(new, field) for field in _GRADE_FIELDS
    )


def _prepare(
    *,
    user_id: int,
    score_given: float,
    score_maximum: float,
    activity_progress: str,
    now: datetime,
    resource_link_id: int | None = None,
    link: ResourceLink | None = None,
    context_id: int | None = None,
    resource_id: str | None = None,
    grading_progress: str = "FullyGraded",
    started_at: datetime | None = None,
    submitted_at: datetime | None = None,
    comment: str | None = None,
    tag: str | None = None,
    label: str | None = None,
) -> ScoreOutbox:
    """The outbox row of one score, checked, without its timestamp (``publish_scores`` sets it)."""
    if link is None and resource_link_id is not None:
        link = db.session.get(ResourceLink, resource_link_id)
        if link is None:
            raise PublishError(f"lien de ressource inconnu : {resource_link_id}")
    if link is not None:
        context_id = link.context_id
    elif context_id is None or not resource_id:
        raise PublishError("il faut un lien de ressource, ou un cours et un resource_id")
    context = db.session.get(Context, context_id)
    if context is None:
        raise PublishError(f"cours inconnu : {context_id}")
    if activity_progress not in ACTIVITY_PROGRESS or grading_progress not in GRADING_PROGRESS:
        raise PublishError(f"progression inconnue : {activity_progress}/{grading_progress}")
    if score_maximum <= 0:
        raise PublishError("scoreMaximum doit être positif")
    column_key = column_key_for(
        resource_link_id=link.id if link else None, resource_id=resource_id, tag=tag
    )
    if link is not None and not resource_id:
        base = link.target or f"link-{link.id}"
        resource_id = f"{base}:{tag}" if tag else base
    if not label:
        title = (link.title if link else None) or resource_id or "Activité"
        label = f"{title} — {tag}" if tag else title
    return ScoreOutbox(
        registration_id=context.registration_id,
        context_id=context.id,
        resource_link_id=link.id if link else None,
        user_id=user_id,
        column_key=column_key,
        resource_id=resource_id,
        tag=tag,
        label=label[:255],
        score_given=max(0.0, float(score_given)),
        score_maximum=float(score_maximum),
        activity_progress=activity_progress,
        grading_progress=grading_progress,
        comment=comment,
        started_at=started_at,
        submitted_at=submitted_at,
        state=PENDING,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )


def publish_competency_scores(
    *,
    user_id: int,
    scores: Mapping[str, tuple[float, float]],
    activity_progress: str,
    now: datetime,
    resource_link_id: int | None = None,
    link: ResourceLink | None = None,
    context_id: int | None = None,
    resource_id: str | None = None,
    label_prefix: str | None = None,
    started_at: datetime | None = None,
    submitted_at: datetime | None = None,
    grading_progress: str = "FullyGraded",
) -> list[ScoreOutbox]:
    """Queue one score per competency (``{"C1": (given, maximum)}``) in columns tagged C1..C7.

    Only when the platform lets the tool create columns (a line items URL in the launch);
    returns the queued rows (empty when the platform does not allow it).
    """
    if link is None and resource_link_id is not None:
        link = db.session.get(ResourceLink, resource_link_id)
    if link is not None:
        lineitems = link.lineitems_url
    else:
        lineitems = db.session.scalar(
            select(ResourceLink.lineitems_url).where(
                ResourceLink.context_id == context_id, ResourceLink.lineitems_url.is_not(None)
            )
        )
    if not lineitems:
        return []
    rows = []
    for competency, (given, maximum) in sorted(scores.items()):
        if competency not in COMPETENCY_TAGS:
            raise PublishError(f"compétence inconnue : {competency}")
        if maximum <= 0:
            continue
        prefix = label_prefix or (link.title if link else resource_id) or "Activité"
        rows.append(
            publish_score(
                user_id=user_id,
                link=link,
                context_id=context_id,
                resource_id=resource_id,
                score_given=given,
                score_maximum=maximum,
                activity_progress=activity_progress,
                grading_progress=grading_progress,
                started_at=started_at,
                submitted_at=submitted_at,
                line_item_tag=competency,
                label=f"{prefix} — {competency}",
                now=now,
            )
        )
    return rows


@dataclass(frozen=True)
class Completion:
    """A learner's result for a piece of content (module, case study, dossier), out of 100."""

    score_given: float
    score_maximum: float
    comment: str | None = None
    started_at: datetime | None = None
    submitted_at: datetime | None = None


#: kind of target (``module``, ``case``, ``dossier``) -> the learner's completion of a content
#: id in a course, or None: filled by the feature packages, read when a graded activity opens.
COMPLETIONS: dict[str, Callable[[int, int, str], Completion | None]] = {}


def is_graded(link: ResourceLink) -> bool:
    """The platform gave this activity a gradebook column, or lets the tool create one."""
    return bool(link.lineitem_url or link.lineitems_url)


def graded_links(context_id: int, target: str) -> list[ResourceLink]:
    """Every graded activity of the course delivering ``target`` (``kind:id``)."""
    links = db.session.scalars(
        select(ResourceLink)
        .where(ResourceLink.context_id == context_id, ResourceLink.target == target)
        .order_by(ResourceLink.id)
    )
    return [link for link in links if is_graded(link)]


def publish_completion(
    *, context_id: int, user_id: int, target: str, completion: Completion, now: datetime
) -> list[ScoreOutbox]:
    """Queue the completion to every graded activity of the course that delivers the content.

    Whatever link the learner came through (the course hub, « Tous les modules », another
    placement of the same content): the grade goes to each column of that content.
    """
    links = graded_links(context_id, target)
    if not links:
        return []
    return publish_scores([_completion_score(link, user_id, completion) for link in links], now=now)


def _completion_score(link: ResourceLink, user_id: int, completion: Completion) -> dict[str, Any]:
    return dict(
        user_id=user_id,
        link=link,
        score_given=completion.score_given,
        score_maximum=completion.score_maximum,
        activity_progress=COMPLETED,
        started_at=completion.started_at,
        submitted_at=completion.submitted_at,
        comment=completion.comment,
    )


def catch_up(link: Any, user_id: int, now: datetime) -> ScoreOutbox | None:
    """On a learner's launch of a graded activity: publish content completed earlier elsewhere.

    A graded activity created after the learner completed its content (or completed through
    another link before this fix) gets the grade the first time the learner opens it; a column
    that already holds one of the learner's scores is left alone.
    """
    if link is None or not link.target or ":" not in link.target or not is_graded(link):
        return None
    kind, ident = link.target.split(":", 1)
    source = COMPLETIONS.get(kind)
    if source is None:
        return None
    if not isinstance(link, ResourceLink):  # the lean launch's row (lti_tool/lti/launch.py)
        link = db.session.get(ResourceLink, link.id)
        if link is None:
            return None
    key = column_key_for(resource_link_id=link.id, resource_id=None, tag=None)
    if db.session.scalar(
        select(ScoreOutbox.id)
        .where(ScoreOutbox.user_id == user_id, ScoreOutbox.column_key == key)
        .limit(1)
    ):
        return None
    completion = source(link.context_id, user_id, ident)
    if completion is None:
        return None
    return publish_scores([_completion_score(link, user_id, completion)], now=now)[0]

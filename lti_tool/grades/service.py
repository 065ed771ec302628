"""Publishing a score writes an outbox row in the caller's transaction; nothing is sent here.

Feature packages call :func:`publish_score` (or :func:`publish_competency_scores`) inside the
transaction that records the result; the request commits once, then the worker (``flask grades
sync`` / ``flask worker run``) sends and retries. Outside production (``GRADES_SEND_AFTER_COMMIT``)
the web process also tries to send at once (``hooks``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from flask import g, has_app_context
from sqlalchemy import func, select, update

from lti_tool.extensions import db
from lti_tool.models.core import Context, ResourceLink
from lti_tool.models.grades import PENDING, SUPERSEDED, ScoreOutbox

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
    """
    rows = [_prepare(now=now, **score) for score in scores]
    by_user: dict[int, list[ScoreOutbox]] = {}
    for row in rows:
        by_user.setdefault(row.user_id, []).append(row)
    for user_id, own in by_user.items():
        keys = sorted({row.column_key for row in own})
        # Serialise publishers of the same column: the timestamp must strictly increase.
        last: dict[str, datetime] = {
            key: value
            for key, value in db.session.execute(
                select(ScoreOutbox.column_key, func.max(ScoreOutbox.timestamp))
                .where(ScoreOutbox.user_id == user_id, ScoreOutbox.column_key.in_(keys))
                .group_by(ScoreOutbox.column_key)
            ).all()
            if value is not None
        }
        # A newer score makes the older unsent ones pointless: the gradebook keeps the latest.
        db.session.execute(
            update(ScoreOutbox)
            .where(
                ScoreOutbox.user_id == user_id,
                ScoreOutbox.column_key.in_(keys),
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
                timestamp = previous.replace(microsecond=0) + timedelta(seconds=1)
            row.timestamp = last[row.column_key] = timestamp
    db.session.add_all(rows)
    db.session.flush()
    if has_app_context():
        queued: list[int] = g.setdefault("queued_scores", [])
        queued.extend(row.id for row in rows)
    return rows


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

"""Exam results to the gradebook (overall + one tagged column per competency) and the sweep."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from lti_tool.exam import service
from lti_tool.extensions import db
from lti_tool.grades.service import COMPLETED, publish_scores
from lti_tool.models.core import ResourceLink
from lti_tool.models.exam import ExamAttempt
from lti_tool.worker import TASKS


def queue_grades(attempt: ExamAttempt, now: datetime) -> None:
    """Queue the overall score and, where the platform lets the tool create columns, C1..C7."""
    link = db.session.get(ResourceLink, attempt.resource_link_id)
    if link is None or not attempt.score_maximum:
        return
    ratio = (attempt.score_points or 0) / attempt.score_maximum
    verdict = "seuil atteint" if attempt.passed else "seuil non atteint"
    per = attempt.per_competency or {}
    detail = ", ".join(f"{c} {p:g}/{m}" for c, (p, m) in sorted(per.items()))
    common = dict(
        user_id=attempt.user_id,
        link=link,
        activity_progress=COMPLETED,
        started_at=attempt.started_at,
        submitted_at=attempt.finished_at,
        score_maximum=100,
    )
    scores: list[dict[str, Any]] = [
        dict(
            common,
            score_given=round(ratio * 100, 2),
            comment=f"Épreuve 1 : {verdict}. {detail}",
        )
    ]
    if link.lineitems_url and link.competency_columns:
        # Only when the trainer chose it at content selection (default: the per-competency
        # result stays in the tool's result page and in the overall grade's comment).
        # Papers are drawn per candidate, so a competency's number of items varies from one
        # paper to the next: the column is a percentage (its maximum, set by the first score
        # sent, is then the same for everyone), and the raw count goes in the comment.
        for competency, (points, maximum) in sorted(per.items()):
            if not maximum:
                continue
            scores.append(
                dict(
                    common,
                    score_given=round(points / maximum * 100, 2),
                    comment=f"{competency} : {points:g} / {maximum} items",
                    tag=competency,
                    label=f"Épreuve 1 — {competency} (indicatif, %)",
                )
            )
    # One round of statements for the eight scores (the submit runs during the session).
    publish_scores(scores, now=now)


def sweep(at: datetime) -> str:
    """Worker task: submit overdue attempts (their grades are queued by the hook)."""
    from lti_tool.exam.bank import pass_mark

    try:
        mark = pass_mark()
    except Exception:  # no bank yet: still finalise with the default pass mark
        mark = 0.6
    return f"{service.finalise_overdue(at, pass_mark=mark)} tentative(s) clôturée(s)"


service.ON_SUBMIT.append(queue_grades)
TASKS.append(("exam-sweep", sweep, 15.0))

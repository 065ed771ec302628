"""Submitting an attempt, and the worker's sweep of overdue attempts.

Services flush, never commit; the time is always passed in.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from grading.exam import PaperItem, score_paper
from grading.standard import CutScore
from lti_tool.exam.attempts import ON_SUBMIT, answers_of, append_event, time_rules
from lti_tool.extensions import db
from lti_tool.models.exam import STATUS_IN_PROGRESS, STATUS_SUBMITTED, ExamAttempt


def submit(attempt: ExamAttempt, *, now: datetime, reason: str, pass_mark: float = 0.6) -> bool:
    """Submit with the answers saved so far; harmless when already submitted."""
    if attempt.status == STATUS_SUBMITTED:
        return False
    paper = [PaperItem.from_json(p) for p in attempt.paper]
    answers = {k: frozenset(v.choices) for k, v in answers_of(attempt).items()}
    result = score_paper(paper, answers)
    attempt.status = STATUS_SUBMITTED
    attempt.finished_at = time_rules(attempt).finish_time(now)
    attempt.submit_reason = reason
    attempt.score_points = result.points
    attempt.score_maximum = result.maximum
    attempt.per_competency = {c: [p, m] for c, (p, m) in result.per_competency.items()}
    # The paper's own cut score (modified Angoff, fixed at the draw) and its per-competency
    # thresholds; papers drawn before it are judged by the global pass mark, as they were.
    if attempt.cut_score:
        standard = CutScore.from_json(attempt.cut_score)
        attempt.passed = standard.passed(result.points, result.per_competency)
    else:
        attempt.passed = result.passed(pass_mark)
    append_event(
        attempt,
        "submit",
        {
            "reason": reason,
            "finished_at": attempt.finished_at.isoformat(),
            "points": result.points,
            "maximum": result.maximum,
        },
        now,
    )
    for hook in ON_SUBMIT:
        hook(attempt, now)
    return True


def finalise_overdue(now: datetime, *, pass_mark: float = 0.6, limit: int = 200) -> int:
    """Submit every attempt whose deadline and grace have passed (the worker's sweep)."""
    candidates = db.session.scalars(
        select(ExamAttempt)
        .where(ExamAttempt.status == STATUS_IN_PROGRESS, ExamAttempt.deadline_at < now)
        .order_by(ExamAttempt.deadline_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    ).all()
    done = 0
    for attempt in candidates:
        if time_rules(attempt).is_overdue(now) and submit(
            attempt, now=now, reason="sweep", pass_mark=pass_mark
        ):
            done += 1
    return done

"""Trainer views of the exam: live monitoring rows and the item analysis report."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from grading.item_analysis import (
    SMALL_COHORT,
    ItemStats,
    Reliability,
    cohort_warning,
    item_stats,
    kr21,
    reliability,
)
from lti_tool.extensions import db
from lti_tool.models.core import ResourceLink, User
from lti_tool.models.exam import STATUS_SUBMITTED, ExamAnswer, ExamAttempt, ExamReset
from lti_tool.people import trainees_of


@dataclass(frozen=True)
class MonitorRow:
    """One candidate in the monitoring table."""

    user_id: int
    name: str
    extra_time_percent: float
    attempt_id: int | None
    attempt_no: int | None
    status: str
    remaining_seconds: int | None
    answered: int
    total: int
    flagged: int
    last_save: datetime | None

    def as_json(self) -> dict[str, Any]:
        """Plain data for the page's refresh."""
        return {
            "user_id": self.user_id,
            "name": self.name,
            "extra_time_percent": self.extra_time_percent,
            "attempt_id": self.attempt_id,
            "status": self.status,
            "remaining_seconds": self.remaining_seconds,
            "answered": self.answered,
            "total": self.total,
            "flagged": self.flagged,
            "last_save": self.last_save.isoformat() if self.last_save else None,
        }


STATUS_LABELS = {
    "not_started": "pas commencé",
    "in_progress": "en cours",
    "submitted": "remis",
}


def monitoring_rows(link: ResourceLink, at: datetime) -> list[MonitorRow]:
    """Every trainee of the course with the state of their latest attempt."""
    enrollments = trainees_of(link.context_id)
    attempts: dict[int, ExamAttempt] = {}
    for attempt in db.session.scalars(
        select(ExamAttempt)
        .where(ExamAttempt.resource_link_id == link.id)
        .order_by(ExamAttempt.attempt_no)
    ):
        attempts[attempt.user_id] = attempt
    stats: dict[int, tuple[int, int, datetime | None]] = {}
    if attempts:
        rows = db.session.execute(
            select(
                ExamAnswer.attempt_id,
                func.count(ExamAnswer.id).filter(ExamAnswer.choices != []),
                func.count(ExamAnswer.id).filter(ExamAnswer.flagged),
                func.max(ExamAnswer.saved_at),
            )
            .where(ExamAnswer.attempt_id.in_([a.id for a in attempts.values()]))
            .group_by(ExamAnswer.attempt_id)
        ).all()
        stats = {r[0]: (int(r[1]), int(r[2]), r[3]) for r in rows}
    result = []
    for enrollment in sorted(enrollments, key=lambda e: e.user.display_name.lower()):
        current = attempts.get(enrollment.user_id)
        answered, flagged, last = stats.get(current.id, (0, 0, None)) if current else (0, 0, None)
        remaining = None
        if current is not None and current.status != STATUS_SUBMITTED:
            remaining = max(0, int((current.deadline_at - at).total_seconds()))
        result.append(
            MonitorRow(
                user_id=enrollment.user_id,
                name=enrollment.user.display_name,
                extra_time_percent=enrollment.extra_time_percent,
                attempt_id=current.id if current else None,
                attempt_no=current.attempt_no if current else None,
                status=current.status if current else "not_started",
                remaining_seconds=remaining,
                answered=answered,
                total=len(current.paper) if current else 0,
                flagged=flagged,
                last_save=last,
            )
        )
    return result


@dataclass(frozen=True)
class AnalysisReport:
    """Item statistics, reliability of the paper and per competency, and a warning."""

    items: list[ItemStats]
    competency_of: dict[str, str]
    paper: Reliability
    #: "KR-20" when every candidate sat the same items, else "KR-21" on equal-length papers.
    paper_method: str
    per_competency: dict[str, Reliability]
    candidates: int
    warning: str | None
    #: Below this many papers the indices are unstable (the page says so, in its language).
    cohort_minimum: int = SMALL_COHORT
    #: Papers a trainer's reset replaced (a new attempt was granted after them): not counted.
    reset_attempts: tuple[ResetAttempt, ...] = ()


@dataclass(frozen=True)
class ResetAttempt:
    """A submitted paper left out of the analysis because a new attempt replaced it."""

    name: str
    attempt_no: int


def item_analysis_report(link: ResourceLink) -> AnalysisReport:
    """Compute the analysis over the submitted attempts of this activity, one per candidate.

    A candidate counts once: a paper followed by a trainer's reset (a new attempt granted, with
    its reason) is replaced by the next one and listed apart; a candidate whose new attempt is
    not submitted yet is not counted until it is.
    """
    resets = dict(
        db.session.execute(
            select(ExamReset.user_id, func.count(ExamReset.id))
            .where(ExamReset.resource_link_id == link.id)
            .group_by(ExamReset.user_id)
        ).all()
    )
    submitted = db.session.scalars(
        select(ExamAttempt)
        .where(ExamAttempt.resource_link_id == link.id, ExamAttempt.status == STATUS_SUBMITTED)
        .order_by(ExamAttempt.user_id, ExamAttempt.attempt_no)
    ).all()
    attempts: list[ExamAttempt] = []
    replaced: list[ExamAttempt] = []
    for attempt in submitted:
        # Attempt k is replaced when a reset allowed attempt k + 1 (attempts allowed: 1 + resets).
        if attempt.attempt_no < 1 + int(resets.get(attempt.user_id, 0)):
            replaced.append(attempt)
        else:
            attempts.append(attempt)
    names = {
        u.id: u.display_name
        for u in db.session.scalars(
            select(User).where(User.id.in_({a.user_id for a in replaced}))
        )
    } if replaced else {}
    scores: dict[str, dict[str, int]] = {}
    choices: dict[str, dict[str, str | None]] = defaultdict(dict)
    competency_of: dict[str, str] = {}
    for attempt in attempts:
        key = str(attempt.id)
        answers = {
            a.item_id: a
            for a in db.session.scalars(
                select(ExamAnswer).where(ExamAnswer.attempt_id == attempt.id)
            )
        }
        row: dict[str, int] = {}
        for item in attempt.paper:
            item_id = item["item_id"]
            competency_of[item_id] = item["competency"]
            answer = answers.get(item_id)
            chosen = sorted(answer.choices) if answer else []
            row[item_id] = int(bool(chosen) and set(chosen) == set(item["correct_keys"]))
            choices[item_id][key] = ",".join(chosen) or None
        scores[key] = row
    item_ids = sorted(competency_of)
    stats = [item_stats(i, scores, choices[i]) for i in item_ids]
    paper, method = _reliability(scores)
    per_competency: dict[str, Reliability] = {}
    for competency in sorted(set(competency_of.values())):
        subset = {
            c: {i: v for i, v in row.items() if competency_of[i] == competency}
            for c, row in scores.items()
        }
        per_competency[competency] = _reliability(subset)[0]
    return AnalysisReport(
        items=stats,
        competency_of=competency_of,
        paper=paper,
        paper_method=method,
        per_competency=per_competency,
        candidates=len(scores),
        warning=cohort_warning(len(scores)),
        reset_attempts=tuple(
            ResetAttempt(names.get(a.user_id, ""), a.attempt_no)
            for a in sorted(replaced, key=lambda a: (names.get(a.user_id, "").lower(), a.attempt_no))
        ),
    )


def _reliability(scores: dict[str, dict[str, int]]) -> tuple[Reliability, str]:
    """KR-20 on the items everyone sat; KR-21 on totals when papers differ but have one length."""
    item_ids = sorted({i for row in scores.values() for i in row})
    common = [i for i in item_ids if all(i in row for row in scores.values())]
    if len(common) >= 2 and len(common) == len(item_ids):
        return reliability(scores, common), "KR-20"
    lengths = {len(row) for row in scores.values()}
    if len(lengths) == 1:
        return kr21([float(sum(row.values())) for row in scores.values()], lengths.pop()), "KR-21"
    # Papers of different lengths: no coefficient, but the totals still say something.
    totals = [float(sum(row.values())) for row in scores.values()]
    n = len(totals)
    mean = sum(totals) / n if n else 0.0
    sd = math.sqrt(sum((t - mean) ** 2 for t in totals) / (n - 1)) if n > 1 else 0.0
    return Reliability(0, n, None, None, mean, sd), "—"

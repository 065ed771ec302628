"""Scoring a case-study run: points per competency against the best possible."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from course.case_studies import CaseStudy


@dataclass(frozen=True)
class CaseResult:
    """Points earned per competency, the maxima, and the overall share of the best path."""

    earned: dict[str, int]
    maximum: dict[str, int]
    ratio: float


def walk(case: CaseStudy, choices: Sequence[int]) -> tuple[list[str], dict[str, int]]:
    """Follow choice indexes from the start; return the steps visited and the raw points."""
    step = case.step(case.start)
    path = [step.id]
    points: dict[str, int] = {}
    for index in choices:
        choice = step.choices[index]
        for competency, value in choice.points:
            points[competency] = points.get(competency, 0) + value
        step = case.step(choice.target)
        path.append(step.id)
    return path, points


def score(case: CaseStudy, choices: Sequence[int]) -> CaseResult:
    """Score a finished run: overall = earned points (never below 0) / best path total."""
    _, points = walk(case, choices)
    earned = {c: max(0, points.get(c, 0)) for c in case.competencies}
    total = sum(points.values())
    ratio = max(0.0, min(1.0, total / case.best_total)) if case.best_total > 0 else 0.0
    return CaseResult(earned=earned, maximum=dict(case.max_points), ratio=ratio)

"""Scoring a case-study run: points per competency against the best possible.

Runs are recorded by choice id, never by position, and each trainee sees the choices of a step
in an order of their own (``display_order``), so that no position carries a cue. A run that
contains a critical error (a choice marked ``critique``) is capped at the case's
``critical_cap`` share of the best path.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from course.case_studies import CaseStudy, Choice, Step


@dataclass(frozen=True)
class CaseResult:
    """Points earned per competency, the maxima, the overall share and any critical error."""

    earned: dict[str, int]
    maximum: dict[str, int]
    ratio: float
    #: The critical errors made in the run, in order (empty for most runs).
    critical: tuple[Choice, ...] = ()
    #: The share the run would have had without the cap (equal to ``ratio`` when not capped).
    uncapped: float = 0.0

    @property
    def capped(self) -> bool:
        """True when a critical error lowered the score."""
        return self.ratio < self.uncapped


def display_order(step: Step, seed: str) -> tuple[Choice, ...]:
    """The step's choices in the order one run shows them: stable for a seed, unrelated to the file.

    Each choice is ranked by a hash of (seed, step, choice id): a reload shows the same order,
    two runs with different seeds see unrelated orders, and moving a choice in the file changes
    nothing.
    """

    def rank(choice: Choice) -> str:
        return hashlib.sha256(f"{seed}\x1f{step.id}\x1f{choice.id}".encode()).hexdigest()

    return tuple(sorted(step.choices, key=rank))


def choice_token(seed: str, step_id: str, choice_id: str) -> str:
    """The opaque value a run's form posts for a choice.

    Choice ids name the step they lead to (« fin-abandon ») and the file order is the author's:
    the page shows neither. The server maps the token back with the run's secret seed.
    """
    return hashlib.sha256(f"token\x1f{seed}\x1f{step_id}\x1f{choice_id}".encode()).hexdigest()[:20]


def choice_for_token(step: Step, seed: str, token: str | None) -> Choice | None:
    """The choice of ``step`` whose token (for this run's seed) is ``token``, or None."""
    if not token:
        return None
    return next((c for c in step.choices if choice_token(seed, step.id, c.id) == token), None)


def walk(case: CaseStudy, choices: Sequence[str]) -> tuple[list[str], dict[str, int]]:
    """Follow choice ids from the start; return the steps visited and the raw points."""
    path, points, _ = _walk(case, choices)
    return path, points


def _walk(
    case: CaseStudy, choices: Sequence[str]
) -> tuple[list[str], dict[str, int], list[Choice]]:
    step = case.step(case.start)
    path = [step.id]
    points: dict[str, int] = {}
    made: list[Choice] = []
    for choice_id in choices:
        choice = step.choice_by_id(choice_id)
        if choice is None:
            raise KeyError(f"{step.id}: {choice_id}")
        made.append(choice)
        for competency, value in choice.points:
            points[competency] = points.get(competency, 0) + value
        step = case.step(choice.target)
        path.append(step.id)
    return path, points, made


def score(case: CaseStudy, choices: Sequence[str]) -> CaseResult:
    """Score a finished run: earned points (never below 0) / best path total, capped if critical."""
    _, points, made = _walk(case, choices)
    earned = {c: max(0, points.get(c, 0)) for c in case.competencies}
    total = sum(points.values())
    ratio = max(0.0, min(1.0, total / case.best_total)) if case.best_total > 0 else 0.0
    critical = tuple(c for c in made if c.critical)
    capped = min(ratio, case.critical_cap / 100) if critical else ratio
    return CaseResult(
        earned=earned,
        maximum=dict(case.max_points),
        ratio=capped,
        critical=critical,
        uncapped=ratio,
    )

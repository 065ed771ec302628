"""The cut score of a paper by the modified Angoff method, and the decision it leads to.

Each judge rated each item: the probability that a *minimally competent* candidate answers it
right. A judge's cut score for a paper is the sum of their ratings over the paper's items (the
score they expect of that candidate); the paper's cut score is the mean of the judges' cut
scores, i.e. the sum over the items of the mean rating. The spread between judges gives its
standard error (sd / sqrt(judges)). An item nobody rated counts for the blueprint's pass mark
(and the result says so). Per competency, the same sum over that competency's items is its
threshold; the competencies épreuve 1 decides must each reach theirs.

A candidate's score is a whole number of points: a threshold of 27.3 is reached with 28.
Pure: no Flask, no clock; plain data in, plain data out (stored as JSON with the attempt).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

#: Tolerance for comparing a whole score with a sum of ratings.
EPSILON = 1e-9


@dataclass(frozen=True)
class CutScore:
    """A paper's cut score and per-competency thresholds, with how they were derived."""

    #: Cut score in points (sum over the paper's items of the mean rating, or the fallback).
    points: float
    maximum: int
    #: Competency -> (threshold in points, items of that competency on the paper).
    per_competency: Mapping[str, tuple[float, int]] = field(default_factory=dict)
    #: The competencies that must each reach their threshold to pass.
    decisive: tuple[str, ...] = ()
    #: Each judge's cut score for this paper (their ratings summed; gaps filled by the mean).
    per_judge: tuple[float, ...] = ()
    #: Items of the paper without any rating: each counted for ``fallback``.
    unrated: tuple[str, ...] = ()
    fallback: float = 0.6
    #: True while the ratings are the authoring team's provisional estimates.
    provisional: bool = True
    #: "angoff" when at least one item is rated, else "pass_mark".
    method: str = "angoff"

    @property
    def ratio(self) -> float:
        """The cut score as a share of the maximum."""
        return self.points / self.maximum if self.maximum else 0.0

    @property
    def sd(self) -> float | None:
        """Standard deviation of the judges' cut scores (None below two judges)."""
        n = len(self.per_judge)
        if n < 2:
            return None
        mean = sum(self.per_judge) / n
        return math.sqrt(sum((x - mean) ** 2 for x in self.per_judge) / (n - 1))

    @property
    def standard_error(self) -> float | None:
        """Standard error of the cut score: sd / sqrt(judges) (None below two judges)."""
        sd = self.sd
        return None if sd is None else sd / math.sqrt(len(self.per_judge))

    def needed(self, points: float) -> int:
        """The whole number of points that reaches a threshold in points."""
        return max(0, math.ceil(points - EPSILON))

    def reached(self, per_competency: Mapping[str, Sequence[float]]) -> dict[str, bool]:
        """For each competency with a threshold: whether the candidate's points reach it."""
        result = {}
        for competency, (threshold, _items) in self.per_competency.items():
            got = per_competency.get(competency)
            points = float(got[0]) if got else 0.0
            result[competency] = points + EPSILON >= self.needed(threshold)
        return result

    def passed(self, points: float, per_competency: Mapping[str, Sequence[float]]) -> bool:
        """The overall cut score reached, and every decisive competency's threshold too."""
        reached = self.reached(per_competency)
        return points + EPSILON >= self.needed(self.points) and all(
            reached.get(c, True) for c in self.decisive
        )

    def to_json(self) -> dict[str, object]:
        """Plain data, stored with the attempt when its paper is drawn."""
        return {
            "points": self.points,
            "maximum": self.maximum,
            "per_competency": {c: [t, n] for c, (t, n) in sorted(self.per_competency.items())},
            "decisive": list(self.decisive),
            "per_judge": list(self.per_judge),
            "unrated": list(self.unrated),
            "fallback": self.fallback,
            "provisional": self.provisional,
            "method": self.method,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> CutScore:
        """Inverse of :meth:`to_json`."""
        per = data.get("per_competency") or {}
        assert isinstance(per, Mapping)
        judges = data.get("per_judge") or []
        unrated = data.get("unrated") or []
        decisive = data.get("decisive") or []
        assert isinstance(judges, list) and isinstance(unrated, list)
        assert isinstance(decisive, list)
        points = data["points"]
        maximum = data["maximum"]
        fallback = data.get("fallback", 0.6)
        assert isinstance(points, (int, float)) and isinstance(maximum, int)
        assert isinstance(fallback, (int, float))
        return cls(
            points=float(points),
            maximum=maximum,
            per_competency={str(c): (float(v[0]), int(v[1])) for c, v in per.items()},
            decisive=tuple(str(c) for c in decisive),
            per_judge=tuple(float(x) for x in judges),
            unrated=tuple(str(i) for i in unrated),
            fallback=float(fallback),
            provisional=bool(data.get("provisional", True)),
            method=str(data.get("method", "angoff")),
        )


def item_mean(ratings: Sequence[float | None]) -> float | None:
    """The mean of the judges who rated the item (None when nobody did)."""
    given = [r for r in ratings if r is not None]
    return sum(given) / len(given) if given else None


def cut_score(
    paper: Sequence[tuple[str, str]],
    ratings: Mapping[str, Sequence[float | None]],
    *,
    judges: int,
    fallback: float,
    decisive: Sequence[str] = (),
    provisional: bool = True,
) -> CutScore:
    """The cut score of a paper given as (item id, competency) pairs.

    A judge who did not rate an item is counted with the other judges' mean for it, so that
    every judge's cut score covers the same items.
    """
    total = 0.0
    per: dict[str, list[float]] = {}
    per_judge = [0.0] * judges
    unrated: list[str] = []
    for item_id, competency in paper:
        row = list(ratings.get(item_id, ()))
        mean = item_mean(row)
        if mean is None:
            unrated.append(item_id)
            value = fallback
            filled = [fallback] * judges
        else:
            value = mean
            filled = [mean if r is None else r for r in (row + [None] * judges)[:judges]]
        total += value
        slot = per.setdefault(competency, [0.0, 0])
        slot[0] += value
        slot[1] += 1
        for j in range(judges):
            per_judge[j] += filled[j]
    rated = len(paper) - len(unrated)
    return CutScore(
        points=total,
        maximum=len(paper),
        per_competency={c: (v[0], int(v[1])) for c, v in sorted(per.items())},
        decisive=tuple(c for c in decisive if c in per),
        per_judge=tuple(per_judge) if rated else (),
        unrated=tuple(unrated),
        fallback=fallback,
        provisional=provisional,
        method="angoff" if rated else "pass_mark",
    )


__all__ = ["EPSILON", "CutScore", "cut_score", "item_mean"]

"""What the result page and the grade comment say of an attempt's thresholds.

The cut score was fixed when the paper was drawn (``ExamAttempt.cut_score``); attempts drawn
before it have none and are judged by the blueprint's global pass mark.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from grading.standard import CutScore
from lti_tool.models.exam import ExamAttempt


@dataclass(frozen=True)
class CompetencyLine:
    """One competency of a result: points, its threshold (whole points) and whether reached."""

    competency: str
    points: float
    maximum: int
    needed: int | None
    reached: bool | None
    decisive: bool


@dataclass(frozen=True)
class AttemptStandard:
    """The standard an attempt was judged by, ready for display."""

    cut: CutScore | None
    #: Whole points needed overall (None: global pass mark of older attempts).
    needed: int | None
    lines: list[CompetencyLine]


def attempt_standard(attempt: ExamAttempt) -> AttemptStandard:
    """The attempt's cut score and per-competency lines (thresholds where there is a cut)."""
    per: dict[str, Any] = attempt.per_competency or {}
    cut = CutScore.from_json(attempt.cut_score) if attempt.cut_score else None
    reached = cut.reached(per) if cut else {}
    lines = []
    for competency, (points, maximum) in sorted(per.items()):
        threshold = cut.per_competency.get(competency) if cut else None
        lines.append(
            CompetencyLine(
                competency=competency,
                points=float(points),
                maximum=int(maximum),
                needed=cut.needed(threshold[0]) if cut and threshold else None,
                reached=reached.get(competency),
                decisive=bool(cut and competency in cut.decisive),
            )
        )
    return AttemptStandard(cut, cut.needed(cut.points) if cut else None, lines)


def grade_detail(attempt: ExamAttempt) -> str:
    """The per-competency part of the grade comment: points, threshold, reached or not."""
    standard = attempt_standard(attempt)
    parts = []
    for line in standard.lines:
        text = f"{line.competency} {line.points:g}/{line.maximum}"
        if line.needed is not None:
            verdict = "atteint" if line.reached else "non atteint"
            role = "décisif" if line.decisive else "indicatif"
            text += f" (seuil {line.needed}, {verdict}, {role})"
        parts.append(text)
    detail = ", ".join(parts)
    if standard.cut is not None:
        if standard.cut.method == "angoff":
            kind = "provisoire" if standard.cut.provisional else "validé"
            how = f"Angoff modifié, {kind}"
        else:
            how = f"{standard.cut.fallback:.0%} des points, aucun item noté".replace("%", " %")
        detail = f"seuil de la copie {standard.needed}/{standard.cut.maximum} ({how}) ; {detail}"
    return detail

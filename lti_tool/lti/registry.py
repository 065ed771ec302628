"""Registries the features fill: where a target opens, and what deep linking offers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class DeepLinkItem:
    """Something a trainer can place in the course."""

    kind: str
    id: str
    title: str
    text: str
    score_maximum: float | None
    group: str

    @property
    def target(self) -> str:
        """The custom parameter carried by the resource link: ``kind:id``."""
        return f"{self.kind}:{self.id}"


#: LTI Submission Review on every column the tool declares (deep linking, AGS): clicking a grade
#: in the gradebook launches the tool's view of that learner's work (LtiSubmissionReviewRequest).
SUBMISSION_REVIEW: dict[str, Any] = {
    "reviewableStatus": ["Submitted", "Completed"],
    "label": "Voir le travail dans l'outil",
}

#: kind -> endpoint name and the keyword receiving the id (None when the endpoint takes no id).
TARGET_ROUTES: dict[str, tuple[str, str | None]] = {}
#: Functions listing what deep linking offers.
DEEP_LINK_PROVIDERS: list[Callable[[], list[DeepLinkItem]]] = []
#: Called in the launch's transaction once its people and places are stored:
#: ``hook(resource link or None, user id, role, now)`` (flush only, never commit).
ON_LAUNCH: list[Callable[[Any, int, str, datetime], None]] = []

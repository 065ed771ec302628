"""Exam time rules: the server fixes the deadline at the start and judges every save."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

#: Tiers temps: one third of extra time, the default accommodation for a disability.
TIERS_TEMPS_PERCENT = 100.0 / 3.0


def deadline(started_at: datetime, duration_minutes: int, extra_time_percent: float) -> datetime:
    """Return start + duration x (1 + extra), rounded to the nearest second."""
    if extra_time_percent < 0:
        raise ValueError("extra_time_percent must be >= 0")
    seconds = duration_minutes * 60 * (1 + extra_time_percent / 100.0)
    return started_at + timedelta(seconds=round(seconds))


class SaveVerdict(Enum):
    """What the server does with an answer arriving at ``received_at``."""

    ACCEPTED = "accepted"
    ACCEPTED_IN_GRACE = "accepted_in_grace"
    REFUSED_LATE = "refused_late"


@dataclass(frozen=True)
class TimeRules:
    """Deadline and grace for one attempt."""

    deadline: datetime
    grace_seconds: int

    def verdict(self, received_at: datetime) -> SaveVerdict:
        """Judge a save: on time, in flight at the deadline (grace), or late."""
        if received_at <= self.deadline:
            return SaveVerdict.ACCEPTED
        if received_at <= self.deadline + timedelta(seconds=self.grace_seconds):
            return SaveVerdict.ACCEPTED_IN_GRACE
        return SaveVerdict.REFUSED_LATE

    def remaining_seconds(self, at: datetime) -> int:
        """Whole seconds left before the deadline (never negative)."""
        return max(0, int((self.deadline - at).total_seconds()))

    def is_overdue(self, at: datetime) -> bool:
        """True once the deadline and the grace have both passed."""
        return at > self.deadline + timedelta(seconds=self.grace_seconds)

    def finish_time(self, submitted_at: datetime) -> datetime:
        """The finish time stamped on the attempt: never after the deadline."""
        return min(submitted_at, self.deadline)

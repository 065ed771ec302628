"""Exam time rules: the server fixes the deadline at the start and judges every save."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

#: Tiers temps: one third of extra time, the default accommodation for a disability.
TIERS_TEMPS_PERCENT = 100.0 / 3.0

#: The grace covers a request already in flight when time runs out (network latency), never
#: new work: the default, and a ceiling no configuration or stored attempt can exceed. More
#: time is an accommodation (tiers temps), decided by a trainer and logged.
DEFAULT_GRACE_SECONDS = 10
MAX_GRACE_SECONDS = 30


def bounded_grace(grace_seconds: int) -> int:
    """The grace actually granted: between 0 and :data:`MAX_GRACE_SECONDS`."""
    return min(max(int(grace_seconds), 0), MAX_GRACE_SECONDS)


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

    @property
    def grace_ends(self) -> datetime:
        """The last moment a save in flight at the deadline is still accepted."""
        return self.deadline + timedelta(seconds=bounded_grace(self.grace_seconds))

    def verdict(self, received_at: datetime) -> SaveVerdict:
        """Judge a save: on time, in flight at the deadline (grace), or late."""
        if received_at <= self.deadline:
            return SaveVerdict.ACCEPTED
        if received_at <= self.grace_ends:
            return SaveVerdict.ACCEPTED_IN_GRACE
        return SaveVerdict.REFUSED_LATE

    def seconds_late(self, received_at: datetime) -> float:
        """How long after the deadline a save arrived (0 when on time)."""
        return max(0.0, (received_at - self.deadline).total_seconds())

    def is_over(self, at: datetime) -> bool:
        """True once the deadline has passed: no page opens, no new work starts."""
        return at > self.deadline

    def remaining_seconds(self, at: datetime) -> int:
        """Whole seconds left before the deadline (never negative)."""
        return max(0, int((self.deadline - at).total_seconds()))

    def is_overdue(self, at: datetime) -> bool:
        """True once the deadline and the grace have both passed."""
        return at > self.grace_ends

    def finish_time(self, submitted_at: datetime) -> datetime:
        """The finish time stamped on the attempt: never after the deadline."""
        return min(submitted_at, self.deadline)

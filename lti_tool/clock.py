"""The application's clock, injectable so tests never sleep."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from flask import current_app

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """Return the current time, timezone-aware UTC."""
    return datetime.now(UTC)


def now() -> datetime:
    """Return the current time from the application's clock (``app.config['CLOCK']``)."""
    clock: Clock = current_app.config.get("CLOCK") or system_clock
    return clock()


class FakeClock:
    """A clock for tests: starts at a fixed instant and moves only when told."""

    def __init__(self, start: datetime | None = None) -> None:
        self.current = start or datetime(2026, 11, 22, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.current

    def advance(self, **kwargs: float) -> datetime:
        """Move the clock forward by ``timedelta(**kwargs)`` and return the new time."""
        self.current = self.current + timedelta(**kwargs)
        return self.current

"""Per-platform quirks of the score service, as a registry (no if-chains in the sender)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Message = dict[str, Any]
Profile = Callable[[Message], Message | None]


def generic(message: Message) -> Message | None:
    """The standard message."""
    return message


def moodle(message: Message) -> Message | None:
    """Moodle empties the grade of anything but FullyGraded: send FullyGraded with the score."""
    message["gradingProgress"] = "FullyGraded"
    return message


def canvas(message: Message) -> Message | None:
    """Canvas: PendingManual is understood; the submission extension records the submission time."""
    submitted = (message.get("submission") or {}).get("submittedAt")
    if submitted:
        message["https://canvas.instructure.com/lti/submission"] = {
            "new_submission": True,
            "submitted_at": submitted,
        }
    return message


def brightspace(message: Message) -> Message | None:
    """Brightspace refuses scores above the maximum."""
    message["scoreGiven"] = min(message["scoreGiven"], message["scoreMaximum"])
    return message


def openedx(message: Message) -> Message | None:
    """Open edX ignores a score of 0: do not publish it."""
    return None if message.get("scoreGiven") == 0 else message


PROFILES: dict[str, Profile] = {
    "generic": generic,
    "sakai": generic,
    "moodle": moodle,
    "canvas": canvas,
    "brightspace": brightspace,
    "openedx": openedx,
}


def adapt(profile: str, message: Message) -> Message | None:
    """Apply the platform's profile (generic when unknown)."""
    return PROFILES.get(profile, generic)(message)

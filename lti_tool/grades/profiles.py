"""Per-platform quirks of the score service, as a registry (no if-chains in the sender)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Message = dict[str, Any]
CANVAS_SUBMISSION = "https://canvas.instructure.com/lti/submission"


class NotGradable(Exception):
    """The platform will not grade this person (reason shown to the trainer)."""


@dataclass(frozen=True)
class Recipient:
    """Who the score is for, as far as a profile needs to know."""

    role: str  # the tool's role in the course: trainee, trainer, admin


@dataclass(frozen=True)
class Profile:
    """What a platform accepts: a message rewrite (None: do not publish) and who is gradable."""

    name: str
    rewrite: Callable[[Message], Message | None] = field(default=lambda m: m)
    gradable_roles: frozenset[str] | None = None  # None: the platform decides (400 if not)


def _moodle(message: Message) -> Message | None:
    # Moodle keeps a grade only with FullyGraded; anything else becomes an empty grade,
    # so a provisional score is not sent as if it were final.
    if message["gradingProgress"] != "FullyGraded":
        message.pop("scoreGiven", None)
        message.pop("scoreMaximum", None)
    return message


def _canvas(message: Message) -> Message | None:
    # Canvas understands PendingManual; its extension records the real submission time.
    submitted = (message.get("submission") or {}).get("submittedAt")
    if submitted:
        message[CANVAS_SUBMISSION] = {"new_submission": True, "submitted_at": submitted}
    return message


def _brightspace(message: Message) -> Message | None:
    # Brightspace refuses scores above the maximum.
    if "scoreGiven" in message:
        message["scoreGiven"] = min(message["scoreGiven"], message["scoreMaximum"])
    return message


def _openedx(message: Message) -> Message | None:
    # Open edX ignores a score of 0 (and a 0 would hide "not attempted"): do not publish it.
    return None if message.get("scoreGiven") == 0 else message


PROFILES: dict[str, Profile] = {
    "generic": Profile("generic"),
    "sakai": Profile("sakai"),
    "moodle": Profile("moodle", _moodle),
    "canvas": Profile("canvas", _canvas),
    "brightspace": Profile("brightspace", _brightspace, frozenset({"trainee"})),
    "openedx": Profile("openedx", _openedx),
}


def profile_for(name: str) -> Profile:
    """The platform's profile (generic when unknown)."""
    return PROFILES.get(name, PROFILES["generic"])


def adapt(name: str, message: Message, recipient: Recipient | None = None) -> Message | None:
    """Rewrite ``message`` for the platform; None means "do not publish"; NotGradable refuses."""
    profile = profile_for(name)
    if (
        recipient is not None
        and profile.gradable_roles is not None
        and recipient.role not in profile.gradable_roles
    ):
        raise NotGradable(f"{profile.name} ne note que les stagiaires (rôle : {recipient.role})")
    return profile.rewrite(message)

"""The item bank and blueprint from ``course/``, adapted for drawing and display."""

from __future__ import annotations

from typing import Any

from lti_tool.exam.service import Bank

# Filled in below once the course loader is wired (see load_bank).


def current_bank() -> Bank:
    """The bank and blueprint the next paper is drawn from."""
    return _load()["bank"]  # type: ignore[no-any-return]


def pass_mark() -> float:
    """The blueprint's pass mark (share of points)."""
    return current_bank().pass_mark


def display_content() -> dict[str, Any]:
    """Rendered stems, propositions, explanations and vignettes by id."""
    return _load()["display"]  # type: ignore[no-any-return]


def _load() -> dict[str, Any]:
    raise NotImplementedError

"""The real course/ loads with zero errors and meets the volume the référentiel needs."""

from __future__ import annotations

from pathlib import Path

from course.loader import load_course

ROOT = Path(__file__).resolve().parents[2] / "course"


def test_real_course_has_no_errors():
    result = load_course(ROOT)
    assert [str(e) for e in result.errors] == []

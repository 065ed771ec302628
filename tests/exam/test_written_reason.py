"""One rule for a trainer's written reason (new attempt, reopening, incident note)."""

from __future__ import annotations

import pytest

from lti_tool.exam import accommodations, incidents, session
from lti_tool.exam.attempts import MIN_WRITTEN_REASON, ExamError, written_reason


def test_the_reason_is_kept_stripped_and_spaces_do_not_count():
    assert written_reason("  dix lettres  ", "c", "m") == "dix lettres"
    with pytest.raises(ExamError) as refused:
        written_reason(
            " " * 20 + "x" * (MIN_WRITTEN_REASON - 1) + "\n", "reason_required", "Trop court"
        )
    assert refused.value.code == "reason_required" and refused.value.message == "Trop court"
    assert refused.value.status == 400 and refused.value.final is False


@pytest.mark.parametrize(
    ("call", "code"),
    [
        (
            lambda: accommodations.reset_attempt(
                link=None, user_id=1, actor_id=2, reason=" court  ", now=None
            ),
            "reason_required",
        ),
        (
            lambda: session.reopen_for(
                link=None, user_id=1, actor_id=2, reason=" court  ", now=None
            ),
            "reason_required",
        ),
        (
            lambda: incidents.record_manual(
                link=None,
                user_id=1,
                actor_id=2,
                kind=next(iter(incidents.MANUAL_KINDS)),
                granted_seconds=0,
                note=" court  ",
                now=None,
            ),
            "note_required",
        ),
    ],
)
def test_every_written_reason_is_checked_before_anything_is_read(call, code):
    with pytest.raises(ExamError) as refused:
        call()
    assert refused.value.code == code and "10 caractères au moins" in refused.value.message

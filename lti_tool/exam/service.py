"""The exam's operations, one import away: start/resume, saving, submission and sweep,
accommodations and resets, each in its own module; the session closing is in session.py.

Services flush, never commit; the view commits once. The time is always passed in.
"""

from __future__ import annotations

from lti_tool.exam.accommodations import reset_attempt, set_accommodation
from lti_tool.exam.attempts import (
    ON_SUBMIT,
    Bank,
    ExamError,
    answers_of,
    append_event,
    attempts_allowed,
    content_version,
    extra_time_for,
    latest_attempt,
    lock_attempt,
    lock_latest,
    seconds_between,
    time_rules,
)
from lti_tool.exam.saving import (
    AttemptHead,
    PaperIndex,
    SaveResult,
    judge_save,
    paper_index,
    psycopg_sql,
    save_answer,
    store_answer,
)
from lti_tool.exam.starting import open_page, start_or_resume
from lti_tool.exam.submission import finalise_overdue, submit

__all__ = [
    "ON_SUBMIT",
    "AttemptHead",
    "Bank",
    "ExamError",
    "PaperIndex",
    "SaveResult",
    "answers_of",
    "append_event",
    "attempts_allowed",
    "content_version",
    "extra_time_for",
    "finalise_overdue",
    "judge_save",
    "latest_attempt",
    "lock_attempt",
    "lock_latest",
    "open_page",
    "paper_index",
    "psycopg_sql",
    "reset_attempt",
    "save_answer",
    "seconds_between",
    "set_accommodation",
    "start_or_resume",
    "store_answer",
    "submit",
    "time_rules",
]

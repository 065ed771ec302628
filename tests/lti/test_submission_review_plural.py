"""Submission Review of a module in progress: « 1 section vue », not « 1 sections vues ».

Seen in a real Moodle 4.4 (grader report › « Grade analysis » on a module opened once): the page
said « Module in progress: 1 sections seen. » (issue 15, points 6 and 14).
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lti_tool.extensions import db
from lti_tool.models import ModuleProgress, User
from tests.lti.platform import INSTRUCTOR, LEARNER


@pytest.mark.parametrize(
    ("seen", "locale", "expected"),
    [
        (["s1"], "fr", "Module en cours : 1 section vue."),
        (["s1", "s2"], "fr", "Module en cours : 2 sections vues."),
        (["s1"], "en", "Module in progress: 1 section seen."),
        (["s1", "s2"], "en", "Module in progress: 2 sections seen."),
    ],
)
def test_module_in_progress_counts_sections_with_plurals(lms, client, clock, seen, locale, expected):
    lms.full_launch(sub="learner-p", custom={"target": "module:m1"}, roles=[LEARNER])
    learner = db.session.scalar(select(User).where(User.sub == "learner-p"))
    db.session.add(
        ModuleProgress(
            context_id=1, user_id=learner.id, module_id="m1", started_at=clock(), sections_seen=seen
        )
    )
    db.session.commit()
    landing = lms.full_launch(
        sub="teacher-p",
        name="Tina Teacher",
        roles=[INSTRUCTOR],
        message_type="LtiSubmissionReviewRequest",
        custom={"target": "module:m1"},
        for_user={"user_id": "learner-p"},
        launch_presentation={"locale": locale},
    ).headers["Location"]
    html = client.get(landing).get_data(as_text=True)
    assert expected in html

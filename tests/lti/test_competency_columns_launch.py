"""The trainer's choice of C1..C7 columns comes back in each launch's custom parameters and is
kept on the activity (issue 15, point 3)."""

from __future__ import annotations

from sqlalchemy import select

from lti_tool.extensions import db
from lti_tool.models import ResourceLink


def test_competency_columns_flag_follows_the_custom_parameter(lms):
    lms.full_launch(custom={"target": "exam:certification", "competency_columns": "1"})
    link = db.session.scalar(select(ResourceLink))
    assert link.competency_columns is True
    lms.full_launch(custom={"target": "exam:certification"})
    db.session.refresh(link)
    assert link.competency_columns is False

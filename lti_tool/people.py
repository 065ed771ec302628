"""Who is in a course, as the tool knows them from launches (one query, shared by every feature)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lti_tool.extensions import db
from lti_tool.models.core import ROLE_TRAINEE, Enrollment


def trainees_of(context_id: int) -> list[Enrollment]:
    """The trainees (candidates) of a course who have launched the tool, in launch order.

    Their ``user`` is loaded with them, so a table of names costs one more query, not one per row.
    """
    return list(
        db.session.scalars(
            select(Enrollment)
            .where(Enrollment.context_id == context_id, Enrollment.role == ROLE_TRAINEE)
            .options(selectinload(Enrollment.user))
            .order_by(Enrollment.id)
        )
    )

"""Trainer view: each learner's grade per activity and its delivery status, with "resend"."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from lti_tool.clock import now
from lti_tool.extensions import db
from lti_tool.home.views import HUB_LINKS
from lti_tool.launch_session import current_launch, trainer_required
from lti_tool.models.core import Context, ResourceLink
from lti_tool.models.grades import FAILED, PENDING, SUPERSEDED, ScoreOutbox

bp = Blueprint("grades", __name__, url_prefix="/s/<lt>/notes")


@bp.get("/")
@trainer_required
def index() -> str:
    """Latest score per learner and column, with its delivery status."""
    launch = current_launch()
    rows = db.session.scalars(
        select(ScoreOutbox)
        .where(ScoreOutbox.context_id == launch.context_id, ScoreOutbox.state != SUPERSEDED)
        .order_by(ScoreOutbox.id.desc())
    ).all()
    latest: dict[tuple[int, str], ScoreOutbox] = {}
    for row in rows:
        latest.setdefault((row.user_id, row.column_key), row)
    links = {
        link.id: link
        for link in db.session.scalars(
            select(ResourceLink).where(ResourceLink.context_id == launch.context_id)
        )
    }
    ordered = sorted(latest.values(), key=lambda r: (r.label, r.user.display_name.lower()))
    # One table per activity (gradebook column), learners by name.
    activities: dict[str, list[ScoreOutbox]] = {}
    for row in ordered:
        activities.setdefault(row.column_key, []).append(row)
    groups = sorted(activities.values(), key=lambda rows: rows[0].label.lower())
    return render_template("grades/index.html", rows=ordered, groups=groups, links=links, now=now())


@bp.post("/renvoyer/<int:row_id>")
@trainer_required
def resend(row_id: int) -> Any:
    """Queue a failed (or waiting) score again, now."""
    launch = current_launch()
    row = db.session.get(ScoreOutbox, row_id)
    if row is None or row.context_id != launch.context_id:
        abort(404)
    if row.state in (FAILED, PENDING):
        row.state, row.next_attempt_at, row.last_error = PENDING, now(), None
        db.session.commit()
        flash(_("La note sera renvoyée dans quelques secondes."), "success")
    return redirect(url_for("grades.index"), code=303)


HUB_LINKS.append(("grades.index", "Notes envoyées au carnet de notes", True))


@bp.get("/participants")
@trainer_required
def participants() -> str:
    """The course members from the platform (NRPS) with each one's activity status."""
    from lti_tool.grades.roster import RosterUnavailable, roster

    launch = current_launch()
    context = db.session.get(Context, launch.context_id)
    if context is None:
        abort(404)
    error, members = None, []
    try:
        members = roster(context, now())
    except RosterUnavailable as problem:
        error = str(problem)
    db.session.commit()  # the access token, if one was fetched
    return render_template("grades/participants.html", members=members, error=error)


HUB_LINKS.append(("grades.participants", "Participants du cours et avancement", True))

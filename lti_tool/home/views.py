"""The landing page after a launch: what the activity delivers, or the course hub."""

from __future__ import annotations

from flask import Blueprint, render_template

from lti_tool.launch_session import current_launch, launch_required

bp = Blueprint("home", __name__, url_prefix="/s/<lt>")

#: Links shown on the hub, contributed by feature packages: (endpoint, label, trainer_only).
HUB_LINKS: list[tuple[str, str, bool]] = []


@bp.get("/")
@launch_required
def index() -> str:
    """Show the hub of the course for the launched user."""
    launch = current_launch()
    links = [link for link in HUB_LINKS if launch.is_trainer or not link[2]]
    return render_template("home/index.html", launch=launch, links=links)

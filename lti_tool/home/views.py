"""The landing page after a launch: what the activity delivers, or the course hub."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, current_app, redirect, render_template, url_for

from lti_tool.launch_session import current_launch, launch_required

bp = Blueprint("home", __name__, url_prefix="/s/<lt>")
#: Pages outside any launch: the root (what the tool is, how to register it) and the icon.
public = Blueprint("public", __name__)

#: Links shown on the hub, contributed by feature packages: (endpoint, label, trainer_only).
HUB_LINKS: list[tuple[str, str, bool]] = []
#: Trainer pages that belong to one activity of the course (the exam's monitoring, its item
#: analysis): ``provider(launch) -> [(url, label), ...]``, so that the hub reaches them too.
HUB_TRAINER_PAGES: list[Callable[[Any], list[tuple[str, str]]]] = []


@bp.get("/")
@launch_required
def index() -> str:
    """Show the hub of the course for the launched user."""
    launch = current_launch()
    links = [link for link in HUB_LINKS if launch.is_trainer or not link[2]]
    activity_pages = (
        [page for provider in HUB_TRAINER_PAGES for page in provider(launch)]
        if launch.is_trainer
        else []
    )
    return render_template(
        "home/index.html", launch=launch, links=links, activity_pages=activity_pages
    )


@public.get("/")
def root() -> str:
    """What the tool is and how an administrator registers it (the root used to answer 404)."""
    base = current_app.config["TOOL_BASE_URL"].rstrip("/")
    return render_template(
        "home/root.html", base=base, demo=bool(current_app.config.get("DEMO_PLATFORM"))
    )


@public.get("/favicon.ico")
def favicon() -> Any:
    """Browsers ask for /favicon.ico whatever the page says: the SVG icon."""
    return redirect(url_for("static", filename="favicon.svg"), code=301)

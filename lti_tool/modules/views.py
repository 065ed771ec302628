"""Training modules: course home by competency, module pages with knowledge checks, trainer table."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, url_for
from markupsafe import escape
from sqlalchemy import select

import course.render as typography
from course.modules import Module
from course.render import headings
from course.reviews import review_flags
from lti_tool.authoring import resolve
from lti_tool.clock import now
from lti_tool.content import course
from lti_tool.extensions import db
from lti_tool.home.views import HUB_LINKS
from lti_tool.launch_session import current_launch, launch_required, trainer_required
from lti_tool.lti.registry import DEEP_LINK_PROVIDERS, TARGET_ROUTES, DeepLinkItem
from lti_tool.models.core import ROLE_TRAINEE
from lti_tool.models.learning import ModuleProgress
from lti_tool.modules import service
from lti_tool.people import trainees_of
from lti_tool.rendering import rendered

bp = Blueprint("modules", __name__, url_prefix="/s/<lt>/modules")


@bp.app_template_filter("typeset")
def typeset_filter(text: str | None, lang: str = "fr") -> str:
    """French typography of plain content text a template shows (titles, choice labels).

    The Markdown renderer sets it in rendered content; this filter does the same for the front
    matter's text, escaped by the template as before (``typeset`` adds no markup).
    """
    return typography.typeset(text or "") if typography.is_french(lang) else (text or "")


@dataclass(frozen=True)
class PreviewAnswer:
    """A trainer's answer in preview: shown, never stored."""

    choices: list[str]
    correct: bool


def _module(module_id: str) -> Module:
    """The module for this launch: a file of course/, or the authored version the trainee
    started (the latest for a trainer or a newcomer)."""
    launch = current_launch()
    learner = None if launch.is_trainer else launch.user_id
    module, version, _content = resolve.module(launch.context, module_id, learner)
    if module is None:
        abort(404)
    g.module_version = version
    return module


@bp.get("/")
@launch_required
def index() -> str:
    """The modules by competency, with the trainee's progress."""
    launch = current_launch()
    modules = resolve.modules(launch.context)
    progress = {
        p.module_id: p
        for p in db.session.scalars(
            select(ModuleProgress).where(
                ModuleProgress.context_id == launch.context_id,
                ModuleProgress.user_id == launch.user_id,
            )
        )
    }
    by_competency: dict[str, list[Module]] = {}
    for module in modules:
        for competency in module.competencies[:1]:
            by_competency.setdefault(competency, []).append(module)
    done = sum(1 for m in modules if progress.get(m.id) and progress[m.id].completed_at)
    return render_template(
        "modules/index.html",
        groups=sorted(by_competency.items()),
        progress=progress,
        done=done,
        total=len(modules),
    )


@bp.get("/<module_id>")
@launch_required
def show(module_id: str) -> str:
    """A module page; trainers see it as a trainee would, without creating results."""
    launch = current_launch()
    module = _module(module_id)
    parts = rendered(module)
    toc = [h for part in parts if "html" in part for h in headings(part["html"])]
    progress = None
    answers = {}
    if launch.role == ROLE_TRAINEE:
        progress = service.visit(
            launch.context_id, launch.user_id, module, launch.resource_link_id, now()
        )
        if g.module_version is not None and progress.authored_version is None:
            progress.authored_version = g.module_version
        answers = service.answers_of(launch.context_id, launch.user_id, module.id)
        db.session.commit()
        parts = options_in_own_order(parts, launch.user_id)
    title, parts = title_first(module.title, parts)
    return render_template(
        "modules/show.html",
        module=module,
        title_html=title,
        parts=parts,
        toc=toc,
        progress=progress,
        answers=answers,
        preview=launch.is_trainer,
    )


def options_in_own_order(parts: list[dict[str, Any]], user_id: int) -> list[dict[str, Any]]:
    """Each question's propositions in an order of the trainee's own, the same at every visit.

    Authors write the right answer wherever it comes (in the shipped modules it was never the
    4th of four and the 2nd in 22 of 39): in file order its place is a cue. The order is seeded
    by the trainee and the question, so a page reloaded or revisited keeps it; answers are
    stored by the propositions' keys, never by their place, so nothing saved changes meaning.
    Trainers' previews and reviews keep the file's order (the answer key reads as written).
    """
    ordered = []
    for part in parts:
        if "question" in part:
            propositions = list(part["propositions"])
            # Not a secret: a fair order, not a security measure.
            random.Random(f"{user_id}:{part['question'].id}").shuffle(propositions)  # noqa: S311
            part = {**part, "propositions": propositions}
        ordered.append(part)
    return ordered


_LEADING_H1 = re.compile(r"^\s*(<h1\b[^>]*>.*?</h1>)", re.S)


def title_first(title: str, parts: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """The module's ``<h1>`` taken out of its first text part, to open the page.

    The Markdown starts with ``# Title``; rendered in place, the page's h1 came after the
    objectives and the table of contents. Without one, the front matter's title is used. Both
    are sanitised HTML, like every rendered part (course.render), shown with ``|safe``.
    """
    if parts and "html" in parts[0]:
        found = _LEADING_H1.match(str(parts[0]["html"]))
        if found:
            rest = dict(parts[0], html=str(parts[0]["html"])[found.end() :])
            return found.group(1), [rest, *parts[1:]]
    return f"<h1>{escape(title)}</h1>", parts


@bp.post("/<module_id>/section")
@launch_required
def section(module_id: str) -> Any:
    """Remember the section reached (sent by the page as the trainee scrolls)."""
    launch = current_launch()
    module = _module(module_id)
    if launch.role != ROLE_TRAINEE:
        return {"ok": True, "preview": True}
    progress = service.visit(
        launch.context_id, launch.user_id, module, launch.resource_link_id, now()
    )
    anchors = [a for part in rendered(module) if "html" in part for a, _ in headings(part["html"])]
    service.reach_section(
        progress, str((request.get_json(silent=True) or {}).get("anchor", "")), anchors
    )
    db.session.commit()
    return {"ok": True}


@bp.post("/<module_id>/question/<question_id>")
@launch_required
def answer(module_id: str, question_id: str) -> Any:
    """Answer a knowledge check; the page shows the feedback at once."""
    launch = current_launch()
    module = _module(module_id)
    question = next((q for q in module.questions if q.id == question_id), None)
    if question is None:
        abort(404)
    if launch.role == ROLE_TRAINEE:
        moment = now()
        progress = service.visit(
            launch.context_id, launch.user_id, module, launch.resource_link_id, moment
        )
        service.answer(
            launch.context_id,
            launch.user_id,
            module,
            question,
            request.form.getlist("choice"),
            moment,
        )
        service.try_complete(progress, module, moment)
        db.session.commit()
        return redirect(
            # The feedback's own anchor: the browser focuses it on arrival (no script needed).
            url_for("modules.show", module_id=module.id) + f"#fb-{question.id}",
            code=303,
        )
    # Preview: show the feedback without storing anything.
    title, parts = title_first(module.title, rendered(module))
    return render_template(
        "modules/show.html",
        module=module,
        title_html=title,
        parts=parts,
        toc=[],
        progress=None,
        preview=True,
        answers={
            question.id: PreviewAnswer(
                request.form.getlist("choice"),
                frozenset(request.form.getlist("choice")) == question.correct_keys,
            )
        },
    )


@bp.post("/<module_id>/fin")
@launch_required
def finish(module_id: str) -> Any:
    """The trainee read to the end; complete the module when every check was attempted."""
    launch = current_launch()
    module = _module(module_id)
    if launch.role == ROLE_TRAINEE:
        moment = now()
        progress = service.visit(
            launch.context_id, launch.user_id, module, launch.resource_link_id, moment
        )
        progress.read_to_end_at = progress.read_to_end_at or moment
        service.try_complete(progress, module, moment)
        db.session.commit()
    return redirect(url_for("modules.show", module_id=module.id) + "#fin", code=303)


@bp.get("/suivi")
@trainer_required
def cohort() -> str:
    """Progress per trainee per module, and the content a trainer must still confirm."""
    launch = current_launch()
    trainees = trainees_of(launch.context_id)
    rows = db.session.scalars(
        select(ModuleProgress).where(ModuleProgress.context_id == launch.context_id)
    ).all()
    table = {(r.user_id, r.module_id): r for r in rows}
    return render_template(
        "modules/cohort.html",
        modules=resolve.modules(launch.context),
        trainees=trainees,
        table=table,
        flags=review_flags(Path(current_app.config["COURSE_ROOT"])),
    )


def _deep_link_items() -> list[DeepLinkItem]:
    items = [
        DeepLinkItem(
            "course",
            "modules",
            "Tous les modules de formation",
            "Accueil des modules C1 à C7 avec la progression.",
            None,
            "Modules",
        )
    ]
    items += [
        DeepLinkItem(
            "module",
            m.id,
            m.title,
            f"{', '.join(m.competencies)} — {m.duration_minutes} min",
            100.0,
            "Modules",
        )
        for m in course().modules
    ]
    return items


TARGET_ROUTES["module"] = ("modules.show", "module_id")
TARGET_ROUTES["course"] = ("modules.index", None)
DEEP_LINK_PROVIDERS.append(_deep_link_items)
HUB_LINKS.insert(0, ("modules.index", "Modules de formation", False))
HUB_LINKS.append(("modules.cohort", "Progression des stagiaires dans les modules", True))

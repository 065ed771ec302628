"""Interactive case studies: one step at a time, choices recorded before the feedback."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, g, redirect, render_template, request, session, url_for
from sqlalchemy.exc import IntegrityError

from course.case_studies import CaseStudy
from grading.case_study import choice_for_token, choice_token, display_order, score
from lti_tool.authoring import resolve
from lti_tool.cases import service
from lti_tool.clock import now
from lti_tool.content import course
from lti_tool.extensions import db
from lti_tool.home.views import HUB_LINKS
from lti_tool.launch_session import current_launch, launch_required, trainer_required
from lti_tool.lti.registry import DEEP_LINK_PROVIDERS, TARGET_ROUTES, DeepLinkItem
from lti_tool.models.learning import CasePlay
from lti_tool.rendering import content_html

bp = Blueprint("cases", __name__, url_prefix="/s/<lt>/cas")


def _case(case_id: str, *, fresh: bool = False) -> CaseStudy:
    """The case study for this launch: a file of course/, or the authored version the
    trainee's run started on (``fresh``: the latest, for a new run)."""
    launch = current_launch()
    learner = None if launch.is_trainer else launch.user_id
    case, version, _content = resolve.case_study(launch.context, case_id, learner, fresh=fresh)
    if case is None:
        abort(404)
    g.case_version = version
    return case


@bp.get("/")
@launch_required
def index() -> str:
    """The case studies of the course."""
    return render_template("cases/index.html", cases=resolve.case_studies(current_launch().context))


@bp.get("/<case_id>")
@launch_required
def show(case_id: str) -> Any:
    """Introduction, the current step (resume), or the result."""
    case = _case(case_id)
    launch = current_launch()
    if launch.is_trainer:
        return render_template(
            "cases/intro.html",
            case=case,
            play=None,
            preview=True,
            critical=False,
            intro=content_html(case.introduction),
        )
    play = service.current_play(launch.context_id, launch.user_id, case.id)
    if play is not None and play.status == service.IN_PROGRESS:
        return redirect(url_for("cases.play", case_id=case.id))
    critical = play is not None and service.had_critical_error(case, play)
    return render_template(
        "cases/intro.html",
        case=case,
        play=play,
        critical=critical,
        preview=False,
        intro=content_html(case.introduction),
    )


@bp.post("/<case_id>/commencer")
@launch_required
def start(case_id: str) -> Any:
    """Start a run (practice: a new run each time; graded: only one)."""
    case = _case(case_id, fresh=True)
    launch = current_launch()
    if launch.is_trainer:
        session["case_preview"] = {"case": case.id, "choices": [], "seed": service.new_seed()}
        return redirect(url_for("cases.play", case_id=case.id), code=303)
    run = service.start(case, launch.context_id, launch.user_id, launch.resource_link_id, now())
    if g.case_version is not None and run.authored_version is None:
        run.authored_version = g.case_version  # a new run of an authored case: its version
    db.session.commit()
    if run.status != service.IN_PROGRESS:  # the graded run was already made
        return redirect(url_for("cases.show", case_id=case.id), code=303)
    return redirect(url_for("cases.play", case_id=case.id), code=303)


def _state(case: CaseStudy) -> tuple[CasePlay | None, list[str], str]:
    """The trainee's run, its choice ids and display seed, or the trainer's preview (run None)."""
    launch = current_launch()
    if launch.is_trainer:
        preview = session.get("case_preview") or {}
        if preview.get("case") != case.id:
            abort(409)
        choices = [str(c) for c in preview.get("choices", [])]
        try:
            service.follow(case, choices)
        except KeyError:  # a preview kept from an older version of the file: start again
            abort(409)
        return None, choices, str(preview.get("seed", ""))
    run = service.current_play(launch.context_id, launch.user_id, case.id)
    if run is None:
        abort(404)
    return run, service.made(case, service.choices_of(run)), service.seed_of(run)


@bp.get("/<case_id>/jouer")
@launch_required
def play(case_id: str) -> Any:
    """The current step, with the feedback of the previous choice announced."""
    case = _case(case_id)
    run, choices, seed = _state(case)
    where = service.follow(case, choices)
    result = None
    if where.step.is_ending:
        outcome = score(case, choices)
        result = {
            "outcome": outcome,
            # Each critical error of the run, with its feedback: the debriefing explains the cap.
            "critical": [(c, content_html(c.feedback)) for c in outcome.critical],
            "path": where.path,
            "best": list(case.best_path),
            "debrief": content_html(where.step.debrief or ""),
        }
    last_choice = where.last_choice
    return render_template(
        "cases/play.html",
        case=case,
        step=where.step,
        shown=display_order(where.step, seed),
        tokens={c.id: choice_token(seed, where.step.id, c.id) for c in where.step.choices},
        position=where.count,
        narrative=content_html(where.step.narrative),
        last_choice=last_choice,
        feedback=content_html(last_choice.feedback) if last_choice else "",
        result=result,
        preview=run is None,
        titles={s.id: s.title for s in case.steps},
    )


@bp.post("/<case_id>/choisir")
@launch_required
def choose(case_id: str) -> Any:
    """Record a choice (idempotent by position), then show its feedback with the next step."""
    case = _case(case_id)
    run, choices, seed = _state(case)
    at = request.form.get("position", type=int)
    # The form carries an opaque token: resolved against the step the run stands at (a token
    # from an older page matches nothing there, and changes nothing).
    chosen = choice_for_token(service.follow(case, choices).step, seed, request.form.get("choice"))
    choice_id = chosen.id if chosen else None
    if run is None and service.accepts(service.follow(case, choices), at, choice_id):
        session["case_preview"] = {"case": case.id, "choices": [*choices, choice_id], "seed": seed}
    else:
        try:
            recorded = run is not None and service.choose(case, run, at, choice_id, now())
        except IntegrityError:
            # The same choice arrived twice at once (a double click, two tabs): the other
            # request recorded it; this one changes nothing.
            recorded = False
        if not recorded:
            # A stale or double-submitted choice changes nothing: the current step is shown again.
            db.session.rollback()
            return redirect(url_for("cases.play", case_id=case.id), code=303)
    db.session.commit()
    return redirect(url_for("cases.play", case_id=case.id) + "#etape", code=303)


@bp.get("/<case_id>/cohorte")
@trainer_required
def cohort(case_id: str) -> str:
    """Distribution of the cohort's choices at each step, and each trainee's path."""
    case = _case(case_id)
    runs = service.cohort(case, current_launch().context_id, g.case_version)
    return render_template(
        "cases/cohort.html",
        case=case,
        counts=runs.counts,
        paths=runs.paths,
        critical=runs.critical,
        total=runs.total,
        titles={s.id: s.title for s in case.steps},
    )


def _deep_link_items() -> list[DeepLinkItem]:
    return [
        DeepLinkItem(
            "case",
            c.id,
            c.title,
            f"Étude de cas interactive ({', '.join(c.competencies)}), {c.duration_minutes} min",
            100.0,
            "Études de cas",
        )
        for c in course().case_studies
    ]


TARGET_ROUTES["case"] = ("cases.show", "case_id")
DEEP_LINK_PROVIDERS.append(_deep_link_items)
HUB_LINKS.append(("cases.index", "Études de cas interactives", False))

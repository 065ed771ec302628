"""Interactive case studies: one step at a time, choices recorded before the feedback."""

from __future__ import annotations

from collections import Counter
from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, session, url_for
from sqlalchemy import func, select

from course.case_studies import CaseStudy
from course.render import render_markdown
from grading.case_study import score
from lti_tool.clock import now
from lti_tool.content import course
from lti_tool.extensions import db
from lti_tool.grades.service import COMPLETED, publish_score
from lti_tool.home.views import HUB_LINKS
from lti_tool.launch_session import current_launch, launch_required, trainer_required
from lti_tool.lti.registry import DEEP_LINK_PROVIDERS, TARGET_ROUTES, DeepLinkItem
from lti_tool.models.core import ResourceLink
from lti_tool.models.learning import CaseChoice, CasePlay

bp = Blueprint("cases", __name__, url_prefix="/s/<lt>/cas")


def _case(case_id: str) -> CaseStudy:
    case = course().case_study(case_id)
    if case is None:
        abort(404)
    return case


def _current(case: CaseStudy) -> CasePlay | None:
    launch = current_launch()
    return db.session.scalar(
        select(CasePlay)
        .where(
            CasePlay.context_id == launch.context_id,
            CasePlay.user_id == launch.user_id,
            CasePlay.case_id == case.id,
        )
        .order_by(CasePlay.run_no.desc())
        .limit(1)
    )


def _choices(play: CasePlay) -> list[CaseChoice]:
    return list(
        db.session.scalars(
            select(CaseChoice).where(CaseChoice.play_id == play.id).order_by(CaseChoice.position)
        )
    )


@bp.get("/")
@launch_required
def index() -> str:
    """The case studies of the course."""
    return render_template("cases/index.html", cases=course().case_studies)


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
            intro=render_markdown(case.introduction),
        )
    play = _current(case)
    if play is not None and play.status == "in_progress":
        return redirect(url_for("cases.play", case_id=case.id))
    return render_template(
        "cases/intro.html",
        case=case,
        play=play,
        preview=False,
        intro=render_markdown(case.introduction),
    )


@bp.post("/<case_id>/commencer")
@launch_required
def start(case_id: str) -> Any:
    """Start a run (practice: a new run each time; graded: only one)."""
    case = _case(case_id)
    launch = current_launch()
    if launch.is_trainer:
        session["case_preview"] = {"case": case.id, "choices": []}
        return redirect(url_for("cases.play", case_id=case.id), code=303)
    play = _current(case)
    if play is not None and (play.status == "in_progress" or case.mode == "graded"):
        return redirect(
            url_for(
                "cases.play" if play.status == "in_progress" else "cases.show", case_id=case.id
            ),
            code=303,
        )
    db.session.add(
        CasePlay(
            context_id=launch.context_id,
            user_id=launch.user_id,
            case_id=case.id,
            resource_link_id=launch.resource_link_id,
            run_no=(play.run_no + 1) if play else 1,
            mode=case.mode,
            current_step=case.start,
            points={},
            status="in_progress",
            started_at=now(),
        )
    )
    db.session.commit()
    return redirect(url_for("cases.play", case_id=case.id), code=303)


def _state(case: CaseStudy) -> tuple[CasePlay | None, list[int]]:
    launch = current_launch()
    if launch.is_trainer:
        preview = session.get("case_preview") or {}
        if preview.get("case") != case.id:
            abort(409)
        return None, list(preview.get("choices", []))
    play = _current(case)
    if play is None:
        abort(404)
    return play, [c.choice_index for c in _choices(play)]


@bp.get("/<case_id>/jouer")
@launch_required
def play(case_id: str) -> Any:
    """The current step, with the feedback of the previous choice announced."""
    case = _case(case_id)
    run, choices = _state(case)
    steps: list[str] = [case.start]
    step = case.step(case.start)
    last_choice = None
    for index in choices:
        last_choice = step.choices[index]
        step = case.step(last_choice.target)
        steps.append(step.id)
    result = None
    if step.is_ending:
        outcome = score(case, choices)
        result = {
            "outcome": outcome,
            "path": steps,
            "best": list(case.best_path),
            "debrief": render_markdown(step.debrief or ""),
        }
    return render_template(
        "cases/play.html",
        case=case,
        step=step,
        position=len(choices),
        narrative=render_markdown(step.narrative),
        last_choice=last_choice,
        feedback=render_markdown(last_choice.feedback) if last_choice else "",
        result=result,
        preview=run is None,
        titles={s.id: s.title for s in case.steps},
    )


@bp.post("/<case_id>/choisir")
@launch_required
def choose(case_id: str) -> Any:
    """Record a choice (idempotent by position), then show its feedback with the next step."""
    case = _case(case_id)
    run, choices = _state(case)
    position = request.form.get("position", type=int)
    index = request.form.get("choice", type=int)
    step = case.step(case.start)
    for i in choices:
        step = case.step(step.choices[i].target)
    if (
        position != len(choices)
        or index is None
        or not 0 <= index < len(step.choices)
        or step.is_ending
    ):
        # A double-submitted or stale choice: nothing changes, the current step is shown again.
        return redirect(url_for("cases.play", case_id=case.id), code=303)
    target = step.choices[index].target
    if run is None:
        preview = session["case_preview"]
        session["case_preview"] = {"case": case.id, "choices": [*preview["choices"], index]}
        return redirect(url_for("cases.play", case_id=case.id) + "#etape", code=303)
    moment = now()
    db.session.add(
        CaseChoice(
            play_id=run.id,
            position=position,
            step_id=step.id,
            choice_index=index,
            target=target,
            chosen_at=moment,
        )
    )
    run.current_step = target
    all_choices = [*choices, index]
    if case.step(target).is_ending:
        outcome = score(case, all_choices)
        run.status, run.finished_at, run.score = "finished", moment, outcome.ratio
        run.points = outcome.earned
        link = db.session.get(ResourceLink, run.resource_link_id) if run.resource_link_id else None
        if link is not None and link.target == f"case:{case.id}":
            detail = ", ".join(
                f"{c} {outcome.earned.get(c, 0)}/{outcome.maximum.get(c, 0)}"
                for c in case.competencies
            )
            publish_score(
                user_id=run.user_id,
                link=link,
                score_given=round(outcome.ratio * 100, 2),
                score_maximum=100,
                activity_progress=COMPLETED,
                started_at=run.started_at,
                submitted_at=moment,
                comment=f"Étude de cas terminée : {detail}",
                now=moment,
            )
    db.session.commit()
    return redirect(url_for("cases.play", case_id=case.id) + "#etape", code=303)


@bp.get("/<case_id>/cohorte")
@trainer_required
def cohort(case_id: str) -> str:
    """Distribution of the cohort's choices at each step, and each trainee's path."""
    case = _case(case_id)
    launch = current_launch()
    plays = db.session.scalars(
        select(CasePlay)
        .where(CasePlay.context_id == launch.context_id, CasePlay.case_id == case.id)
        .order_by(CasePlay.id)
    ).all()
    counts: dict[str, Counter[int]] = {s.id: Counter() for s in case.steps}
    paths = []
    for run in plays:
        made = _choices(run)
        for choice in made:
            counts.setdefault(choice.step_id, Counter())[choice.choice_index] += 1
        paths.append((run, [case.start, *[c.target for c in made]]))
    total = db.session.scalar(
        select(func.count(CasePlay.id)).where(
            CasePlay.context_id == launch.context_id, CasePlay.case_id == case.id
        )
    )
    return render_template(
        "cases/cohort.html",
        case=case,
        counts=counts,
        paths=paths,
        total=total,
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

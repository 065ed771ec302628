"""Case-study runs: where a run stands, recording a choice, finishing and its grade, cohort figures.

Functions take the launch's ids and the time explicitly, flush and never commit; the views
commit once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from course.case_studies import CaseStudy, Choice, Step
from grading.case_study import CaseResult, score
from lti_tool.content import course
from lti_tool.extensions import db
from lti_tool.grades.service import COMPLETIONS, Completion, publish_completion
from lti_tool.models.learning import CaseChoice, CasePlay

IN_PROGRESS, FINISHED = "in_progress", "finished"


@dataclass(frozen=True)
class Position:
    """Where a sequence of choices leads: the steps visited, the current step, the last choice."""

    path: list[str]
    step: Step
    last_choice: Choice | None

    @property
    def count(self) -> int:
        """How many choices were made (the position the next choice must carry)."""
        return len(self.path) - 1


def follow(case: CaseStudy, choices: Sequence[int]) -> Position:
    """Follow choice indexes from the start step."""
    step = case.step(case.start)
    path = [step.id]
    last = None
    for index in choices:
        last = step.choices[index]
        step = case.step(last.target)
        path.append(step.id)
    return Position(path, step, last)


def accepts(position: Position, at: int | None, index: int | None) -> bool:
    """A choice is taken only for the current position, among the step's choices, before the end.

    A double-submitted or stale form (an older position) is not an error: nothing changes.
    """
    return (
        at == position.count
        and index is not None
        and not position.step.is_ending
        and 0 <= index < len(position.step.choices)
    )


def current_play(context_id: int, user_id: int, case_id: str) -> CasePlay | None:
    """The trainee's latest run of the case study, if any."""
    return db.session.scalar(
        select(CasePlay)
        .where(
            CasePlay.context_id == context_id,
            CasePlay.user_id == user_id,
            CasePlay.case_id == case_id,
        )
        .order_by(CasePlay.run_no.desc())
        .limit(1)
    )


def choices_of(play: CasePlay) -> list[CaseChoice]:
    """The choices recorded in a run, in order."""
    return list(
        db.session.scalars(
            select(CaseChoice).where(CaseChoice.play_id == play.id).order_by(CaseChoice.position)
        )
    )


def start(
    case: CaseStudy, context_id: int, user_id: int, link_id: int | None, now: datetime
) -> CasePlay:
    """The run to play: the one in progress, the graded run already made, or a new one (flush)."""
    play = current_play(context_id, user_id, case.id)
    if play is not None and (play.status == IN_PROGRESS or case.mode == "graded"):
        return play
    play = CasePlay(
        context_id=context_id,
        user_id=user_id,
        case_id=case.id,
        resource_link_id=link_id,
        run_no=(play.run_no + 1) if play else 1,
        mode=case.mode,
        current_step=case.start,
        points={},
        status=IN_PROGRESS,
        started_at=now,
    )
    db.session.add(play)
    db.session.flush()
    return play


def choose(
    case: CaseStudy, play: CasePlay, at: int | None, index: int | None, now: datetime
) -> bool:
    """Record a choice in the run (before any feedback is shown); finish it at an ending.

    Returns False, recording nothing, for a stale or double-submitted choice.
    """
    made = [c.choice_index for c in choices_of(play)]
    position = follow(case, made)
    if index is None or play.status != IN_PROGRESS or not accepts(position, at, index):
        return False
    target = position.step.choices[index].target
    db.session.add(
        CaseChoice(
            play_id=play.id,
            position=position.count,
            step_id=position.step.id,
            choice_index=index,
            target=target,
            chosen_at=now,
        )
    )
    play.current_step = target
    if case.step(target).is_ending:
        _finish(case, play, score(case, [*made, index]), now)
    db.session.flush()
    return True


def _finish(case: CaseStudy, play: CasePlay, outcome: CaseResult, now: datetime) -> None:
    """Close the run and queue its grade to every graded activity of this case study.

    Whatever link the run was started from (the course hub, the list of case studies): the
    grade goes to each activity of the course delivering this case study.
    """
    play.status, play.finished_at, play.score = FINISHED, now, outcome.ratio
    play.points = outcome.earned
    publish_completion(
        context_id=play.context_id,
        user_id=play.user_id,
        target=f"case:{case.id}",
        completion=_completion(case, play, outcome),
        now=now,
    )


def _completion(case: CaseStudy, play: CasePlay, outcome: CaseResult) -> Completion:
    detail = ", ".join(
        f"{c} {outcome.earned.get(c, 0)}/{outcome.maximum.get(c, 0)}" for c in case.competencies
    )
    return Completion(
        score_given=round(outcome.ratio * 100, 2),
        score_maximum=100,
        started_at=play.started_at,
        submitted_at=play.finished_at,
        comment=f"Étude de cas terminée : {detail}",
    )


def completion_of(context_id: int, user_id: int, case_id: str) -> Completion | None:
    """The trainee's latest finished run as a grade (for a graded activity opened afterwards)."""
    case = course().case_study(case_id)
    play = db.session.scalar(
        select(CasePlay)
        .where(
            CasePlay.context_id == context_id,
            CasePlay.user_id == user_id,
            CasePlay.case_id == case_id,
            CasePlay.status == FINISHED,
        )
        .order_by(CasePlay.run_no.desc())
        .limit(1)
    )
    if case is None or play is None:
        return None
    made = [c.choice_index for c in choices_of(play)]
    return _completion(case, play, score(case, made))


COMPLETIONS["case"] = completion_of


@dataclass(frozen=True)
class Cohort:
    """The cohort's runs of a case study: choices counted per step, and each run's path."""

    counts: dict[str, Counter[int]]
    paths: list[tuple[CasePlay, list[str]]]

    @property
    def total(self) -> int:
        """How many runs."""
        return len(self.paths)


def cohort(case: CaseStudy, context_id: int) -> Cohort:
    """Every run of the case study in the course, with its choices."""
    plays = db.session.scalars(
        select(CasePlay)
        .where(CasePlay.context_id == context_id, CasePlay.case_id == case.id)
        .order_by(CasePlay.id)
    ).all()
    counts: dict[str, Counter[int]] = {s.id: Counter() for s in case.steps}
    paths = []
    for play in plays:
        made = choices_of(play)
        for choice in made:
            counts.setdefault(choice.step_id, Counter())[choice.choice_index] += 1
        paths.append((play, [case.start, *[c.target for c in made]]))
    return Cohort(counts, paths)

"""Case-study runs: where a run stands, recording a choice, finishing and its grade, cohort figures.

Functions take the launch's ids and the time explicitly, flush and never commit; the views
commit once. A run records each choice by its id and has its own seed for the display order of
the choices (``grading.case_study.display_order``), so that no position carries a cue.
"""

from __future__ import annotations

import secrets
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


def follow(case: CaseStudy, choices: Sequence[str]) -> Position:
    """Follow choice ids from the start step."""
    step = case.step(case.start)
    path = [step.id]
    last = None
    for choice_id in choices:
        last = step.choice_by_id(choice_id)
        if last is None:
            raise KeyError(f"{step.id}: {choice_id}")
        step = case.step(last.target)
        path.append(step.id)
    return Position(path, step, last)


def accepts(position: Position, at: int | None, choice_id: str | None) -> bool:
    """A choice is taken only for the current position, among the step's choices, before the end.

    A double-submitted or stale form (an older position) is not an error: nothing changes.
    """
    return (
        at == position.count
        and choice_id is not None
        and not position.step.is_ending
        and position.step.choice_by_id(choice_id) is not None
    )


def new_seed() -> str:
    """A fresh random seed for a run's display order."""
    return secrets.token_hex(16)


def seed_of(play: CasePlay) -> str:
    """The run's display-order seed (runs made before seeds existed use their id)."""
    return play.seed or f"play-{play.id}"


def made(case: CaseStudy, rows: Sequence[CaseChoice]) -> list[str]:
    """The choice ids of recorded choices (older rows, without an id, by their file position)."""
    ids = []
    for row in rows:
        if row.choice_id:
            ids.append(row.choice_id)
        else:
            ids.append(case.step(row.step_id).choices[row.choice_index].id)
    return ids


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
        seed=new_seed(),
    )
    db.session.add(play)
    db.session.flush()
    return play


def choose(
    case: CaseStudy, play: CasePlay, at: int | None, choice_id: str | None, now: datetime
) -> bool:
    """Record a choice by its id (before any feedback is shown); finish the run at an ending.

    Returns False, recording nothing, for a stale, unknown or double-submitted choice.
    """
    before = made(case, choices_of(play))
    position = follow(case, before)
    if choice_id is None or play.status != IN_PROGRESS or not accepts(position, at, choice_id):
        return False
    choice = position.step.choice_by_id(choice_id)
    assert choice is not None  # accepts() checked it
    db.session.add(
        CaseChoice(
            play_id=play.id,
            position=position.count,
            step_id=position.step.id,
            choice_index=position.step.choices.index(choice),
            choice_id=choice.id,
            target=choice.target,
            chosen_at=now,
        )
    )
    play.current_step = choice.target
    if case.step(choice.target).is_ending:
        _finish(case, play, score(case, [*before, choice.id]), now)
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
    comment = f"Étude de cas terminée : {detail}"
    if outcome.critical:
        comment += (
            f" — erreur critique : score plafonné à {case.critical_cap} % "
            f"({', '.join(c.label for c in outcome.critical)})"
        )
    return Completion(
        score_given=round(outcome.ratio * 100, 2),
        score_maximum=100,
        started_at=play.started_at,
        submitted_at=play.finished_at,
        comment=comment,
    )


def completion_of(context_id: int, user_id: int, case_id: str) -> Completion | None:
    """The trainee's latest finished run as a grade (for a graded activity opened afterwards)."""
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
    if play is None:
        return None
    case = course().case_study(case_id)
    if case is None and play.authored_version is not None:
        from lti_tool.authoring.resolve import authored_case  # noqa: PLC0415 (feature above)

        case = authored_case(context_id, case_id, play.authored_version)
    if case is None:
        return None
    return _completion(case, play, score(case, made(case, choices_of(play))))


COMPLETIONS["case"] = completion_of


def had_critical_error(case: CaseStudy, play: CasePlay) -> bool:
    """True when the run contains a choice marked as a critical error."""
    step = case.step(case.start)
    for choice_id in made(case, choices_of(play)):
        choice = step.choice_by_id(choice_id)
        if choice is None:
            return False  # the file changed since: nothing to say
        if choice.critical:
            return True
        step = case.step(choice.target)
    return False


@dataclass(frozen=True)
class Cohort:
    """The cohort's runs of a case study: choices counted per step, and each run's path."""

    #: Per step, how many runs took each choice (by choice id).
    counts: dict[str, Counter[str]]
    paths: list[tuple[CasePlay, list[str]]]
    #: Ids of the runs that contain a critical error.
    critical: set[int]

    @property
    def total(self) -> int:
        """How many runs."""
        return len(self.paths)


def cohort(case: CaseStudy, context_id: int, version: int | None = None) -> Cohort:
    """Every run of the case study in the course, with its choices (of one authored version)."""
    query = select(CasePlay).where(CasePlay.context_id == context_id, CasePlay.case_id == case.id)
    if version is not None:
        query = query.where(CasePlay.authored_version == version)
    plays = db.session.scalars(query.order_by(CasePlay.id)).all()
    counts: dict[str, Counter[str]] = {s.id: Counter() for s in case.steps}
    paths = []
    critical: set[int] = set()
    critical_ids = {(s.id, c.id): c.critical for s in case.steps for c in s.choices}
    for play in plays:
        rows = choices_of(play)
        for row, choice_id in zip(rows, made(case, rows), strict=True):
            counts.setdefault(row.step_id, Counter())[choice_id] += 1
            chosen = critical_ids.get((row.step_id, choice_id))
            if chosen:
                critical.add(play.id)
        paths.append((play, [case.start, *[c.target for c in rows]]))
    return Cohort(counts, paths, critical)

"""Trainees' progress in modules: visits, knowledge checks, completion and its grade."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select

from course.modules import Module
from course.questions import Question
from lti_tool.extensions import db
from lti_tool.grades.service import COMPLETIONS, Completion, publish_completion
from lti_tool.models.learning import CheckAnswer, ModuleProgress


def progress_of(context_id: int, user_id: int, module_id: str) -> ModuleProgress | None:
    """The trainee's progress in a module, if started."""
    return db.session.scalar(
        select(ModuleProgress).where(
            ModuleProgress.context_id == context_id,
            ModuleProgress.user_id == user_id,
            ModuleProgress.module_id == module_id,
        )
    )


def visit(
    context_id: int, user_id: int, module: Module, link_id: int | None, now: datetime
) -> ModuleProgress:
    """Record that the trainee opened the module (flush)."""
    progress = progress_of(context_id, user_id, module.id)
    if progress is None:
        progress = ModuleProgress(
            context_id=context_id,
            user_id=user_id,
            module_id=module.id,
            resource_link_id=link_id,
            started_at=now,
            sections_seen=[],
        )
        db.session.add(progress)
    elif link_id and not progress.resource_link_id:
        progress.resource_link_id = link_id
    db.session.flush()
    return progress


def reach_section(progress: ModuleProgress, anchor: str, anchors: Sequence[str]) -> None:
    """Remember the last section reached, to resume there."""
    if anchor not in anchors:
        return
    progress.last_section = anchor
    if anchor not in (progress.sections_seen or []):
        progress.sections_seen = [*(progress.sections_seen or []), anchor]


def answer(
    context_id: int,
    user_id: int,
    module: Module,
    question: Question,
    choices: Sequence[str],
    now: datetime,
) -> CheckAnswer:
    """Store the trainee's answer to a knowledge check; the first try is what counts."""
    picked = sorted(set(choices) & {p.key for p in question.propositions})
    correct = bool(picked) and frozenset(picked) == question.correct_keys
    row = db.session.scalar(
        select(CheckAnswer).where(
            CheckAnswer.context_id == context_id,
            CheckAnswer.user_id == user_id,
            CheckAnswer.module_id == module.id,
            CheckAnswer.question_id == question.id,
        )
    )
    if row is None:
        row = CheckAnswer(
            context_id=context_id,
            user_id=user_id,
            module_id=module.id,
            question_id=question.id,
            choices=picked,
            correct=correct,
            first_correct=correct,
            attempts=1,
            answered_at=now,
        )
        db.session.add(row)
    else:
        row.choices, row.correct, row.attempts, row.answered_at = (
            picked,
            correct,
            row.attempts + 1,
            now,
        )
    db.session.flush()
    return row


def answers_of(context_id: int, user_id: int, module_id: str) -> dict[str, CheckAnswer]:
    """The trainee's answers in a module by question id."""
    rows = db.session.scalars(
        select(CheckAnswer).where(
            CheckAnswer.context_id == context_id,
            CheckAnswer.user_id == user_id,
            CheckAnswer.module_id == module_id,
        )
    )
    return {row.question_id: row for row in rows}


def try_complete(progress: ModuleProgress, module: Module, now: datetime) -> bool:
    """Complete the module once read to the end with every check attempted; queue its grade."""
    if progress.completed_at is not None or progress.read_to_end_at is None:
        return False
    answers = answers_of(progress.context_id, progress.user_id, module.id)
    questions = module.questions
    if any(q.id not in answers for q in questions):
        return False
    score = (
        sum(1 for q in questions if answers[q.id].first_correct) / len(questions)
        if questions
        else 1.0
    )
    progress.completed_at, progress.score = now, score
    # To every graded activity of the course delivering this module, whatever link the trainee
    # came through (« Tous les modules » first, then the module's own activity: no grade was
    # sent, the progress keeping the first link).
    publish_completion(
        context_id=progress.context_id,
        user_id=progress.user_id,
        target=f"module:{module.id}",
        completion=_completion(progress),
        now=now,
    )
    return True


def _completion(progress: ModuleProgress) -> Completion:
    score = progress.score or 0.0
    return Completion(
        score_given=round(score * 100, 2),
        score_maximum=100,
        started_at=progress.started_at,
        submitted_at=progress.completed_at,
        comment=f"Module terminé ; questions réussies du premier coup : {round(score * 100)} %",
    )


def completion_of(context_id: int, user_id: int, module_id: str) -> Completion | None:
    """The trainee's completed module as a grade (for a graded activity opened afterwards)."""
    progress = progress_of(context_id, user_id, module_id)
    if progress is None or progress.completed_at is None:
        return None
    return _completion(progress)


COMPLETIONS["module"] = completion_of

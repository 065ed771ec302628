"""One source of truth for a learner's status in each activity of a course (issue 15, point 13).

The roster (participants page) used to build statuses from the gradebook outbox alone: a learner
with 1 of 7 modules graded showed « terminé, note transmise », and one who had started modules
without a grade yet showed « non commencé » while the module progress page said « en cours ».
Here every activity placed in the course (its resource links: module, case study, exam, dossier)
gets its state from the activity's own records — the same ones its trainer page reads — and the
gradebook only adds whether the grade reached the platform.
"""

from __future__ import annotations

from sqlalchemy import select

from lti_tool.extensions import db
from lti_tool.grades.roster import (
    DONE,
    GRADE_DELIVERED,
    IN_PROGRESS,
    NOT_STARTED,
    ActivityStatus,
)
from lti_tool.grades.service import COMPLETIONS, is_graded
from lti_tool.models.core import ResourceLink
from lti_tool.models.dossier import ChecklistEntry, DossierUpload
from lti_tool.models.exam import STATUS_SUBMITTED, ExamAttempt
from lti_tool.models.grades import DELIVERED, FAILED, SUPERSEDED, ScoreOutbox
from lti_tool.models.learning import CasePlay, ModuleProgress

#: Kinds of content a learner progresses through (competency pages and the hub are not).
TRACKED_KINDS = ("module", "case", "exam", "dossier")
FINISHED_PLAY = "finished"
FINISHED_PROGRESS = ("Completed", "Submitted")


def course_activities(context_id: int) -> list[tuple[str, str, list[ResourceLink]]]:
    """``(target, title, links)`` for each content placed in the course, in placement order."""
    by_target: dict[str, list[ResourceLink]] = {}
    for link in db.session.scalars(
        select(ResourceLink).where(ResourceLink.context_id == context_id).order_by(ResourceLink.id)
    ):
        target = link.target or ""
        if target.split(":", 1)[0] in TRACKED_KINDS:
            by_target.setdefault(target, []).append(link)
    return [(target, links[0].title or target, links) for target, links in by_target.items()]


def learning_states(
    context_id: int, user_ids: list[int], activities: list[tuple[str, str, list[ResourceLink]]]
) -> dict[tuple[int, str], str]:
    """``(user id, target) -> not_started | in_progress | done`` from each activity's records."""
    states: dict[tuple[int, str], str] = {}
    if not user_ids:
        return states
    for row in db.session.scalars(
        select(ModuleProgress).where(
            ModuleProgress.context_id == context_id, ModuleProgress.user_id.in_(user_ids)
        )
    ):
        states[(row.user_id, f"module:{row.module_id}")] = (
            DONE if row.completed_at is not None else IN_PROGRESS
        )
    for play in db.session.scalars(
        select(CasePlay).where(CasePlay.context_id == context_id, CasePlay.user_id.in_(user_ids))
    ):
        key = (play.user_id, f"case:{play.case_id}")
        if play.status == FINISHED_PLAY or states.get(key) == DONE:
            states[key] = DONE
        else:
            states[key] = IN_PROGRESS
    link_target = {link.id: target for target, _, links in activities for link in links}
    exam_links = [i for i, t in link_target.items() if t.startswith("exam:")]
    if exam_links:
        latest: dict[tuple[int, str], ExamAttempt] = {}
        for attempt in db.session.scalars(
            select(ExamAttempt)
            .where(ExamAttempt.resource_link_id.in_(exam_links), ExamAttempt.user_id.in_(user_ids))
            .order_by(ExamAttempt.attempt_no)
        ):
            latest[(attempt.user_id, link_target[attempt.resource_link_id])] = attempt
        for key, attempt in latest.items():
            states[key] = DONE if attempt.status == STATUS_SUBMITTED else IN_PROGRESS
    dossier_targets = [t for t, _, _ in activities if t.startswith("dossier:")]
    if dossier_targets:
        started = set(
            db.session.scalars(
                select(ChecklistEntry.user_id).where(
                    ChecklistEntry.context_id == context_id, ChecklistEntry.user_id.in_(user_ids)
                )
            )
        ) | set(
            db.session.scalars(
                select(DossierUpload.user_id).where(
                    DossierUpload.context_id == context_id, DossierUpload.user_id.in_(user_ids)
                )
            )
        )
        complete = COMPLETIONS.get("dossier")
        for user_id in started:
            done = complete is not None and complete(context_id, user_id, "") is not None
            for target in dossier_targets:
                states[(user_id, target)] = DONE if done else IN_PROGRESS
    return states


def activity_statuses(context_id: int, user_ids: list[int]) -> dict[int, list[ActivityStatus]]:
    """Every learner's status in every activity of the course (roster provider).

    ``delivered`` when the activity is done and the grade of each of its graded placements
    reached the gradebook; a grade waiting or refused is told in the detail.
    """
    activities = course_activities(context_id)
    states = learning_states(context_id, user_ids, activities)
    graded = {link.id for _, _, links in activities for link in links if is_graded(link)}
    outbox: dict[tuple[int, int], ScoreOutbox] = {}
    if graded and user_ids:
        for row in db.session.scalars(
            select(ScoreOutbox)
            .where(
                ScoreOutbox.context_id == context_id,
                ScoreOutbox.user_id.in_(user_ids),
                ScoreOutbox.resource_link_id.in_(graded),
                ScoreOutbox.state != SUPERSEDED,
                ScoreOutbox.tag.is_(None),
            )
            .order_by(ScoreOutbox.id.desc())
        ):
            outbox.setdefault((row.user_id, row.resource_link_id or 0), row)
    out: dict[int, list[ActivityStatus]] = {}
    for user_id in user_ids:
        for target, title, links in activities:
            state = states.get((user_id, target), NOT_STARTED)
            detail = None
            rows = [outbox.get((user_id, link.id)) for link in links if link.id in graded]
            if any(r is not None and r.activity_progress in FINISHED_PROGRESS for r in rows):
                state = DONE  # a completion grade is only produced from a finished record
            if state == DONE:
                if rows and all(r is not None and r.state == DELIVERED for r in rows):
                    state = GRADE_DELIVERED
                elif any(r is not None and r.state == FAILED for r in rows):
                    failed = next(r for r in rows if r is not None and r.state == FAILED)
                    detail = f"note non transmise : {failed.last_error}"
                elif rows:
                    detail = "note en attente d'envoi"
            out.setdefault(user_id, []).append(ActivityStatus(title, state, detail))
    return out

"""A graded activity created after the learner completed its content gets the grade at launch."""

from __future__ import annotations

from sqlalchemy import select

from lti_tool.cases import service as cases
from lti_tool.content import course
from lti_tool.extensions import db
from lti_tool.lti.validation import AGS
from lti_tool.models import Context, ResourceLink, User
from lti_tool.models.grades import ScoreOutbox
from lti_tool.models.learning import ModuleProgress
from tests.lti.platform import INSTRUCTOR


def graded(target: str, link_id: str) -> dict:
    """Claims of a launch from a graded activity delivering ``target``."""
    return {
        "resource_link": {"id": link_id, "title": "Activité notée"},
        "custom": {"target": target},
        AGS: {
            "scope": ["https://purl.imsglobal.org/spec/lti-ags/scope/score"],
            "lineitem": f"https://lms.example.org/li/{link_id}",
            "lineitems": "https://lms.example.org/li",
        },
    }


def learner_and_course() -> tuple[User, Context]:
    return db.session.scalar(select(User)), db.session.scalar(select(Context))


def scores() -> list[ScoreOutbox]:
    db.session.expire_all()
    return list(db.session.scalars(select(ScoreOutbox).order_by(ScoreOutbox.id)))


def test_a_module_completed_earlier_is_graded_when_its_new_activity_is_launched(lms, clock):
    assert lms.full_launch().status_code == 303  # the course hub
    user, context = learner_and_course()
    module = course().modules[0]
    db.session.add(
        ModuleProgress(
            context_id=context.id,
            user_id=user.id,
            module_id=module.id,
            started_at=clock(),
            sections_seen=[],
            read_to_end_at=clock(),
            completed_at=clock(),
            score=0.75,
        )
    )
    db.session.commit()
    assert scores() == []  # no graded activity of this module yet: nothing to send
    assert lms.full_launch(**graded(f"module:{module.id}", "rl-new-module")).status_code == 303
    [row] = scores()
    assert row.score_given == 75 and row.user_id == user.id
    assert (
        db.session.get(ResourceLink, row.resource_link_id).lti_resource_link_id == "rl-new-module"
    )
    # Launched again: the column already holds the learner's grade, nothing new is queued.
    assert lms.full_launch(**graded(f"module:{module.id}", "rl-new-module")).status_code == 303
    assert len(scores()) == 1
    # Another module, not completed: nothing; a trainer launch: nothing.
    other = course().modules[1]
    lms.full_launch(**graded(f"module:{other.id}", "rl-other"))
    lms.full_launch(roles=[INSTRUCTOR], **graded(f"module:{module.id}", "rl-third"))
    assert len(scores()) == 1


def test_a_case_study_finished_earlier_is_graded_when_its_new_activity_is_launched(lms, clock):
    assert lms.full_launch().status_code == 303
    user, context = learner_and_course()
    case = course().case_studies[0]
    play = cases.start(case, context.id, user.id, None, clock())
    step = case.step(case.start)
    position = 0
    while not step.is_ending:
        assert cases.choose(case, play, position, step.choices[0].id, clock())
        step = case.step(play.current_step)
        position += 1
    db.session.commit()
    assert play.status == cases.FINISHED and scores() == []
    assert lms.full_launch(**graded(f"case:{case.id}", "rl-new-case")).status_code == 303
    [row] = scores()
    assert row.score_given == round((play.score or 0) * 100, 2)
    assert "Étude de cas terminée" in (row.comment or "")

"""LTI Submission Review (issue 15, point 6): registration declares the message, the tool's line
items carry submissionReview, and a trainer's review launch opens the learner's work with the
trainer pages' access rules."""

from __future__ import annotations

from sqlalchemy import select

from lti_tool.extensions import db
from lti_tool.lti.registration import tool_configuration
from lti_tool.models import ModuleProgress, User
from tests.grades.test_outbox import moodle  # noqa: F401  (fixture)
from tests.lti.platform import INSTRUCTOR, LEARNER

REVIEW = "LtiSubmissionReviewRequest"


def test_registration_declares_the_submission_review_message(app):
    with app.test_request_context("/"):
        config = tool_configuration()
    messages = config["https://purl.imsglobal.org/spec/lti-tool-configuration"]["messages"]
    assert REVIEW in [m["type"] for m in messages]


def review(lms, client, for_user, target, roles=(INSTRUCTOR,), sub="teacher-1"):
    response = lms.full_launch(
        sub=sub,
        name="Tina Teacher",
        roles=list(roles),
        message_type=REVIEW,
        custom={"target": target},
        for_user={"user_id": for_user},
    )
    return response


def test_a_trainer_clicking_a_grade_sees_the_learners_module(lms, client, clock):
    lms.full_launch(sub="learner-1", custom={"target": "module:m1"}, roles=[LEARNER])
    learner = db.session.scalar(select(User).where(User.sub == "learner-1"))
    db.session.add(
        ModuleProgress(
            context_id=1, user_id=learner.id, module_id="m1", started_at=clock(),
            completed_at=clock(), score=0.75,
        )
    )
    db.session.commit()
    response = review(lms, client, "learner-1", "module:m1")
    assert response.status_code == 303 and "/revue?pour=learner-1" in response.headers["Location"]
    page = client.get(response.headers["Location"])
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Travail de Claire Martin" in html and "Module terminé" in html and "75 %" in html


def test_exam_review_and_unknown_learner(lms, client):
    lms.full_launch(sub="learner-2", custom={"target": "exam:certification"}, roles=[LEARNER])
    ok = client.get(review(lms, client, "learner-2", "exam:certification").headers["Location"])
    assert ok.status_code == 200 and "Aucune tentative" in ok.get_data(as_text=True)
    missing = review(lms, client, "nobody", "exam:certification").headers["Location"]
    assert client.get(missing).status_code == 404


def test_a_learner_cannot_use_a_review_launch(lms, client):
    lms.full_launch(sub="learner-3", custom={"target": "exam:certification"}, roles=[LEARNER])
    response = review(lms, client, "learner-3", "exam:certification", roles=(LEARNER,), sub="learner-4")
    assert client.get(response.headers["Location"]).status_code == 403


def test_a_review_launch_without_for_user_is_refused(lms):
    response = lms.full_launch(message_type=REVIEW, roles=[INSTRUCTOR], custom={"target": "exam:certification"})
    assert response.status_code == 400


def test_line_items_the_tool_creates_declare_submission_review(moodle, launch, clock):  # noqa: F811
    from lti_tool.grades import sender
    from tests.grades.test_outbox import queue

    learner = launch("trainee", sub="l-sr", target="case:c1", resource_link="rl-sr")
    learner.resource_link.lineitems_url = "https://lms.example.org/li"
    db.session.commit()
    queue(learner, clock, 5)
    sender.send_due(clock())
    created = moodle.lineitems[-1]
    assert created["submissionReview"]["reviewableStatus"] == ["Submitted", "Completed"]


def test_dossier_review_opens_the_trainers_view_of_the_candidate(lms, client):
    lms.full_launch(sub="learner-5", custom={"target": "dossier:checklist"}, roles=[LEARNER])
    learner = db.session.scalar(select(User).where(User.sub == "learner-5"))
    landing = review(lms, client, "learner-5", "dossier:checklist").headers["Location"]
    opened = client.get(landing)
    assert opened.status_code == 302
    assert opened.headers["Location"].endswith(f"/dossier/candidats/{learner.id}")
    assert client.get(opened.headers["Location"]).status_code == 200

"""Launch tokens (issue 13, point 12): a relaunch with another role ends the older sessions.

Signed launches, with launch sessions in the database and in Redis (the ``lms`` fixture runs
each test with both stores).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from lti_tool.launch_session import load_launch, token_from_path
from tests.lti.platform import INSTRUCTOR, LEARNER

MENTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Mentor"


def _token(response):
    assert response.status_code == 303, response.get_data(as_text=True)
    return token_from_path(urlsplit(response.headers["Location"]).path)


def _trainer_page(client, token):
    return client.get(f"/s/{token}/dossier/candidats").status_code


def test_relaunched_as_a_learner_the_earlier_trainer_token_is_dead(lms, later):
    trainer = _token(lms.full_launch(roles=[INSTRUCTOR]))
    assert _trainer_page(lms.client, trainer) == 200
    later(minutes=1)
    learner = _token(lms.full_launch(roles=[LEARNER]))
    assert _trainer_page(lms.client, trainer) == 401
    assert lms.client.get(f"/s/{trainer}/").status_code == 401
    assert load_launch(trainer) is None
    assert load_launch(learner).role == "trainee"
    assert lms.client.get(f"/s/{learner}/").status_code == 200


def test_a_launch_without_course_rights_ends_the_earlier_sessions(lms):
    trainer = _token(lms.full_launch(roles=[INSTRUCTOR]))
    assert lms.full_launch(roles=[MENTOR]).status_code == 403
    assert _trainer_page(lms.client, trainer) == 401


def test_a_relaunch_with_the_same_role_keeps_the_other_tabs(lms):
    first = _token(lms.full_launch(roles=[LEARNER]))
    second = _token(lms.full_launch(roles=[LEARNER], resource_link={"id": "rl-2"}))
    assert lms.client.get(f"/s/{first}/").status_code == 200
    assert lms.client.get(f"/s/{second}/").status_code == 200


def test_other_people_and_other_courses_keep_their_sessions(lms):
    trainer = _token(lms.full_launch(roles=[INSTRUCTOR]))
    other_course = lms.full_launch(roles=[LEARNER], context={"id": "course-2", "title": "B"})
    other_person = lms.full_launch(roles=[LEARNER], sub="user-456")
    _token(other_course), _token(other_person)
    assert _trainer_page(lms.client, trainer) == 200

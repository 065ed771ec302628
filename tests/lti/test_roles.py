"""Roles (issue 13, point 3): only the person's role in the course makes a trainer.

The whole table of lti_tool/lti/roles.py, then signed launches (database and Redis stores) for
the three launches that reached the trainers' pages before: a learner who teaches elsewhere
(Canvas's institution role), a mentor, and ``membership/Learner#Instructor``.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from lti_tool.extensions import db
from lti_tool.launch_session import load_launch, token_from_path
from lti_tool.lti.roles import CONTEXT_SUB_ROLES, map_roles
from lti_tool.models import Enrollment, LaunchSession, User

M = "http://purl.imsglobal.org/vocab/lis/v2/membership"
INST = "http://purl.imsglobal.org/vocab/lis/v2/institution/person"
SYS = "http://purl.imsglobal.org/vocab/lis/v2/system/person"
LEARNER, INSTRUCTOR, MENTOR = f"{M}#Learner", f"{M}#Instructor", f"{M}#Mentor"

GRANTS = {
    "Administrator": "admin",
    "ContentDeveloper": "trainer",
    "Instructor": "trainer",
    "Learner": "trainee",
    "Manager": "none",
    "Member": "none",
    "Mentor": "none",
    "Officer": "none",
}

#: Every principal context role: full URI, simple name (LTI 1.3 A.2.3), every sub-role.
VOCABULARY = [
    pytest.param([role], grant, id=role.replace("http://purl.imsglobal.org/vocab/lis/v2/", ""))
    for principal, grant in GRANTS.items()
    for role in (
        f"{M}#{principal}",
        principal,
        *(f"{M}/{principal}#{sub}" for sub in CONTEXT_SUB_ROLES[principal]),
    )
]

CASES = [
    # The three launches: none of them is a trainer.
    ([LEARNER, f"{INST}#Instructor"], "trainee"),
    ([MENTOR], "none"),
    ([f"{M}/Learner#Instructor"], "trainee"),
    # Institution and system roles alone give no course rights.
    ([f"{INST}#Instructor"], "none"),
    ([f"{INST}#Administrator"], "none"),
    ([f"{INST}#Faculty", f"{INST}#Staff"], "none"),
    ([f"{SYS}#Administrator", f"{SYS}#SysAdmin", f"{SYS}#User"], "none"),
    (["http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator"], "none"),
    ([], "none"),
    # Exact URIs only: nothing is guessed from the last word.
    (["http://example.org/unknown#Instructor"], "none"),
    (["https://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"], "none"),
    (["urn:lti:role:ims/lis/Instructor"], "none"),
    ([f"{M}/Instructor"], "none"),
    ([f"{M}#Instructor#Learner"], "none"),
    ([f"{M}/Mentor#Instructor"], "none"),
    (["instructor"], "none"),
    (["TeachingAssistant"], "none"),  # a sub-role has no simple name
    # Learner and a trainer role in the same course: least privilege, the learner.
    ([LEARNER, INSTRUCTOR], "trainee"),
    ([INSTRUCTOR, LEARNER], "trainee"),
    ([f"{M}#Administrator", "Learner"], "trainee"),
    ([f"{M}/Instructor#TeachingAssistant", f"{M}/Learner#GuestLearner"], "trainee"),
    # Other combinations.
    ([MENTOR, INSTRUCTOR], "trainer"),
    ([MENTOR, LEARNER], "trainee"),
    ([f"{M}#Administrator", INSTRUCTOR], "admin"),
    ([f"{M}#ContentDeveloper", f"{INST}#Administrator"], "trainer"),
    # What platforms send (Canvas student, Canvas TA, Moodle site administrator teaching).
    ([f"{INST}#Student", LEARNER, f"{SYS}#User"], "trainee"),
    ([f"{INST}#Instructor", f"{M}/Instructor#TeachingAssistant", f"{SYS}#User"], "trainer"),
    ([f"{INST}#Administrator", INSTRUCTOR, f"{SYS}#Administrator"], "trainer"),
    ([None, 3, {"role": INSTRUCTOR}, LEARNER], "trainee"),
]


@pytest.mark.parametrize(("roles", "expected"), VOCABULARY)
def test_every_context_role_of_the_vocabulary(roles, expected):
    assert map_roles(roles) == expected


@pytest.mark.parametrize(("roles", "expected"), CASES)
def test_role_combinations(roles, expected):
    assert map_roles(roles) == expected


def _token(response):
    return token_from_path(urlsplit(response.headers["Location"]).path)


def _trainer_page(client, token):
    """Every candidate's dossier: a trainer page."""
    return client.get(f"/s/{token}/dossier/candidats").status_code


def test_an_instructor_launch_opens_the_trainer_pages(lms):
    response = lms.full_launch(roles=[f"{INST}#Student", INSTRUCTOR])
    token = _token(response)
    assert load_launch(token).role == "trainer"
    assert _trainer_page(lms.client, token) == 200


@pytest.mark.parametrize(
    "roles",
    [[LEARNER, f"{INST}#Instructor"], [f"{M}/Learner#Instructor"], [LEARNER, INSTRUCTOR]],
    ids=["learner-teaching-elsewhere", "learner-sub-role-instructor", "learner-and-instructor"],
)
def test_learner_launches_never_reach_trainer_pages(lms, roles):
    response = lms.full_launch(roles=roles)
    assert response.status_code == 303
    token = _token(response)
    assert load_launch(token).role == "trainee"
    assert lms.client.get(f"/s/{token}/").status_code == 200
    assert _trainer_page(lms.client, token) == 403
    assert db.session.scalar(select(Enrollment.role)) == "trainee"


@pytest.mark.parametrize(
    "roles",
    [[MENTOR], [f"{M}/Mentor#Tutor", f"{INST}#Instructor"], [f"{INST}#Instructor"], []],
    ids=["mentor", "tutor-teaching-elsewhere", "institution-instructor-only", "no-role"],
)
def test_launches_without_course_rights_get_a_french_page_and_nothing_else(lms, roles):
    response = lms.full_launch(roles=roles)
    body = response.get_data(as_text=True)
    assert response.status_code == 403, body
    assert "Votre rôle dans ce cours ne donne accès à aucune page de cet outil." in body
    assert "no_course_role" in body and "Traceback" not in body
    assert "Location" not in response.headers
    # Nothing kept of a person who has no business here, and no session to use.
    assert db.session.scalar(select(func.count()).select_from(User)) == 0
    assert db.session.scalar(select(func.count()).select_from(LaunchSession)) == 0


def test_a_refusal_for_lack_of_course_role_speaks_the_launch_s_language(lms):
    """The launch is valid and says English: its refusal is in English, not always in French."""
    response = lms.full_launch(roles=[MENTOR], launch_presentation={"locale": "en-GB"})
    body = response.get_data(as_text=True)
    assert response.status_code == 403, body
    assert "Your role in this course gives access to no page of this tool." in body
    assert 'lang="en"' in body
    assert "Votre rôle dans ce cours" not in body

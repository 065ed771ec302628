"""Trainers see the platform's members (NRPS, paginated) with each one's activity status."""

from __future__ import annotations

import pytest

from lti_tool.extensions import db
from lti_tool.grades import roster, sender
from lti_tool.grades.roster import ACTIVITY_STATUS_PROVIDERS, ActivityStatus
from tests.grades.fake_lms import FakeMoodle
from tests.grades.test_outbox import PEM, queue

MEMBERSHIPS = "https://lms.example.org/nrps/course-1/memberships"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
MEMBERSHIP_VOCAB = "http://purl.imsglobal.org/vocab/lis/v2/membership"


@pytest.fixture()
def moodle(monkeypatch):
    fake = FakeMoodle()
    fake.members = [
        {"user_id": "l-1", "name": "Alice Martin", "email": "alice@x.invalid", "roles": [LEARNER]},
        {"user_id": "l-2", "given_name": "Bruno", "family_name": "Petit", "roles": [LEARNER]},
        {"user_id": "l-3", "roles": [LEARNER]},  # name and email withheld
        {"user_id": "l-4", "name": "Chloé Never", "roles": [LEARNER]},
        {"user_id": "t-1", "name": "Tom Trainer", "roles": [INSTRUCTOR]},
        {"name": "no id, ignored"},
    ]
    fake.page_size = 2
    monkeypatch.setattr(sender, "HTTP", [fake])
    monkeypatch.setattr("lti_tool.lti.keys.signing_key", lambda: ("kid-1", PEM))
    return fake


@pytest.fixture()
def trainer(launch):
    t = launch("trainer", sub="t-1", target="exam:x", lineitem_url="https://lms.example.org/li/x")
    t.context.memberships_url = MEMBERSHIPS
    db.session.commit()
    return t


def test_roster_follows_pages_and_merges_statuses(moodle, trainer, launch, clock, client):
    alice = launch("trainee", sub="l-1", target="exam:x")
    bruno = launch("trainee", sub="l-2", target="exam:x")
    launch("trainee", sub="l-3", target="exam:x")
    queue(alice, clock, 70)
    sender.send_due(clock())

    def module_progress(context_id, user_ids):
        return {bruno.user.id: [ActivityStatus("Module C1", "in_progress")]}

    ACTIVITY_STATUS_PROVIDERS.append(module_progress)
    try:
        members = {m.sub: m for m in roster.roster(trainer.context, clock())}
        page = client.get(trainer.url("/notes/participants")).get_data(as_text=True)
    finally:
        ACTIVITY_STATUS_PROVIDERS.remove(module_progress)
    assert set(members) == {"l-1", "l-2", "l-3", "l-4", "t-1"}  # 3 pages followed
    assert members["l-1"].overall == "delivered"
    assert members["l-2"].display_name == "Bruno Petit" and members["l-2"].overall == "in_progress"
    assert members["l-3"].overall == "not_started" and members["l-3"].email is None
    assert members["l-4"].user_id is None
    assert not members["t-1"].is_learner
    assert "Participant sans nom" in page and "terminé, note transmise" in page
    assert "Module C1 : en cours" in page and "jamais venu" in page
    assert any("contextmembership.readonly" in s for s in moodle.token_scopes)


def test_roster_unavailable_is_explained(moodle, launch, client):
    t = launch("trainer", sub="t-1", target="exam:x")  # no memberships URL in the launch
    page = client.get(t.url("/notes/participants"))
    assert page.status_code == 200
    assert "pas ouvert la liste des participants" in page.get_data(as_text=True)


def test_activity_states_follow_the_page_language(moodle, trainer, launch, clock, client):
    from lti_tool.models import LaunchSession

    bruno = launch("trainee", sub="l-2", target="exam:x")

    def module_progress(context_id, user_ids):
        return {bruno.user.id: [ActivityStatus("Module C1", "in_progress")]}

    db.session.query(LaunchSession).update({"locale": "en"})
    db.session.commit()
    ACTIVITY_STATUS_PROVIDERS.append(module_progress)
    try:
        page = client.get(trainer.url("/notes/participants")).get_data(as_text=True)
    finally:
        ACTIVITY_STATUS_PROVIDERS.remove(module_progress)
    assert "Module C1 : in progress" in page and "en cours" not in page


@pytest.mark.parametrize(
    ("roles", "learner", "label"),
    [
        ([f"{MEMBERSHIP_VOCAB}/Learner#GuestLearner"], True, "stagiaire"),
        # A Learner sub-role despite its last word (LTI 1.3 Core A.2.3.1).
        ([f"{MEMBERSHIP_VOCAB}/Learner#Instructor"], True, "stagiaire"),
        (["Learner"], True, "stagiaire"),
        ([f"{MEMBERSHIP_VOCAB}/Instructor#TeachingAssistant"], False, "formateur"),
        ([f"{MEMBERSHIP_VOCAB}#Mentor"], False, "sans accès à l'outil"),
        # A misspelt URI is never guessed from its last word.
        (["urn:example:whatever#Learner"], False, "sans accès à l'outil"),
    ],
)
def test_roster_reads_roles_with_the_launch_table(
    moodle, trainer, clock, client, roles, learner, label
):
    moodle.members = [{"user_id": "x-1", "name": "Xavier Rôle", "roles": roles}]
    members = {m.sub: m for m in roster.roster(trainer.context, clock())}
    assert members["x-1"].is_learner is learner
    page = client.get(trainer.url("/notes/participants")).get_data(as_text=True)
    row = page.split("Xavier Rôle", 1)[1].split("</tr>", 1)[0]
    assert f"<td>{label}</td>" in row

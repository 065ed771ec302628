"""One status per learner and activity, from the activity's own records (issue 15, point 13):
1 module of 7 done is « en cours », never « terminé, note transmise »; a learner who started a
module is « en cours » on the roster as on the module progress page."""

from __future__ import annotations

from sqlalchemy import select

from lti_tool.extensions import db
from lti_tool.grades import roster, sender
from lti_tool.models.learning import ModuleProgress
from tests.grades.test_outbox import queue
from tests.grades.test_roster import MEMBERSHIPS, moodle  # noqa: F401  (fixture)

MODULES = [f"m{n}" for n in range(1, 8)]


def place_modules(launch, sub, role="trainee"):
    """The learner launches each of the 7 graded module activities; the last launch returned."""
    launched = {}
    for module in MODULES:
        launched[module] = launch(
            role, sub=sub, target=f"module:{module}", lineitem_url=f"https://lms.example.org/li/{module}"
        )
    return launched


def progress(learner, module, clock, completed):
    db.session.add(
        ModuleProgress(
            context_id=learner.context.id,
            user_id=learner.user.id,
            module_id=module,
            started_at=clock(),
            completed_at=clock() if completed else None,
            score=1.0 if completed else None,
        )
    )
    db.session.commit()


def test_one_module_of_seven_is_in_progress_not_delivered(moodle, launch, clock, client):  # noqa: F811
    trainer = place_modules(launch, "t-1", role="trainer")["m1"]
    trainer.context.memberships_url = MEMBERSHIPS
    db.session.commit()
    alice = place_modules(launch, "l-1")
    bruno = place_modules(launch, "l-2")
    progress(alice["m1"], "m1", clock, completed=True)
    queue(alice["m1"], clock, 100)
    sender.send_due(clock())
    progress(bruno["m2"], "m2", clock, completed=False)  # started, no grade yet

    members = {m.sub: m for m in roster.roster(trainer.context, clock())}
    alice_states = {a.activity: a.state for a in members["l-1"].activities}
    assert len(alice_states) == 7
    assert alice_states["module:m1"] == "delivered"
    assert list(alice_states.values()).count("not_started") == 6
    assert members["l-1"].overall == "in_progress"
    bruno_states = {a.activity: a.state for a in members["l-2"].activities}
    assert bruno_states["module:m2"] == "in_progress"
    assert members["l-2"].overall == "in_progress"
    assert members["l-3"].overall == "not_started"

    page = client.get(trainer.url("/notes/participants")).get_data(as_text=True)
    alice_row = page[page.index("Alice Martin") :].split("</tr>")[0]
    assert "<td>en cours</td>" in alice_row
    assert "module:m1 : terminé, note transmise" in alice_row


def test_all_modules_done_and_delivered(moodle, launch, clock):  # noqa: F811
    trainer = place_modules(launch, "t-1", role="trainer")["m1"]
    trainer.context.memberships_url = MEMBERSHIPS
    db.session.commit()
    alice = place_modules(launch, "l-1")
    for module in MODULES:
        progress(alice[module], module, clock, completed=True)
        queue(alice[module], clock, 100)
    sender.send_due(clock())
    members = {m.sub: m for m in roster.roster(trainer.context, clock())}
    assert members["l-1"].overall == "delivered"
    assert db.session.scalar(select(ModuleProgress.id).limit(1)) is not None

"""No grade lost: completing content publishes to every graded activity delivering it (issue 13).

Whatever link the learner came through (« Tous les modules », the course hub, another
placement), each graded activity of the course that delivers the content gets the grade; the
same grade saved again is not sent again, and no score is stamped in the future.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from lti_tool.content import course
from lti_tool.extensions import db
from lti_tool.grades import sender
from lti_tool.models.grades import ScoreOutbox
from lti_tool.models.learning import ModuleProgress
from tests.integration.test_case_player import CASE, best_choices, choose, real_case
from tests.integration.test_dossier_web import upload
from tests.integration.test_modules import MODULE
from tests.unit.dossier_fixtures import as_markdown, sections

GRADED = "https://lms.example.org/li/"


@pytest.fixture()
def small_course(app, tmp_path):
    """The one-module course of ``test_modules`` (its module has two knowledge checks)."""
    from tests.unit.test_course_parser import MODULE as TEXT

    folder = tmp_path / "course" / "modules" / "c1"
    folder.mkdir(parents=True)
    (folder / "index.md").write_text(
        TEXT.replace("## Durée", "## Durée\n\nTexte.\n\n## Les trois phases"), encoding="utf-8"
    )
    app.config["COURSE_ROOT"] = str(tmp_path / "course")


def rows() -> list[ScoreOutbox]:
    db.session.expire_all()
    return list(db.session.scalars(select(ScoreOutbox).order_by(ScoreOutbox.id)))


@pytest.mark.usefixtures("small_course")
def test_module_started_from_all_modules_and_completed_from_its_graded_activity(client, launch):
    hub = launch("trainee", sub="t-1", target="course:modules", lineitem_url=None)
    client.get(hub.url(f"/modules/{MODULE}"))  # the progress keeps the hub's link
    client.post(hub.url(f"/modules/{MODULE}/question/duree-max"), data={"choice": "b"})
    graded = launch("trainee", sub="t-1", target=f"module:{MODULE}", lineitem_url=GRADED + "m")
    # The same module placed a second time as a graded activity, and once without gradebook.
    second = launch(
        "trainee",
        sub="t-1",
        target=f"module:{MODULE}",
        resource_link="rl-module-again",
        lineitem_url=GRADED + "m2",
    )
    launch("trainee", sub="t-1", target=f"module:{MODULE}", resource_link="rl-ungraded")
    client.post(graded.url(f"/modules/{MODULE}/question/phases"), data={"choice": ["a", "b"]})
    client.post(graded.url(f"/modules/{MODULE}/fin"))
    progress = db.session.scalar(select(ModuleProgress))
    assert progress.completed_at is not None
    assert progress.resource_link_id == hub.resource_link.id  # unchanged: completion is once
    queued = rows()
    assert {r.resource_link_id for r in queued} == {
        graded.resource_link.id,
        second.resource_link.id,
    }
    assert {r.score_given for r in queued} == {100.0}


@pytest.mark.usefixtures("small_course")
def test_module_completed_through_the_hub_alone_still_reaches_its_graded_activity(client, launch):
    graded = launch("trainee", sub="t-1", target=f"module:{MODULE}", lineitem_url=GRADED + "m")
    hub = launch("trainee", sub="t-1")  # the course hub: no resource link at all
    assert hub.resource_link is None
    client.post(hub.url(f"/modules/{MODULE}/question/duree-max"), data={"choice": "a"})
    client.post(hub.url(f"/modules/{MODULE}/question/phases"), data={"choice": ["a", "b"]})
    client.post(hub.url(f"/modules/{MODULE}/fin"))
    [row] = rows()
    assert row.resource_link_id == graded.resource_link.id and row.score_given == 50


def test_case_study_started_from_the_hub_and_finished_from_its_graded_activity(client, launch):
    case = real_case()
    best = best_choices(case)
    hub = launch("trainee", sub="t-1", target="course:modules")
    assert client.post(hub.url(f"/cas/{CASE}/commencer")).status_code == 303
    choose(client, hub, 0, best[0])
    graded = launch("trainee", sub="t-1", target=f"case:{CASE}", lineitem_url=GRADED + "case")
    for position, index in enumerate(best[1:], start=1):
        choose(client, graded, position, index)
    [row] = rows()
    assert row.resource_link_id == graded.resource_link.id and row.score_given == 100
    assert row.activity_progress == "Completed" and "Étude de cas terminée" in row.comment


def test_ten_identical_checklist_saves_send_one_grade_never_stamped_in_the_future(
    client, launch, clock, dossier_guide, monkeypatch
):
    candidate = launch(
        "trainee", sub="cand", target="dossier:checklist", lineitem_url=GRADED + "dossier"
    )
    upload(client, candidate, as_markdown(sections()), name="d.md")
    form = {f"check-{i.id}": "on" for i in course().dossier.items}
    for _ in range(10):
        client.post(candidate.url("/dossier/checklist"), data=form)
    [row] = rows()
    assert row.timestamp <= clock() and row.next_attempt_at <= clock()
    assert db.session.scalar(select(func.count(ScoreOutbox.id))) == 1
    # One grade reaches the gradebook, stamped no later than when it is sent.
    from tests.grades.fake_lms import FakeMoodle

    moodle = FakeMoodle()
    monkeypatch.setattr(sender, "HTTP", [moodle])
    from lti_tool.lti.keys import generate_private_pem

    pem = generate_private_pem()
    monkeypatch.setattr("lti_tool.lti.keys.signing_key", lambda: ("kid-1", pem))
    sender.send_due(clock())
    [posted] = moodle.score_posts
    assert posted["timestamp"] <= clock().isoformat(timespec="milliseconds").replace("+00:00", "Z")
    # Unticking an item changes nothing in the gradebook (completion is what is graded); ticking
    # it again is the same grade: still one.
    client.post(candidate.url("/dossier/checklist"), data={})
    client.post(candidate.url("/dossier/checklist"), data=form)
    assert db.session.scalar(select(func.count(ScoreOutbox.id))) == 1

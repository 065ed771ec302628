"""The dossier service on its own: the checklist, completion to the gradebook, deletion."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from lti_tool.content import course
from lti_tool.dossier import service
from lti_tool.extensions import db
from lti_tool.models.dossier import DossierAccess
from lti_tool.models.grades import ScoreOutbox
from tests.unit.dossier_fixtures import as_markdown, sections

pytestmark = pytest.mark.usefixtures("dossier_guide")


def ticked(value: bool = True) -> dict[str, tuple[bool, str]]:
    return {item.id: (value, "") for item in course().dossier.items}


def draft(who, clock, extra: str = ""):
    """Store a draft and run the worker's analysis of it."""
    from lti_tool.dossier.analysis import analyse_pending

    upload = service.store(
        context_id=who.context.id,
        user_id=who.user.id,
        data=as_markdown(sections(extra=extra)),
        filename="d.md",
        now=clock(),
    )
    db.session.commit()
    analyse_pending(clock())
    db.session.refresh(upload)
    return upload


def scores() -> int:
    return db.session.scalar(select(func.count(ScoreOutbox.id)))


def test_checklist_keeps_only_the_items_of_the_cahier_des_charges(launch, clock):
    who = launch("trainee", sub="cand")
    first = course().dossier.items[0].id
    answers = ticked(False) | {first: (True, "x" * 6000), "not-an-item": (True, "")}
    service.save_checklist(who.context.id, who.user.id, answers, clock())
    entries = service.checklist_of(who.context.id, who.user.id)
    assert set(entries) == {i.id for i in course().dossier.items}
    assert entries[first].checked and len(entries[first].note) == service.NOTE_MAX
    service.save_checklist(who.context.id, who.user.id, {}, clock())  # every box unticked
    assert not any(e.checked for e in service.checklist_of(who.context.id, who.user.id).values())


def test_completion_needs_a_full_checklist_and_no_identifying_data(launch, clock):
    who = launch(
        "trainee", sub="cand", target=service.TARGET, lineitem_url="https://lms.example.org/li/d"
    )
    ids = (who.context.id, who.user.id)
    service.save_checklist(*ids, ticked(), clock())
    assert not service.maybe_complete(*ids, who.resource_link, clock())  # no draft yet
    draft(who, clock, extra=" Tél. 06 12 34 56 78.")
    assert not service.maybe_complete(*ids, who.resource_link, clock())  # a phone number left
    # One box unticked before the clean draft (whose analysis, once done, tries to complete).
    service.save_checklist(*ids, ticked() | {course().dossier.items[0].id: (False, "")}, clock())
    draft(who, clock)
    assert not service.maybe_complete(*ids, who.resource_link, clock())
    assert scores() == 0
    service.save_checklist(*ids, ticked(), clock())
    # Completed through another link (the course hub, no link at all): the grade still goes to
    # the dossier's graded activity.
    other = launch("trainee", sub="cand", target="module:c1")
    assert service.maybe_complete(*ids, other.resource_link, clock()) and scores() == 1
    row = db.session.scalar(select(ScoreOutbox))
    assert row.resource_link_id == who.resource_link.id and row.score_given == 1
    assert service.maybe_complete(*ids, None, clock()) and scores() == 1  # unchanged: not again


def test_delete_empties_the_report_logs_it_and_the_file_goes_after(app, launch, clock):
    who = launch("trainee", sub="cand")
    upload = draft(who, clock)
    service.delete(upload, who.user.id, clock())
    db.session.commit()
    path = Path(app.config["UPLOAD_ROOT"]) / upload.stored_name
    assert path.exists()  # removed only once the row change is durable
    service.discard_file(upload)
    assert not path.exists() and upload.report == {} and upload.deleted_at
    assert service.latest_report(who.context.id, who.user.id) is None
    assert db.session.scalar(select(DossierAccess.action)) == "delete"


def test_a_write_that_fails_half_way_leaves_no_file(app, launch, clock, monkeypatch):
    who = launch("trainee", sub="cand")

    def disk_full(descriptor):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(service.os, "fsync", disk_full)
    with pytest.raises(OSError):
        draft(who, clock)
    assert list(Path(app.config["UPLOAD_ROOT"]).iterdir()) == []

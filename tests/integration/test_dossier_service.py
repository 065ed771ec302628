"""The dossier service on its own: the checklist, completion to the gradebook, deletion."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from lti_tool.content import course
from lti_tool.dossier import service
from lti_tool.dossier.assessment import assess
from lti_tool.extensions import db
from lti_tool.models.dossier import DossierAccess
from lti_tool.models.grades import ScoreOutbox
from tests.unit.dossier_fixtures import as_markdown, sections

pytestmark = pytest.mark.usefixtures("dossier_guide")


def ticked(value: bool = True) -> dict[str, tuple[bool, str]]:
    return {item.id: (value, "") for item in course().dossier.items}


def draft(who, clock, extra: str = "", dossier=None):
    """Store a draft (by default the complete one) and run the worker's analysis of it."""
    from lti_tool.dossier.analysis import analyse_pending

    upload = service.store(
        context_id=who.context.id,
        user_id=who.user.id,
        data=as_markdown(dossier or sections(extra=extra)),
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


def test_a_blocking_problem_never_reads_as_conforme_in_the_gradebook(launch, clock):
    """Checklist ticked, no identifying data, but a part missing: no 1/1 (it was sent before)."""
    who = launch(
        "trainee", sub="cand", target=service.TARGET, lineitem_url="https://lms.example.org/li/d"
    )
    ids = (who.context.id, who.user.id)
    service.save_checklist(*ids, ticked(), clock())
    no_tools = sections(extra=" Arrêt maladie évoqué.").without("Outils utilisés")
    draft(who, clock, dossier=no_tools)  # the analysis tries to complete, as the worker does
    report = service.latest_report(*ids)
    assert report is not None and report.anonymisation_findings == 0
    assert assess(report).blocking  # the page shows a blocking problem
    assert scores() == 0 and service.completion_of(*ids) is None
    assert not service.maybe_complete(*ids, who.resource_link, clock())

    draft(who, clock)  # fixed: 1/1, and the comment says it is the tool's check, not the jury's
    row = db.session.scalar(select(ScoreOutbox).order_by(ScoreOutbox.id.desc()))
    assert (row.score_given, row.score_maximum) == (1, 1)
    assert "aucun problème bloquant" in row.comment and "pas l'évaluation du jury" in row.comment
    assert "conforme" not in row.comment

    draft(who, clock, dossier=no_tools)  # a later draft breaks it again: the 1/1 is taken back
    row = db.session.scalar(select(ScoreOutbox).order_by(ScoreOutbox.id.desc()))
    assert (row.score_given, row.activity_progress) == (0, service.IN_PROGRESS)
    assert row.comment.startswith("Auto-contrôle du dossier à reprendre : 1 problème bloquant")
    assert "1 point à relire" in row.comment and "conforme" not in row.comment
    assert scores() == 2
    assert not service.maybe_complete(*ids, None, clock()) and scores() == 2  # not sent again


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

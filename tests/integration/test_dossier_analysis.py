"""The dossier analysis runs outside the web request, in a capped child (issue 13, point 1).

The upload request stores the file and a « analyse en cours » version; the worker task
(``analyse_pending``, called here directly) analyses it in a child process with CPU-time and
memory rlimits and a wall-clock timeout. What exceeds the budget gets the French message and
nothing half-stored. Deleted versions keep only that they existed (point 15).
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import func, select

from grading.dossier.errors import TOO_COMPLEX, TooComplexError
from lti_tool.clock import now
from lti_tool.dossier import analysis
from lti_tool.extensions import db
from lti_tool.models.dossier import DossierUpload
from lti_tool.models.grades import ScoreOutbox
from tests.unit.dossier_fixtures import as_markdown, sections
from tests.unit.hostile_files import shared_stream_pdf

pytestmark = pytest.mark.usefixtures("dossier_guide")

MESSAGE = "Ce fichier demande trop de traitement ; exportez-le à nouveau en PDF simple ou en DOCX."
BURNER = "tests.integration.analysis_burner"


def post(client, who, data, name="d.md"):
    return client.post(
        who.url("/dossier/depot"),
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def files(app):
    root = Path(app.config["UPLOAD_ROOT"])
    return sorted(p.name for p in root.glob("*")) if root.exists() else []


def only_row() -> DossierUpload:
    db.session.expire_all()
    return db.session.scalars(select(DossierUpload)).one()


def test_the_upload_request_does_not_analyse_the_file(client, launch, monkeypatch):
    """The request only stores: the analysis (whose cost the file decides) waits for the worker."""
    import grading.dossier.checks

    def analysed_in_the_request(*args, **kwargs):
        raise AssertionError("the web request analysed the upload")

    monkeypatch.setattr(grading.dossier.checks, "analyse", analysed_in_the_request)
    monkeypatch.setattr(grading.dossier.checks, "extract", analysed_in_the_request)
    candidate = launch("trainee", sub="cand")
    assert post(client, candidate, shared_stream_pdf(), name="d.pdf").status_code == 303
    row = only_row()
    assert row.status == "pending" and row.report == {}
    page = client.get(candidate.url("/dossier/")).get_data(as_text=True)
    assert "Analyse en cours…" in page and "déposée : analyse en cours" in page
    region = page[page.index('id="analysis-status"') :].split(">", 1)[0]
    assert 'role="status"' in region and 'aria-live="polite"' in region and "data-poll" in region
    assert "Actualiser la page pour voir le rapport" in page  # works without JavaScript
    assert client.get(candidate.url("/dossier/etat")).get_json() == {
        "status": "pending",
        "pending": True,
    }


def test_the_worker_task_then_shows_the_report(client, launch):
    candidate = launch("trainee", sub="cand")
    post(client, candidate, as_markdown(sections()))
    assert analysis.analyse_pending(now()) == "1 version(s) : analysée"
    row = only_row()
    assert row.status == "ready" and row.detected_type == "md" and row.report["items"]
    page = client.get(candidate.url("/dossier/")).get_data(as_text=True)
    assert "Analyse en cours" not in page and "Tous les éléments vérifiables sont conformes" in page
    assert "Rapport de la version 1" in page
    assert client.get(candidate.url("/dossier/etat")).get_json()["pending"] is False
    assert analysis.analyse_pending(now()) == "rien"


def test_the_issue_pdf_is_refused_with_the_budget_message_and_nothing_half_stored(
    client, launch, app
):
    candidate = launch("trainee", sub="cand")
    post(client, candidate, as_markdown(sections()))
    analysis.analyse_pending(now())
    post(client, candidate, shared_stream_pdf(), name="attaque.pdf")
    analysis.analyse_pending(now())
    db.session.expire_all()
    first, hostile = db.session.scalars(select(DossierUpload).order_by(DossierUpload.id)).all()
    assert hostile.status == "failed" and hostile.error == MESSAGE and hostile.report == {}
    assert (hostile.original_name, hostile.sha256, hostile.size) == ("", "", 0)
    assert files(app) == [first.stored_name]  # the refused file is not kept
    page = client.get(candidate.url("/dossier/")).get_data(as_text=True)
    assert "pas pu être analysée" in page and MESSAGE in page, page
    assert "Rapport de la version 1" in page  # the last good report stays readable
    assert client.get(candidate.url(f"/dossier/fichier/{hostile.id}")).status_code == 404


@pytest.mark.parametrize("burn", ["cpu", "memory"])
def test_a_child_over_its_cpu_or_memory_limit_is_stopped_with_the_budget_message(burn):
    budget = analysis.ProcessBudget(cpu_seconds=1, memory_bytes=256 * 1024 * 1024, wall_seconds=60)
    with pytest.raises(TooComplexError) as caught:
        analysis.run_isolated(b"x", {"burn": burn}, budget, module=BURNER)
    assert caught.value.message == MESSAGE


def test_a_child_that_hangs_is_killed_at_the_wall_clock_timeout():
    budget = analysis.ProcessBudget(cpu_seconds=5, memory_bytes=256 * 1024 * 1024, wall_seconds=1)
    with pytest.raises(TooComplexError):
        analysis.run_isolated(b"x", {"burn": "hang"}, budget, module=BURNER)


def test_a_killed_analysis_marks_the_version_failed_through_the_worker_task(
    client, launch, app, monkeypatch
):
    """Through the worker path: the CPU limit from the configuration kills the child."""
    monkeypatch.setattr(analysis, "SANDBOX", BURNER)
    app.config["DOSSIER_ANALYSIS_CPU_SECONDS"] = 1
    candidate = launch("trainee", sub="cand")
    post(client, candidate, as_markdown(sections()))
    assert analysis.analyse_pending(now()) == "1 version(s) : refusée"
    row = only_row()
    assert (row.status, row.error, row.report) == ("failed", TOO_COMPLEX, {})
    assert files(app) == []


def test_completion_is_published_when_the_analysis_ends(client, launch):
    from lti_tool.content import course

    candidate = launch(
        "trainee",
        sub="cand",
        target="dossier:checklist",
        lineitem_url="https://lms.example.org/li/dossier",
    )
    form = {f"check-{i.id}": "on" for i in course().dossier.items}
    client.post(candidate.url("/dossier/checklist"), data=form)
    post(client, candidate, as_markdown(sections()))
    assert db.session.scalar(select(func.count(ScoreOutbox.id))) == 0  # not analysed yet
    analysis.analyse_pending(now())
    assert db.session.scalar(select(ScoreOutbox.score_given)) == 1


def test_a_version_deleted_while_analysed_keeps_no_report(client, launch, app, monkeypatch):
    candidate = launch("trainee", sub="cand")
    post(client, candidate, as_markdown(sections()))
    real = analysis.run_isolated

    def deleted_meanwhile(*args, **kwargs):
        report = real(*args, **kwargs)
        row = db.session.scalars(select(DossierUpload)).one()
        client.post(candidate.url(f"/dossier/fichier/{row.id}/supprimer"))
        return report

    monkeypatch.setattr(analysis, "run_isolated", deleted_meanwhile)
    assert analysis.analyse_pending(now()) == "1 version(s) : abandonnée"
    row = only_row()
    assert row.deleted_at is not None and row.report == {} and files(app) == []


def test_trainers_see_pending_and_refused_versions(client, launch):
    candidate = launch("trainee", sub="cand")
    post(client, candidate, as_markdown(sections()))
    trainer = launch("trainer", sub="t1")
    cohort = client.get(trainer.url("/dossier/candidats")).get_data(as_text=True)
    assert "nouvelle version en cours d" in cohort and "aucun dépôt" not in cohort
    page = client.get(trainer.url(f"/dossier/candidats/{candidate.user.id}")).get_data(as_text=True)
    assert "Analyse en cours…" in page and 'role="status"' in page
    post(client, candidate, b"\x89PNG\r\n\x1a\n" + bytes(100), name="d.pdf")
    analysis.analyse_pending(now())
    cohort = client.get(trainer.url("/dossier/candidats")).get_data(as_text=True)
    assert "dernière version refusée" in cohort and "conforme" in cohort
    page = client.get(trainer.url(f"/dossier/candidats/{candidate.user.id}")).get_data(as_text=True)
    assert "pas pu être analysée" in page and "Rapport de la version 1" in page


def test_a_deleted_version_keeps_only_that_it_existed(client, launch, app, clock, runner):
    """Issue 13, point 15: name, hash, size and type go with the file and the report."""
    candidate = launch("trainee", sub="cand")
    post(client, candidate, as_markdown(sections()), name="Dossier de Mme Martin.md")
    post(client, candidate, as_markdown(sections()), name="Dossier Martin v2.md")
    analysis.analyse_pending(now())
    first, second = db.session.scalars(select(DossierUpload).order_by(DossierUpload.id)).all()
    client.post(candidate.url(f"/dossier/fichier/{first.id}/supprimer"))
    page = client.get(candidate.url("/dossier/")).get_data(as_text=True)
    assert "Version 1" in page and "supprimée" in page
    clock.advance(days=400)
    runner.invoke(args=["dossier", "purge"])  # the retention purge forgets the same way
    db.session.expire_all()
    for row in (first, second):
        row = db.session.get(DossierUpload, row.id)
        assert row.deleted_at is not None and row.version in (1, 2)
        assert (row.original_name, row.sha256, row.size, row.detected_type) == ("", "", 0, "")
        assert row.report == {} and row.error is None
    assert files(app) == []

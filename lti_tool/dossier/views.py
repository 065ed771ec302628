"""Épreuve 2 self-check: the candidate's checklist and drafts; trainers' and jury's view."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from course.render import render_markdown
from grading.dossier.checks import Report, compare
from grading.dossier.extract import DossierFileError
from lti_tool.clock import now
from lti_tool.content import course
from lti_tool.dossier import analysis, service
from lti_tool.dossier.assessment import assess, settled
from lti_tool.extensions import db
from lti_tool.home.views import HUB_LINKS
from lti_tool.launch_session import current_launch, launch_required, trainer_required
from lti_tool.lti.registry import DEEP_LINK_PROVIDERS, TARGET_ROUTES, DeepLinkItem
from lti_tool.models.core import ROLE_TRAINEE, Enrollment, ResourceLink, User
from lti_tool.models.dossier import FAILED, PENDING, RUNNING, DossierUpload
from lti_tool.people import trainees_of
from lti_tool.worker import TASKS

bp = Blueprint("dossier", __name__, url_prefix="/s/<lt>/dossier")


def _page(user: User, *, as_trainer: bool) -> str:
    launch = current_launch()
    guide = course().dossier
    uploads = service.uploads_of(launch.context_id, user.id)
    live = service.analysed(uploads)
    report = Report.from_json(live[0].report) if live else None
    previous = Report.from_json(live[1].report) if len(live) > 1 else None
    changes = compare(settled(previous), settled(report)) if report and previous else []
    newest = next((u for u in uploads if u.deleted_at is None), None)
    if as_trainer and live:
        service.log_access(live[0], launch.user_id, "report", now())
        db.session.commit()
    checklist = service.checklist_of(launch.context_id, user.id)
    items = guide.items if guide else ()
    done = sum(1 for i in items if checklist.get(i.id) and checklist[i.id].checked)
    return render_template(
        "dossier/index.html",
        guide=guide,
        intro=render_markdown(guide.introduction) if guide else "",
        descriptions={i.id: render_markdown(i.description) for i in items},
        items=items,
        checklist=checklist,
        done=done,
        uploads=uploads,
        report=report,
        reported=live[0] if live else None,
        waiting=newest if newest is not None and newest.status in (PENDING, RUNNING) else None,
        refused=newest if newest is not None and newest.status == FAILED else None,
        assessment=assess(report) if report else None,
        changes=changes,
        candidate=user,
        as_trainer=as_trainer,
        max_bytes=current_app.config["DOSSIER_MAX_BYTES"],
        max_mb=current_app.config["DOSSIER_MAX_BYTES"] // (1024 * 1024),
    )


@bp.get("/")
@launch_required
def index() -> Any:
    """The candidate's checklist, drafts and report (trainers: the cohort)."""
    launch = current_launch()
    if launch.is_trainer:
        return redirect(url_for("dossier.cohort"))
    return _page(launch.user, as_trainer=False)


@bp.post("/checklist")
@launch_required
def save_checklist() -> Any:
    """Save the ticks and notes of every item at once."""
    launch = current_launch()
    if launch.role != ROLE_TRAINEE:
        abort(403)
    guide = course().dossier
    answers = {
        item.id: (
            request.form.get(f"check-{item.id}") == "on",
            request.form.get(f"note-{item.id}") or "",
        )
        for item in (guide.items if guide else ())
    }
    moment = now()
    service.save_checklist(launch.context_id, launch.user_id, answers, moment)
    service.maybe_complete(launch.context_id, launch.user_id, _link(), moment)
    db.session.commit()
    flash(_("Votre liste de contrôle est enregistrée."), "success")
    return redirect(url_for("dossier.index"), code=303)


def _link() -> ResourceLink | None:
    """The resource link the current launch came from, if any."""
    launch = current_launch()
    if launch.resource_link_id is None:
        return None
    return db.session.get(ResourceLink, launch.resource_link_id)


@bp.post("/depot")
@launch_required
def upload() -> Any:
    """Upload a draft: stored as « analyse en cours »; the worker analyses it in a capped child."""
    launch = current_launch()
    if launch.role != ROLE_TRAINEE:
        abort(403)
    sent = request.files.get("file")
    if sent is None or not sent.filename:
        flash(_("Choisissez un fichier à déposer."), "error")
        return redirect(url_for("dossier.index"), code=303)
    data = sent.stream.read(current_app.config["DOSSIER_MAX_BYTES"] + 1)
    moment = now()
    stored = None
    try:
        # Only the cheap checks here; the content is analysed by the worker, never in a request.
        stored = service.store(
            context_id=launch.context_id,
            user_id=launch.user_id,
            data=data,
            filename=sent.filename,
            now=moment,
            resource_link_id=launch.resource_link_id,
            pseudonyms=request.form.get("pseudonyms", "")[:1000],
        )
        service.log_access(stored, launch.user_id, "upload", moment)
        db.session.commit()
    except DossierFileError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("dossier.index"), code=303)
    except IntegrityError:
        # Another upload of the same candidate (a second tab) took this version number first.
        _abandon(stored)
        flash(
            _(
                "Un autre dépôt était en cours : celui-ci n'a pas été conservé. Déposez-le à nouveau."
            ),
            "error",
        )
        return redirect(url_for("dossier.index"), code=303)
    except BaseException:
        _abandon(stored)
        raise
    flash(
        _(
            "Version %(v)s déposée : analyse en cours. Le rapport s'affichera sur cette page "
            "dès qu'il sera prêt.",
            v=stored.version,
        ),
        "success",
    )
    return redirect(url_for("dossier.index") + "#rapport", code=303)


@bp.get("/etat")
@launch_required
def state() -> Any:
    """Whether the newest version is still being analysed (polled by the candidate's page)."""
    launch = current_launch()
    newest = next(
        (u for u in service.uploads_of(launch.context_id, launch.user_id) if u.deleted_at is None),
        None,
    )
    status = newest.status if newest is not None else "none"
    return {"status": status, "pending": status in (PENDING, RUNNING)}


def _abandon(stored: DossierUpload | None) -> None:
    """The row was not committed: no file may stay on disk without it (personal data)."""
    name = stored.stored_name if stored is not None else None
    db.session.rollback()
    if name is not None:
        service.discard_stored(name)


def _readable(upload_id: int) -> DossierUpload:
    """The file, if the current user may read it: its candidate, or a trainer/jury of its course."""
    launch = current_launch()
    upload = db.session.get(DossierUpload, upload_id)
    if upload is None or upload.context_id != launch.context_id or upload.deleted_at is not None:
        abort(404)
    if upload.user_id != launch.user_id and not launch.is_trainer:
        abort(403)
    return upload


@bp.get("/fichier/<int:upload_id>")
@launch_required
def download(upload_id: int) -> Response:
    """Download a draft (logged)."""
    upload = _readable(upload_id)
    path = service.storage_root() / upload.stored_name
    if upload.status == FAILED or not path.is_file():
        abort(404)
    service.log_access(upload, current_launch().user_id, "download", now())
    db.session.commit()
    mime = {
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "odt": "application/vnd.oasis.opendocument.text",
        "pdf": "application/pdf",
        "md": "text/markdown",
    }.get(upload.detected_type, "application/octet-stream")
    return Response(
        path.read_bytes(),
        mimetype=mime,
        headers={
            "Content-Disposition": f'attachment; filename="dossier-v{upload.version}.{upload.detected_type or "bin"}"'
        },
    )


@bp.post("/fichier/<int:upload_id>/supprimer")
@launch_required
def delete(upload_id: int) -> Any:
    """The candidate deletes a draft: the file is removed, the report emptied."""
    upload = _readable(upload_id)
    if upload.user_id != current_launch().user_id:
        abort(403)
    service.delete(upload, current_launch().user_id, now())
    db.session.commit()
    service.discard_file(upload)
    flash(_("Le fichier a été supprimé."), "success")
    return redirect(url_for("dossier.index"), code=303)


@bp.get("/candidats")
@trainer_required
def cohort() -> str:
    """Trainers and jury: each candidate's checklist progress and latest report."""
    launch = current_launch()
    trainees = trainees_of(launch.context_id)
    guide = course().dossier
    total = len(guide.items) if guide else 0
    rows = []
    for enrollment in trainees:
        checklist = service.checklist_of(launch.context_id, enrollment.user_id)
        uploads = service.uploads_of(launch.context_id, enrollment.user_id)
        analysed = service.analysed(uploads)
        report = Report.from_json(analysed[0].report) if analysed else None
        newest = next((u for u in uploads if u.deleted_at is None), None)
        rows.append(
            (
                enrollment.user,
                sum(1 for e in checklist.values() if e.checked),
                report,
                assess(report) if report else None,
                newest.status if newest is not None else None,
            )
        )
    return render_template("dossier/cohort.html", rows=rows, total=total)


@bp.get("/candidats/<int:user_id>")
@trainer_required
def candidate(user_id: int) -> str:
    """A candidate's checklist and report, as the candidate sees them (the read is logged)."""
    launch = current_launch()
    enrolled = db.session.scalar(
        select(Enrollment).where(
            Enrollment.context_id == launch.context_id, Enrollment.user_id == user_id
        )
    )
    if enrolled is None:
        abort(404)
    return _page(enrolled.user, as_trainer=True)


def _deep_link_items() -> list[DeepLinkItem]:
    return [
        DeepLinkItem(
            "dossier",
            "checklist",
            "Dossier professionnel : auto-contrôle (épreuve 2)",
            "Liste de contrôle du cahier des charges et analyse automatique des brouillons.",
            1.0,
            "Certification",
        )
    ]


def _purge_task(at: Any) -> str:
    return f"{service.purge(at)} fichier(s) purgé(s)"


TARGET_ROUTES["dossier"] = ("dossier.index", None)
DEEP_LINK_PROVIDERS.append(_deep_link_items)
HUB_LINKS.append(("dossier.index", "Dossier professionnel : auto-contrôle", False))
TASKS.append(("dossier-purge", _purge_task, 3600.0))
# Every pass of the worker loop (it idles 2 s): an upload's report is ready within seconds.
TASKS.append(("dossier-analysis", analysis.analyse_pending, 1.0))

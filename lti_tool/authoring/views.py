"""The authoring space of a course: trainers write case studies and modules in the tool.

Markdown stays the format and the files stay the truth: the editor holds the whole file, the
preview is the learners' renderer, the errors are ``python -m course check``'s, and a course
space exports as a zip the command accepts.
"""

from __future__ import annotations

import re
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from werkzeug.wrappers import Response as WerkzeugResponse

from course.case_studies import CaseStudy
from course.modules import Module
from course.question_import import import_file_data
from lti_tool.authoring import files, resolve, service
from lti_tool.authoring.checking import Checked, front_matter_id
from lti_tool.clock import now
from lti_tool.extensions import db
from lti_tool.home.views import HUB_LINKS
from lti_tool.launch_session import current_launch, launch_required, trainer_required
from lti_tool.lti.registry import DEEP_LINK_PROVIDERS, DeepLinkItem
from lti_tool.models.authoring import KIND_CASE, KIND_MODULE, AuthoredContent, AuthoredImage
from lti_tool.rendering import content_html, rendered

bp = Blueprint("authoring", __name__, url_prefix="/s/<lt>/auteur")


def _content(content_id: int) -> AuthoredContent:
    try:
        return service.editable(content_id, current_launch().context_id)
    except service.AuthoringError:
        abort(404)


def _preview_html(content: AuthoredContent, checked: Checked) -> str:
    found = checked.content
    if found is not None:
        found = resolve.with_image_urls(found, content.id)
    if isinstance(found, Module):
        return render_template(
            "authoring/_preview_module.html", module=found, parts=rendered(found)
        )
    if isinstance(found, CaseStudy):
        return render_template(
            "authoring/_preview_case.html",
            case=found,
            render=content_html,
            titles={s.id: s.title for s in found.steps},
        )
    return render_template("authoring/_preview_none.html")


def _back(content_id: int | None = None) -> WerkzeugResponse:
    """To the editor of ``content_id``, or to the course's contents without one."""
    if content_id is None:
        return redirect(url_for("authoring.index"), code=303)
    return redirect(url_for("authoring.edit", content_id=content_id), code=303)


def _done(message: str, content_id: int | None = None) -> WerkzeugResponse:
    """The action worked: commit it, say so, and go back (one commit per request)."""
    db.session.commit()
    flash(message, "success")
    return _back(content_id)


def _refused(message: str, content_id: int | None = None) -> WerkzeugResponse:
    """The action was refused: nothing of it is kept, the message says why."""
    db.session.rollback()
    flash(message, "error")
    return _back(content_id)


def _summary(checked: Checked) -> str:
    count = len(checked.problems)
    if not count:
        return str(_("Aucune erreur : ce brouillon peut être publié."))
    return str(
        ngettext(
            "%(num)s erreur à corriger avant de publier.",
            "%(num)s erreurs à corriger avant de publier.",
            count,
        )
    )


def _editor(
    content: AuthoredContent, text: str, revision: int, status: int = 200, **extra: Any
) -> tuple[str, int]:
    checked = service.check_draft(content, text)
    images = db.session.scalars(
        db.select(AuthoredImage.name)
        .where(AuthoredImage.content_id == content.id)
        .order_by(AuthoredImage.name)
    ).all()
    html = render_template(
        "authoring/edit.html",
        content=content,
        text=text,
        revision=revision,
        checked=checked,
        summary=_summary(checked),
        preview=_preview_html(content, checked),
        images=images,
        kind_label=service.KIND_LABELS[content.kind],
        **extra,
    )
    return html, status


@bp.get("/")
@trainer_required
def index() -> str:
    """The course's contents, a new one from a template, import and export."""
    launch = current_launch()
    return render_template(
        "authoring/index.html",
        contents=service.contents_of(launch.context_id),
        kinds=service.KIND_LABELS,
    )


@bp.post("/nouveau")
@trainer_required
def create() -> Any:
    """A new draft from the template of its kind."""
    launch = current_launch()
    kind = request.form.get("kind", "")
    try:
        content = service.create(launch.context_id, kind, launch.user_id, now())
    except service.AuthoringError as error:
        return _refused(error.message)
    db.session.commit()
    return _back(content.id)


@bp.get("/contenus/<int:content_id>")
@trainer_required
def edit(content_id: int) -> Any:
    """The editor: the Markdown file, its live preview and the checker's errors by line."""
    content = _content(content_id)
    return _editor(content, content.draft, content.draft_revision)


@bp.post("/contenus/<int:content_id>/apercu")
@trainer_required
def preview(content_id: int) -> Response:
    """Preview and errors of a text being typed (nothing is saved)."""
    content = _content(content_id)
    payload = request.get_json(silent=True) or {}
    text = str(payload.get("text", ""))[: service.MAX_TEXT + 1]
    checked = service.check_draft(content, text)
    return jsonify(
        html=_preview_html(content, checked),
        summary=_summary(checked),
        problems=[{"line": p.line, "message": p.message} for p in checked.problems],
    )


@bp.post("/contenus/<int:content_id>")
@trainer_required
def save(content_id: int) -> Any:
    """Save the draft (refused if someone saved since), and publish it when asked."""
    launch = current_launch()
    content = _content(content_id)
    text = request.form.get("text", "")
    revision = request.form.get("revision", type=int) or 0
    action = request.form.get("action", "save")
    try:
        if text != content.draft or revision != content.draft_revision:
            revision = service.save_draft(content, text, revision, launch.user_id, now())
        if action == "publish":
            version = service.publish(content, launch.user_id, now())
            db.session.commit()
            flash(
                _(
                    "Version %(n)s publiée : les stagiaires qui commencent ce contenu la reçoivent.",
                    n=version.number,
                ),
                "success",
            )
            return redirect(url_for("authoring.edit", content_id=content.id), code=303)
    except service.DraftConflict as conflict:
        db.session.rollback()
        current = _content(content_id)
        return _editor(
            current,
            text,
            current.draft_revision,
            409,
            conflict=conflict.message,
            theirs=service.diff(text, current.draft),
        )
    except service.PublishRefused as refused:
        db.session.commit()  # the draft itself was saved
        current = _content(content_id)
        return _editor(current, current.draft, current.draft_revision, 422, refused=refused.message)
    except service.AuthoringError as error:
        db.session.rollback()
        current = _content(content_id)
        return _editor(current, text, revision, error.status, refused=error.message)
    db.session.commit()
    flash(_("Brouillon enregistré."), "success")
    return redirect(url_for("authoring.edit", content_id=content.id), code=303)


@bp.post("/contenus/<int:content_id>/partage")
@trainer_required
def share(content_id: int) -> Any:
    """Offer the content to the other courses of the same platform, or stop."""
    launch = current_launch()
    content = _content(content_id)
    shared = request.form.get("shared") == "1"
    service.set_shared(content, shared, launch.user_id, now())
    return _done(
        _("Contenu proposé aux autres cours de la plateforme.")
        if shared
        else _("Contenu réservé à ce cours."),
        content.id,
    )


@bp.post("/contenus/<int:content_id>/dupliquer")
@trainer_required
def duplicate(content_id: int) -> Any:
    """A copy of the draft, as a new content."""
    launch = current_launch()
    copy = service.duplicate(_content(content_id), launch.user_id, now())
    return _done(_("Copie créée : changez son identifiant et son titre si besoin."), copy.id)


@bp.post("/contenus/<int:content_id>/supprimer")
@trainer_required
def delete(content_id: int) -> Any:
    """Take the content out of the course (after a confirmation box is ticked)."""
    launch = current_launch()
    content = _content(content_id)
    if request.form.get("confirm") != "1":
        return _refused(_("Cochez la case de confirmation pour supprimer ce contenu."), content.id)
    service.delete(content, launch.user_id, now())
    return _done(
        _("« %(t)s » a été supprimé : il n'est plus proposé aux stagiaires.", t=content.title)
    )


@bp.get("/contenus/<int:content_id>/versions")
@trainer_required
def history(content_id: int) -> str:
    """Published versions, newest first, each with its changes from the previous one."""
    content = _content(content_id)
    versions = service.versions(content.id)
    shown = request.args.get("v", type=int) or (versions[0].number if versions else 0)
    current = next((v for v in versions if v.number == shown), None)
    previous = next((v for v in versions if v.number == shown - 1), None)
    changes = service.diff(previous.text if previous else "", current.text) if current else []
    return render_template(
        "authoring/history.html",
        content=content,
        versions=versions,
        current=current,
        changes=changes,
        draft_changes=service.diff(versions[0].text, content.draft) if versions else [],
    )


@bp.post("/contenus/<int:content_id>/versions/<int:number>/retablir")
@trainer_required
def revert(content_id: int, number: int) -> Any:
    """Put a published version back in the draft (publish it again to make it the latest)."""
    launch = current_launch()
    content = _content(content_id)
    version = service.version(content.id, number)
    if version is None:
        abort(404)
    try:
        service.save_draft(content, version.text, content.draft_revision, launch.user_id, now())
    except service.DraftConflict as conflict:
        db.session.rollback()
        flash(conflict.message, "error")
        return redirect(url_for("authoring.history", content_id=content_id), code=303)
    return _done(
        _("Le brouillon reprend la version %(n)s : publiez-le pour la rendre active.", n=number),
        content.id,
    )


@bp.post("/contenus/<int:content_id>/images")
@trainer_required
def upload_image(content_id: int) -> Any:
    """Add an image to the content (PNG, JPEG or sanitised SVG)."""
    launch = current_launch()
    content = _content(content_id)
    upload = request.files.get("image")
    if upload is None or not upload.filename:
        return _refused(_("Choisissez une image à ajouter."), content.id)
    data = upload.read(files.MAX_IMAGE_BYTES + 1)
    try:
        name, checked, mime = files.checked_image(upload.filename, data)
        service.add_image(content, name, checked, mime, launch.user_id, now())
    except (files.FileRefused, service.AuthoringError) as error:
        return _refused(error.message, content.id)
    return _done(
        _("Image ajoutée : écrivez ![description](images/%(name)s) dans le texte.", name=name),
        content.id,
    )


@bp.get("/contenus/<int:content_id>/images/<name>")
@launch_required
def image(content_id: int, name: str) -> Response:
    """An image, to whoever may see its content in this course."""
    launch = current_launch()
    owner = resolve.image_owner(launch.context, content_id)
    if owner is None or (not launch.is_trainer and not owner.published_version):
        abort(404)
    row = db.session.scalar(
        db.select(AuthoredImage).where(
            AuthoredImage.content_id == owner.id, AuthoredImage.name == name
        )
    )
    if row is None:
        abort(404)
    response = Response(row.data, mimetype=row.mime)
    response.headers["Content-Disposition"] = f'inline; filename="{row.name}"'
    return response


@bp.post("/contenus/<int:content_id>/questions")
@trainer_required
def import_questions(content_id: int) -> Any:
    """Append questions from a GIFT or Moodle XML file to a module draft, with the report."""
    launch = current_launch()
    content = _content(content_id)
    upload = request.files.get("questions")
    if content.kind != KIND_MODULE:
        abort(404)
    if upload is None or not upload.filename:
        return _refused(
            _("Choisissez un fichier GIFT (.txt, .gift) ou Moodle XML (.xml)."), content.id
        )
    base = content.draft_revision
    report = import_file_data(upload.filename, upload.read(2_000_001))
    if report.questions or report.markdown.strip():
        text = content.draft.rstrip("\n") + "\n\n" + report.markdown
        try:
            service.save_draft(content, text, base, launch.user_id, now())
        except service.DraftConflict as conflict:
            # Saved by someone else meanwhile: as in the editor, nothing is overwritten and the
            # draft with the questions stays in the editor, to compare and save again.
            db.session.rollback()
            current = _content(content_id)
            return _editor(
                current,
                text,
                current.draft_revision,
                409,
                conflict=conflict.message,
                theirs=service.diff(text, current.draft),
                import_report=report.lines(),
            )
        except service.AuthoringError as error:
            db.session.rollback()
            current = _content(content_id)
            return _editor(
                current,
                current.draft,
                current.draft_revision,
                error.status,
                refused=error.message,
                import_report=report.lines(),
            )
        db.session.commit()
    current = _content(content_id)
    return _editor(current, current.draft, current.draft_revision, import_report=report.lines())


@bp.get("/export.zip")
@trainer_required
def export_all() -> Response:
    """Every content of the course space (drafts as they are), in the ``course/`` layout."""
    contents = service.contents_of(current_launch().context_id)
    return _zip_response(contents, "contenus-du-cours.zip")


@bp.get("/contenus/<int:content_id>/export.zip")
@trainer_required
def export_one(content_id: int) -> Response:
    """One content (its draft) with its images, in the ``course/`` layout."""
    content = _content(content_id)
    return _zip_response([content], f"{_slug(content)}.zip")


def _slug(content: AuthoredContent) -> str:
    ident = front_matter_id(content.draft)
    return ident if re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", ident) else f"brouillon-{content.id}"


def _zip_response(contents: list[AuthoredContent], filename: str) -> Response:
    data = files.write_zip([(c.kind, _slug(c), c.draft, service.images_of(c.id)) for c in contents])
    response = Response(data, mimetype="application/zip")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.post("/importer")
@trainer_required
def import_files() -> Any:
    """Import a ``.md`` file or a zip as drafts: every content checked, nothing stored on error."""
    launch = current_launch()
    upload = request.files.get("fichier")
    if upload is None or not upload.filename:
        flash(_("Choisissez un fichier .md ou .zip à importer."), "error")
        return redirect(url_for("authoring.index"), code=303)
    data = upload.read(files.MAX_ZIP_BYTES + 1)
    try:
        if upload.filename.lower().endswith(".zip"):
            imported = files.read_zip(data)
        elif upload.filename.lower().endswith(".md"):
            imported = files.read_markdown(upload.filename, data)
        else:
            raise files.FileRefused(
                _("Format non pris en charge : importez un fichier .md ou .zip.")
            )
    except files.FileRefused as error:
        flash(error.message, "error")
        return redirect(url_for("authoring.index"), code=303)
    problems: list[str] = []
    created: list[AuthoredContent] = []
    for item in imported:
        content = service.create(launch.context_id, item.kind, launch.user_id, now(), item.text)
        for name, payload, mime in item.images:
            service.add_image(content, name, payload, mime, launch.user_id, now())
        checked = service.check_draft(content)
        problems += [f"{item.source}:{p.line} : {p.message}" for p in checked.problems]
        created.append(content)
    if problems:
        db.session.rollback()
        return render_template(
            "authoring/index.html",
            contents=service.contents_of(launch.context_id),
            kinds=service.KIND_LABELS,
            import_problems=problems,
        ), 422
    db.session.commit()
    flash(
        ngettext(
            "%(num)s contenu importé en brouillon : relisez-le, puis publiez-le.",
            "%(num)s contenus importés en brouillon : relisez-les, puis publiez-les.",
            len(created),
        ),
        "success",
    )
    return redirect(url_for("authoring.index"), code=303)


def _deep_link_items() -> list[DeepLinkItem]:
    launch = current_launch()
    items: list[DeepLinkItem] = []
    for content in service.offered(launch.context):
        kind = "case" if content.kind == KIND_CASE else "module"
        label = _("Étude de cas") if content.kind == KIND_CASE else _("Module")
        items.append(
            DeepLinkItem(
                kind,
                content.slug,
                content.title,
                f"{label} — {_('créé dans l’outil, version %(n)s', n=content.published_version)}",
                100.0,
                _("Contenus créés dans l’outil"),
            )
        )
    return items


DEEP_LINK_PROVIDERS.append(_deep_link_items)
HUB_LINKS.append(
    ("authoring.index", "Créer et modifier des contenus (études de cas, modules)", True)
)

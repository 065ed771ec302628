"""Certification pages: the certifier's sessions, the jury's pages, the candidate's convocation.

Who sees what is decided here, per request, from the tool's own records, never from the LMS
role alone: the certifier's grant, the appointment to a session's jury, the convocation.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import select

from grading.dossier.checks import Report
from lti_tool.certification import (
    appeals,
    audit,
    certificates,
    cpf,
    deliberation,
    oral,
    pv,
    services,
)
from lti_tool.certification.models import (
    CertAppeal,
    CertCandidate,
    Certificate,
    CertJuryMember,
    CertPv,
    CertSession,
)
from lti_tool.certification.referentiel import COMPETENCIES, CRITERIA
from lti_tool.certification.services import CertificationError
from lti_tool.clock import now
from lti_tool.dossier import service as dossier_service
from lti_tool.dossier.assessment import assess
from lti_tool.extensions import db
from lti_tool.home.views import HUB_LINKS
from lti_tool.launch_session import current_launch, launch_required
from lti_tool.models.core import ROLE_ADMIN, User
from lti_tool.models.dossier import DossierUpload
from lti_tool.worker import TASKS

bp = Blueprint("certification", __name__, url_prefix="/s/<lt>/certification")

#: The levels of a grid line, as shown.
LEVEL_LABELS = {
    "acquis": _l("acquis"),
    "partiel": _l("partiellement acquis"),
    "non_acquis": _l("non acquis"),
}

#: A candidate's result, as shown.
RESULT_LABELS = {
    "certified": _l("certifié"),
    "partial": _l("certification partielle"),
    "not_certified": _l("non certifié"),
}

HUB_LINKS.append(("certification.index", "Certification : sessions, jury, résultats", False))
HUB_LINKS.append(("certification.course_results", "Résultats de certification (PV signés)", True))


def _certifier_session(session_id: int) -> CertSession:
    """A session the launched certifier may manage (same platform), else 403/404."""
    launch = current_launch()
    if not services.is_certifier(launch.user_id):
        abort(403)
    session = db.session.get(CertSession, session_id)
    if session is None:
        abort(404)
    if session.context.registration.issuer != launch.user.issuer:
        abort(403)
    return session


def _refused(error: CertificationError) -> Any:
    db.session.rollback()
    flash(error.message, "error")


def _certifier_act(
    session_id: int, act: Callable[[CertSession], Any], done: str | Callable[[Any], str]
) -> Any:
    """A certifier's action on a session: checked, then committed with ``done`` (a message, or
    a function of what ``act`` returned) or, when refused, rolled back with the refusal; back
    to the session's page either way."""
    cert_session = _certifier_session(session_id)
    try:
        result = act(cert_session)
    except CertificationError as error:
        _refused(error)
    else:
        db.session.commit()
        flash(done(result) if callable(done) else done, "ok")
    return redirect(url_for(".session", session_id=session_id))


@bp.get("/")
@launch_required
def index() -> str:
    """What this person has to do with certification: manage, judge, or sit."""
    launch = current_launch()
    certifier = services.is_certifier(launch.user_id)
    return render_template(
        "certification/index.html",
        certifier=certifier,
        may_confirm=(not certifier and launch.role == ROLE_ADMIN),
        sessions=services.sessions_of_context(launch.context_id) if certifier else [],
        judged=services.sessions_judged_by(launch.user_id),
        convocations=services.convocations_of(launch.user_id),
        rules=services.DEFAULT_RULES,
    )


@bp.post("/certifier")
@launch_required
def confirm_certifier() -> Any:
    """A context Administrator confirms, once, that they act as the certifier (logged)."""
    launch = current_launch()
    if launch.role != ROLE_ADMIN:
        abort(403)
    if request.form.get("confirm") != "1":
        flash(_("Cochez la case pour confirmer que vous représentez le certificateur."), "error")
        return redirect(url_for(".index"))
    services.grant_certifier(
        launch.user, via="admin_confirmed", now=now(), granted_by_id=launch.user_id
    )
    db.session.commit()
    flash(_("Rôle de certificateur confirmé et consigné."), "ok")
    return redirect(url_for(".index"))


def _datetime(raw: str) -> datetime:
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise CertificationError(_l("Date et heure invalides.")) from None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


@bp.post("/sessions")
@launch_required
def create_session() -> Any:
    """Open a session for the course the certifier launched from."""
    launch = current_launch()
    if not services.is_certifier(launch.user_id):
        abort(403)
    try:
        session = services.create_session(
            context=launch.context,
            title=request.form.get("title", ""),
            starts_at=_datetime(request.form.get("starts_at", "")),
            place=request.form.get("place", ""),
            rules=services.parse_rules(request.form.to_dict()),
            by=launch.user,
            now=now(),
        )
    except CertificationError as error:
        _refused(error)
        return redirect(url_for(".index"))
    db.session.commit()
    flash(_("Session ouverte."), "ok")
    return redirect(url_for(".session", session_id=session.id))


@bp.get("/sessions/<int:session_id>")
@launch_required
def session(session_id: int) -> str:
    """The certifier's page of a session: rules, candidates, jury and its composition."""
    cert_session = _certifier_session(session_id)
    convened = services.candidates(cert_session.id)
    convened_ids = {c.user_id for c in convened}
    return render_template(
        "certification/session.html",
        session=cert_session,
        candidates=convened,
        trainees=[
            t
            for t in services.trainees_of_course(cert_session.context_id)
            if t.id not in convened_ids
        ],
        jury=services.jury(cert_session.id),
        people=services.appointable_people(cert_session),
        composition=services.composition(cert_session),
        chain_problems=audit.verify_chain(cert_session.id),
        pvs=pv.all_of(cert_session.id),
        certificates={c.id: certificates.of_candidate(c.id) for c in convened},
        cpf_records={c.id: cpf.of_candidate(c.id) for c in convened},
        cpf_masked=cpf.masked,
        appeals=appeals.of_session(cert_session.id),
        signatures={r.id: pv.signatures(r.id) for r in pv.all_of(cert_session.id)},
        events=(events := audit.events(cert_session.id)),
        users={
            u.id: u
            for u in db.session.scalars(
                select(User).where(User.id.in_({e.actor_id for e in events if e.actor_id}))
            )
        },
    )


@bp.post("/sessions/<int:session_id>/candidates")
@launch_required
def convene(session_id: int) -> Any:
    """Convene the trainees the certifier ticked."""
    cert_session = _certifier_session(session_id)
    launch = current_launch()
    chosen = {int(v) for v in request.form.getlist("user_id") if v.isdigit()}
    try:
        for user in services.trainees_of_course(cert_session.context_id):
            if user.id in chosen:
                services.convene(
                    cert_session,
                    user,
                    by=launch.user,
                    now=now(),
                    accommodations=request.form.get(f"accommodations_{user.id}", ""),
                )
    except CertificationError as error:
        _refused(error)
        return redirect(url_for(".session", session_id=session_id))
    db.session.commit()
    flash(_("Candidats convoqués."), "ok")
    return redirect(url_for(".session", session_id=session_id))


@bp.post("/sessions/<int:session_id>/jury")
@launch_required
def appoint(session_id: int) -> Any:
    """Seat a jury member (a trainer of the candidates is refused, and the refusal logged)."""
    cert_session = _certifier_session(session_id)
    launch = current_launch()
    raw = request.form.get("user_id", "")
    user = db.session.get(User, int(raw)) if raw.isdigit() else None
    if user is None:
        flash(_("Choisissez la personne à nommer."), "error")
        return redirect(url_for(".session", session_id=session_id))
    try:
        services.appoint(
            cert_session,
            user,
            external=request.form.get("external") == "1",
            by=launch.user,
            now=now(),
        )
    except CertificationError as error:
        db.session.commit()  # the refusal itself stays in the log
        flash(error.message, "error")
        return redirect(url_for(".session", session_id=session_id))
    db.session.commit()
    flash(_("Membre du jury nommé."), "ok")
    return redirect(url_for(".session", session_id=session_id))


@bp.post("/sessions/<int:session_id>/jury/<int:member_id>/remove")
@launch_required
def remove_member(session_id: int, member_id: int) -> Any:
    """Withdraw a member who has not marked anyone yet."""
    _certifier_session(session_id)  # (a stranger learns nothing of the members: 403 first)
    member = db.session.get(CertJuryMember, member_id)
    if member is None or member.session_id != session_id:
        abort(404)
    return _certifier_act(
        session_id,
        lambda cert_session: services.remove_member(
            cert_session, member, by=current_launch().user, now=now()
        ),
        _("Membre retiré du jury."),
    )


def _jury_session(session_id: int) -> CertSession:
    """A session the launched person sits on as a jury member, else 403/404."""
    launch = current_launch()
    session = db.session.get(CertSession, session_id)
    if session is None:
        abort(404)
    if not services.is_jury_member(session.id, launch.user_id):
        abort(403)
    return session


@bp.get("/jury/<int:session_id>")
@launch_required
def jury_session(session_id: int) -> str:
    """A jury member's view of a session: its candidates only, and the jury's composition."""
    cert_session = _jury_session(session_id)
    return render_template(
        "certification/jury_session.html",
        session=cert_session,
        candidates=services.candidates(cert_session.id),
        jury=services.jury(cert_session.id),
        composition=services.composition(cert_session),
        results=RESULT_LABELS,
        pv=pv.latest(cert_session.id),
        signatures=pv.signatures(record.id) if (record := pv.latest(cert_session.id)) else [],
        me=current_launch().user_id,
    )


def _jury_candidate(candidate_id: int) -> CertCandidate:
    """A candidate of a session the launched person sits on, else 403/404."""
    candidate = db.session.get(CertCandidate, candidate_id)
    if candidate is None:
        abort(404)
    _jury_session(candidate.session_id)
    return candidate


def _dossier(candidate: CertCandidate) -> tuple[DossierUpload | None, Any, Any]:
    """The candidate's latest analysed dossier in the training course, its report, verdict."""
    live = dossier_service.analysed(
        dossier_service.uploads_of(candidate.session.context_id, candidate.user_id)
    )
    if not live:
        return None, None, None
    report = Report.from_json(live[0].report)
    return live[0], report, assess(report)


@bp.get("/jury/candidat/<int:candidate_id>")
@launch_required
def jury_candidate(candidate_id: int) -> str:
    """The jury's page for one candidate: dossier report, dossier, oral timer, grid."""
    return _jury_candidate_page(_jury_candidate(candidate_id), {})


def _jury_candidate_page(candidate: CertCandidate, form: dict[str, str]) -> str:
    launch = current_launch()
    upload, report, verdict = _dossier(candidate)
    if upload is not None:
        dossier_service.log_access(upload, launch.user_id, "report", now())
        db.session.commit()
    mine = oral.sheet_of(candidate.id, launch.user_id)
    everyone = oral.all_submitted(candidate)
    return render_template(
        "certification/jury_candidate.html",
        candidate=candidate,
        session=candidate.session,
        upload=upload,
        report=report,
        verdict=verdict,
        times=oral.oral_times(candidate),
        server_now=now(),
        grid=oral.grid(candidate.session),
        headings={c: CRITERIA[c][0] for c in CRITERIA},
        levels=LEVEL_LABELS,
        mine=mine,
        form=form,
        # Other members' sheets: only once every member has submitted.
        others=[s for s in oral.sheets(candidate.id) if s.member_id != launch.user_id]
        if everyone
        else [],
        waiting_for=[
            m.user.display_name
            for m in services.jury(candidate.session_id)
            if oral.sheet_of(candidate.id, m.user_id) is None
        ],
        divergences=oral.divergences(candidate) if everyone else [],
        everyone=everyone,
    )


@bp.get("/jury/candidat/<int:candidate_id>/dossier")
@launch_required
def jury_dossier(candidate_id: int) -> Response:
    """The candidate's dossier, for the jury (the read is logged)."""
    candidate = _jury_candidate(candidate_id)
    upload, _report, _verdict = _dossier(candidate)
    path = dossier_service.storage_root() / upload.stored_name if upload else None
    if upload is None or path is None or not path.is_file():
        abort(404)
    dossier_service.log_access(upload, current_launch().user_id, "download", now())
    db.session.commit()
    mime = {
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "odt": "application/vnd.oasis.opendocument.text",
        "pdf": "application/pdf",
        "md": "text/markdown",
    }.get(upload.detected_type, "application/octet-stream")
    name = f"dossier-{candidate.id}-v{upload.version}.{upload.detected_type or 'bin'}"
    return Response(
        path.read_bytes(),
        mimetype=mime,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.post("/jury/candidat/<int:candidate_id>/oral/<action>")
@launch_required
def oral_timer(candidate_id: int, action: str) -> Any:
    """Start or stop the oral's timer."""
    candidate = _jury_candidate(candidate_id)
    user_id = current_launch().user_id
    try:
        if action == "start":
            oral.start_oral(candidate, by_id=user_id, now=now())
        elif action == "end":
            oral.end_oral(candidate, by_id=user_id, now=now())
        else:
            abort(404)
    except CertificationError as error:
        _refused(error)
        return redirect(url_for(".jury_candidate", candidate_id=candidate_id))
    db.session.commit()
    return redirect(url_for(".jury_candidate", candidate_id=candidate_id, _anchor="oral"))


@bp.post("/jury/candidat/<int:candidate_id>/absence")
@launch_required
def oral_absence(candidate_id: int) -> Any:
    """Record that the candidate did not come to the oral (no grid is then expected)."""
    candidate = _jury_candidate(candidate_id)
    if request.form.get("confirm") != "1":
        flash(_("Cochez la case pour confirmer l'absence du candidat."), "error")
        return redirect(url_for(".jury_candidate", candidate_id=candidate_id))
    try:
        oral.record_absence(candidate, by_id=current_launch().user_id, now=now())
    except CertificationError as error:
        _refused(error)
        return redirect(url_for(".jury_candidate", candidate_id=candidate_id))
    db.session.commit()
    flash(_("Absence à l'oral consignée."), "ok")
    return redirect(url_for(".jury_candidate", candidate_id=candidate_id))


@bp.post("/jury/candidat/<int:candidate_id>/grille")
@launch_required
def submit_marks(candidate_id: int) -> Any:
    """Submit this member's grid, once; the others' stay hidden until everyone has."""
    candidate = _jury_candidate(candidate_id)
    form = request.form.to_dict()
    try:
        marks = oral.parse_marks(candidate.session, form)
        oral.submit_sheet(
            candidate,
            member_id=current_launch().user_id,
            marks=marks,
            notes=form.get("notes", ""),
            now=now(),
        )
    except CertificationError as error:
        _refused(error)
        return _jury_candidate_page(candidate, form), 400
    db.session.commit()
    flash(_("Grille soumise. Elle ne peut plus être modifiée."), "ok")
    return redirect(url_for(".jury_candidate", candidate_id=candidate_id))


def _deliberation_page(candidate: CertCandidate, form: dict[str, str]) -> str:
    decided = deliberation.decisions_of(candidate.id)
    return render_template(
        "certification/deliberation.html",
        candidate=candidate,
        session=candidate.session,
        rows=deliberation.evidence(candidate),
        decided=decided,
        problems=deliberation.ready_problems(candidate),
        divergences=oral.divergences(candidate) if oral.all_submitted(candidate) else [],
        incidents=deliberation.incidents_for_deliberation(candidate),
        attempt=deliberation.exam_attempt(candidate),
        verdict=_dossier(candidate)[2],
        levels=LEVEL_LABELS,
        form=form,
    )


@bp.get("/jury/candidat/<int:candidate_id>/deliberation")
@launch_required
def deliberate_page(candidate_id: int) -> str:
    """The evidence per competency side by side, and the decision form."""
    return _deliberation_page(_jury_candidate(candidate_id), {})


@bp.post("/jury/candidat/<int:candidate_id>/deliberation")
@launch_required
def deliberate(candidate_id: int) -> Any:
    """Record the jury's decision per competency."""
    candidate = _jury_candidate(candidate_id)
    form = request.form.to_dict()
    try:
        result = deliberation.decide(
            candidate,
            choices={c: form.get(f"decision_{c}", "") for c in COMPETENCIES},
            justifications={c: form.get(f"justification_{c}", "") for c in COMPETENCIES},
            by_id=current_launch().user_id,
            now=now(),
        )
    except CertificationError as error:
        _refused(error)
        return _deliberation_page(candidate, form), error.status
    db.session.commit()
    flash(
        _("Délibération consignée : %(result)s.", result=RESULT_LABELS[result]),
        "ok",
    )
    return redirect(url_for(".jury_session", session_id=candidate.session_id))


@bp.post("/sessions/<int:session_id>/cloture")
@launch_required
def close_session(session_id: int) -> Any:
    """Close the session and draw up its PV."""
    return _certifier_act(
        session_id,
        lambda cert_session: pv.close(cert_session, by=current_launch().user, now=now()),
        lambda record: _(
            "Session close : PV n° %(n)s établi, en attente de la confirmation de chaque membre du jury.",
            n=record.number,
        ),
    )


@bp.post("/sessions/<int:session_id>/correction")
@launch_required
def reopen_session(session_id: int) -> Any:
    """Reopen a closed session for a correction (a new, linked PV follows)."""
    return _certifier_act(
        session_id,
        lambda cert_session: pv.reopen_for_correction(
            cert_session, by=current_launch().user, reason=request.form.get("reason", ""), now=now()
        ),
        _("Session rouverte pour correction : le prochain PV citera le précédent."),
    )


def _pv_reader(pv_id: int) -> CertPv:
    """A PV the launched person may read: the certifier or a member of the session's jury."""
    record = db.session.get(CertPv, pv_id)
    if record is None:
        abort(404)
    user_id = current_launch().user_id
    if not (services.is_jury_member(record.session_id, user_id) or services.is_certifier(user_id)):
        abort(403)
    if services.is_certifier(user_id) and not services.is_jury_member(record.session_id, user_id):
        _certifier_session(record.session_id)
    return record


@bp.get("/pv/<int:pv_id>.pdf")
@launch_required
def pv_download(pv_id: int) -> Response:
    """The PV's PDF, byte for byte as hashed."""
    record = _pv_reader(pv_id)
    return Response(
        record.pdf,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="pv-jury-{record.session_id}-{record.number}.pdf"'
        },
    )


@bp.post("/pv/<int:pv_id>/confirmer")
@launch_required
def pv_confirm(pv_id: int) -> Any:
    """A jury member confirms the PV (name and time, on its SHA-256)."""
    record = db.session.get(CertPv, pv_id)
    if record is None:
        abort(404)
    _jury_session(record.session_id)
    if request.form.get("read") != "1":
        flash(_("Cochez la case pour confirmer avoir relu le PV."), "error")
        return redirect(url_for(".jury_session", session_id=record.session_id))
    try:
        done = pv.confirm(
            record, member=current_launch().user, sha256=request.form.get("sha256", ""), now=now()
        )
    except CertificationError as error:
        _refused(error)
        return redirect(url_for(".jury_session", session_id=record.session_id))
    db.session.commit()
    flash(
        _("PV signé par tous les membres : il est désormais définitif.")
        if done
        else _("Votre confirmation du PV est consignée."),
        "ok",
    )
    return redirect(url_for(".jury_session", session_id=record.session_id))


@bp.get("/resultats")
@launch_required
def course_results() -> str:
    """Trainers of the course: the results of sessions whose PV is signed, nothing before."""
    launch = current_launch()
    if not launch.is_trainer:
        abort(403)
    published = []
    for cert_session in services.sessions_of_context(launch.context_id):
        record = pv.signed_pv(cert_session.id)
        if record is not None and cert_session.status == "closed":
            published.append((cert_session, record))
    return render_template(
        "certification/course_results.html", published=published, results=RESULT_LABELS
    )


@bp.get("/mon-resultat/<int:candidate_id>")
@launch_required
def my_result(candidate_id: int) -> str:
    """The candidate's result per competency and the jury's comments, once the PV is signed."""
    candidate = db.session.get(CertCandidate, candidate_id)
    if candidate is None or candidate.user_id != current_launch().user_id:
        abort(404)
    published = pv.is_published(candidate)
    comments: dict[str, list[str]] = {}
    if published:
        for sheet in oral.sheets(candidate.id):
            for line_id, mark in sorted(sheet.marks.items()):
                if mark.get("comment"):
                    comments.setdefault(line_id.split(".")[0], []).append(
                        f"{line_id} ({LEVEL_LABELS[mark['level']]}) : {mark['comment']}"
                    )
    return render_template(
        "certification/my_result.html",
        candidate=candidate,
        session=candidate.session,
        published=published,
        decisions=deliberation.decisions_of(candidate.id) if published else {},
        comments=comments,
        criteria=CRITERIA,
        results=RESULT_LABELS,
        extra=result_extra(candidate) if published else {},
    )


def result_extra(candidate: CertCandidate) -> dict[str, Any]:
    """What the result page adds: how long acquired competencies are kept, retakes allowed.

    (Later steps add the certificate, appeals and the CPF record here.)
    """
    rules = candidate.session.rules.get("retake", {})
    certificate = certificates.of_candidate(candidate.id)
    return {
        "keep_months": rules.get("keep_acquired_months"),
        "retakes": rules.get("max_retakes"),
        "certificate": certificate,
        "verification_url": certificates.verification_url(certificate) if certificate else None,
        "cpf": cpf.of_candidate(candidate.id),
        "appeals": appeals.of_candidate(candidate.id),
        "appeal_deadline": appeals.deadline(candidate),
        "now": now(),
    }


def _own_certificate(candidate_id: int) -> Certificate:
    candidate = db.session.get(CertCandidate, candidate_id)
    if candidate is None or candidate.user_id != current_launch().user_id:
        abort(404)
    certificate = certificates.of_candidate(candidate.id)
    if certificate is None or not pv.is_published(candidate):
        abort(404)
    return certificate


@bp.get("/mon-resultat/<int:candidate_id>/certificat.pdf")
@launch_required
def my_certificate(candidate_id: int) -> Response:
    """The holder's certificate (PDF with verification URL and QR code)."""
    certificate = _own_certificate(candidate_id)
    return Response(
        certificates.certificate_pdf(certificate),
        mimetype="application/pdf",
        headers={
            "Content-Disposition": 'attachment; filename="certificat-bilan-de-competences.pdf"'
        },
    )


@bp.post("/mon-resultat/<int:candidate_id>/consentement")
@launch_required
def my_consent(candidate_id: int) -> Any:
    """The holder chooses what the verification page shows."""
    certificate = _own_certificate(candidate_id)
    certificates.set_consent(
        certificate,
        {f: request.form.get(f) == "1" for f in certificates.CONSENT_FIELDS},
        by_id=current_launch().user_id,
        now=now(),
    )
    db.session.commit()
    flash(_("Vos choix d'affichage sur la page de vérification sont enregistrés."), "ok")
    return redirect(url_for(".my_result", candidate_id=candidate_id))


@bp.post("/certificats/<int:certificate_id>/revocation")
@launch_required
def revoke_certificate(certificate_id: int) -> Any:
    """The certifier revokes a certificate, with a reason (logged)."""
    certificate = db.session.get(Certificate, certificate_id)
    if certificate is None:
        abort(404)
    return _certifier_act(
        certificate.candidate.session_id,
        lambda _session: certificates.revoke(
            certificate,
            reason=request.form.get("reason", ""),
            by_id=current_launch().user_id,
            now=now(),
        ),
        _("Certificat révoqué ; la page de vérification l'indique désormais."),
    )


#: Public pages (no launch): the certificate's verification.
public = Blueprint("certificate_public", __name__, url_prefix="/certificat")


@public.get("/<code>")
def verify_certificate(code: str) -> Any:
    """Whether a certificate is valid; the holder's details only as they consented."""
    certificate = certificates.by_code(code) if len(code) <= 32 else None
    if certificate is None:
        return render_template("certification/verify.html", view=None), 404
    return render_template("certification/verify.html", view=certificates.public_view(certificate))


@bp.post("/mon-resultat/<int:candidate_id>/cpf")
@launch_required
def my_cpf(candidate_id: int) -> Any:
    """The holder enters the NIR and birth name the CPF record needs (stored encrypted)."""
    certificate = _own_certificate(candidate_id)
    try:
        cpf.enter(
            certificate.candidate,
            nir=request.form.get("nir", ""),
            birth_name=request.form.get("birth_name", ""),
            by_id=current_launch().user_id,
            now=now(),
        )
    except CertificationError as error:
        _refused(error)
        return redirect(url_for(".my_result", candidate_id=candidate_id, _anchor="cpf-title"))
    db.session.commit()
    flash(
        _(
            "Données CPF enregistrées (chiffrées) : le certificateur les transmettra à la Caisse des Dépôts."
        ),
        "ok",
    )
    return redirect(url_for(".my_result", candidate_id=candidate_id))


@bp.post("/sessions/<int:session_id>/cpf")
@launch_required
def cpf_export(session_id: int) -> Any:
    """The certifier downloads the CPF file of the session's certified holders."""
    cert_session = _certifier_session(session_id)
    try:
        built = cpf.export(cert_session, by_id=current_launch().user_id, now=now())
    except CertificationError as error:
        _refused(error)
        return redirect(url_for(".session", session_id=session_id))
    db.session.commit()
    return Response(
        built.xml,
        mimetype="application/xml",
        headers={"Content-Disposition": f'attachment; filename="cpf-{built.id_flux}.xml"'},
    )


@bp.post("/sessions/<int:session_id>/cpf/compte-rendu")
@launch_required
def cpf_receipt(session_id: int) -> Any:
    """Import the portal's processing receipt; each holder's state follows."""
    cert_session = _certifier_session(session_id)
    upload = request.files.get("receipt")
    if upload is None:
        flash(_("Choisissez le fichier du compte rendu."), "error")
        return redirect(url_for(".session", session_id=session_id))
    try:
        counts = cpf.import_receipt(
            cert_session, upload.read(2_000_000), by_id=current_launch().user_id, now=now()
        )
    except CertificationError as error:
        _refused(error)
        return redirect(url_for(".session", session_id=session_id))
    db.session.commit()
    parts = [
        ngettext("%(num)s accepté", "%(num)s acceptés", counts["accepted"]),
        ngettext("%(num)s rejeté", "%(num)s rejetés", counts["rejected"]),
        ngettext("%(num)s inconnu", "%(num)s inconnus", counts["unknown"]),
    ]
    flash(_("Compte rendu importé : %(counts)s.", counts=", ".join(parts)), "ok")
    return redirect(url_for(".session", session_id=session_id))


def _cpf_purge_task(at: Any) -> str:
    return f"données CPF effacées : {cpf.purge(at)}"


TASKS.append(("certification-cpf-purge", _cpf_purge_task, 3600.0))


@bp.post("/mon-resultat/<int:candidate_id>/recours")
@launch_required
def my_appeal(candidate_id: int) -> Any:
    """The candidate lodges an appeal within the certifier's delay."""
    candidate = db.session.get(CertCandidate, candidate_id)
    if candidate is None or candidate.user_id != current_launch().user_id:
        abort(404)
    try:
        appeals.lodge(candidate, text=request.form.get("text", ""), now=now())
    except CertificationError as error:
        _refused(error)
        return redirect(url_for(".my_result", candidate_id=candidate_id, _anchor="appeal-title"))
    db.session.commit()
    flash(
        _("Recours enregistré : le certificateur l'examinera et vous en communiquera l'issue ici."),
        "ok",
    )
    return redirect(url_for(".my_result", candidate_id=candidate_id))


@bp.post("/recours/<int:appeal_id>/issue")
@launch_required
def decide_appeal(appeal_id: int) -> Any:
    """The certifier records the appeal's outcome."""
    appeal = db.session.get(CertAppeal, appeal_id)
    if appeal is None:
        abort(404)
    return _certifier_act(
        appeal.candidate.session_id,
        lambda _session: appeals.decide(
            appeal,
            outcome=request.form.get("outcome", ""),
            text=request.form.get("text", ""),
            by_id=current_launch().user_id,
            now=now(),
        ),
        _("Issue du recours consignée."),
    )

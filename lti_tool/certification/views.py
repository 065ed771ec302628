"""Certification pages: the certifier's sessions, the jury's pages, the candidate's convocation.

Who sees what is decided here, per request, from the tool's own records, never from the LMS
role alone: the certifier's grant, the appointment to a session's jury, the convocation.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from lti_tool.certification import audit, services
from lti_tool.certification.models import CertJuryMember, CertSession
from lti_tool.certification.services import CertificationError
from lti_tool.clock import now
from lti_tool.extensions import db
from lti_tool.home.views import HUB_LINKS
from lti_tool.launch_session import current_launch, launch_required
from lti_tool.models.core import ROLE_ADMIN, User

bp = Blueprint("certification", __name__, url_prefix="/s/<lt>/certification")

HUB_LINKS.append(("certification.index", "Certification : sessions, jury, résultats", False))


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
        raise CertificationError("Date et heure invalides.") from None
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
        events=audit.events(cert_session.id),
        users={u.id: u for u in db.session.query(User).all()},
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
    cert_session = _certifier_session(session_id)
    member = db.session.get(CertJuryMember, member_id)
    if member is None or member.session_id != cert_session.id:
        abort(404)
    try:
        services.remove_member(cert_session, member, by=current_launch().user, now=now())
    except CertificationError as error:
        _refused(error)
        return redirect(url_for(".session", session_id=session_id))
    db.session.commit()
    flash(_("Membre retiré du jury."), "ok")
    return redirect(url_for(".session", session_id=session_id))


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
    )

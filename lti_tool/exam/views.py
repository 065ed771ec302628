"""The certification questionnaire: candidate pages, autosave API and trainer pages."""

from __future__ import annotations

import json
from typing import Any, cast

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from grading.timing import TIERS_TEMPS_PERCENT, deadline
from lti_tool.clock import now
from lti_tool.csv_export import csv_response
from lti_tool.exam import autosave, incidents, service, session
from lti_tool.exam import bank as bank_module
from lti_tool.exam.page import paper_html
from lti_tool.exam.reports import (
    ANGOFF_GAP,
    angoff_checks,
    item_analysis_report,
    monitoring_rows,
)
from lti_tool.exam.service import ExamError
from lti_tool.exam.thresholds import attempt_standard
from lti_tool.extensions import db
from lti_tool.formatting import decimal_comma
from lti_tool.home.views import HUB_TRAINER_PAGES
from lti_tool.launch_session import current_launch, launch_required, trainer_required
from lti_tool.lti.registry import DEEP_LINK_PROVIDERS, TARGET_ROUTES, DeepLinkItem
from lti_tool.models.core import AuditEvent, Enrollment, ResourceLink, User
from lti_tool.models.exam import STATUS_IN_PROGRESS, ExamAttempt, ExamEvent

bp = Blueprint("exam", __name__, url_prefix="/s/<lt>/examen")
# Accepted autosaves are served in front of Flask; refused ones come to ``save`` below.
bp.record_once(lambda state: autosave.install(cast(Flask, state.app)))


#: Query parameter naming the exam activity when a trainer comes from the course hub.
ACTIVITY_ARG = "activite"


def _link() -> ResourceLink:
    """The exam activity: the launched one, or for a trainer coming from the hub (or any
    other activity of the course) the exam activity of the same course named by ``?activite=``."""
    launch = current_launch()
    link = launch.resource_link
    if link is not None and (link.target or "").startswith("exam:"):
        return link
    chosen = request.args.get(ACTIVITY_ARG, type=int)
    if launch.is_trainer and chosen:
        other = db.session.get(ResourceLink, chosen)
        if (
            other is not None
            and other.context_id == launch.context_id
            and (other.target or "").startswith("exam:")
        ):
            g.exam_activity = other.id
            return other
    abort(404)


@bp.url_defaults
def _keep_activity(endpoint: str, values: dict[str, Any]) -> None:
    """Links and forms of a trainer who came from the hub keep naming the exam activity."""
    chosen = g.get("exam_activity")
    if chosen is not None and endpoint.startswith("exam."):
        values.setdefault(ACTIVITY_ARG, chosen)


def hub_pages(launch: Any) -> list[tuple[str, str]]:
    """The exam's trainer pages for each exam activity of the course (course hub)."""
    links = db.session.scalars(
        select(ResourceLink)
        .where(ResourceLink.context_id == launch.context_id, ResourceLink.target.like("exam:%"))
        .order_by(ResourceLink.id)
    ).all()
    pages: list[tuple[str, str]] = []
    for link in links:
        suffix = f" — {link.title}" if len(links) > 1 and link.title else ""
        for endpoint, label in (
            ("exam.monitor", _("Suivi de l'épreuve 1")),
            ("exam.analysis", _("Analyse des items de l'épreuve 1")),
        ):
            values: dict[str, Any] = {ACTIVITY_ARG: link.id}
            pages.append((url_for(endpoint, **values), label + suffix))
    return pages


HUB_TRAINER_PAGES.append(hub_pages)


def _own_attempt() -> ExamAttempt:
    launch = current_launch()
    attempt = service.latest_attempt(_link().id, launch.user_id)
    if attempt is None:
        abort(404)
    return attempt


def _own_attempt_locked() -> ExamAttempt:
    """The candidate's latest attempt, locked, in one query."""
    attempt = service.lock_latest(_link().id, current_launch().user_id)
    if attempt is None:
        abort(404)
    return attempt


def _refusal(code: str, message: str, status: int, *, final: bool) -> tuple[Response, int]:
    """A refused save, as the page's script reads it.

    ``final: true`` is the only answer that makes the page drop the answer from its queue (it
    can never be saved: a malformed payload, an item outside the paper, a choice the item does
    not offer). Without it the page keeps the answer and retries; 409 stops the page.
    """
    body: dict[str, Any] = {"ok": False, "error": code, "message": message, "final": final}
    return jsonify(body), status


def _error_json(error: ExamError) -> tuple[Response, int]:
    return _refusal(error.code, error.message, error.status, final=error.final)


@bp.get("/")
@launch_required
def index() -> Any:
    """Intro page, the running attempt, or the result."""
    launch = current_launch()
    link = _link()
    if launch.is_trainer:
        return redirect(url_for("exam.monitor"))
    state = session.intro_state(link.id, link.context_id, launch.user_id)
    if state.status == STATUS_IN_PROGRESS:
        return redirect(url_for("exam.take"))
    if state.attempt_no is not None and state.attempt_no >= service.attempts_allowed(
        link.id, launch.user_id
    ):
        return redirect(url_for("exam.result"))
    if state.closed and session.pending_reopen(link.id, launch.user_id) is None:
        return render_template("exam/closed.html")
    bank = bank_module.current_bank()
    extra = state.extra_time_percent
    minutes = int(bank.duration_minutes * (1 + extra / 100))
    items, exact = _paper_size(bank)
    attempt_no = (state.attempt_no or 0) + 1
    return render_template(
        "exam/intro.html",
        bank=bank,
        minutes=minutes,
        extra=extra,
        items=items,
        exact=exact,
        attempt_no=attempt_no,
    )


def _paper_size(bank: service.Bank) -> tuple[int, bool]:
    """The number of items on a paper, and whether every paper has exactly that many.

    With strata (``case_items_per_competency``) or a fixed ``items_per_case`` every paper has
    the same length (``rules.paper_length``); otherwise it depends on the cases drawn.
    """
    if bank.rules.paper_length is not None:  # strata: every paper has exactly this length
        return bank.rules.paper_length, True
    standalone = sum(bank.rules.items_per_competency.values())
    by_case = [len(case.item_ids) for case in bank.cases]
    average_case = sum(by_case) / len(by_case) if by_case else 0
    return round(standalone + average_case * bank.rules.case_studies), False


@bp.post("/commencer")
@launch_required
def start() -> Any:
    """Start (or resume) the attempt; the server fixes the deadline now."""
    launch = current_launch()
    if launch.is_trainer:
        abort(403)
    try:
        service.start_or_resume(
            link=_link(),
            user_id=launch.user_id,
            bank=bank_module.current_bank(),
            grace_seconds=current_app.config["EXAM_GRACE_SECONDS"],
            now=now(),
        )
    except ExamError as error:
        if error.code == "session_closed":
            db.session.rollback()
            return render_template("exam/closed.html"), error.status
        flash(error.message, "error")
        return redirect(url_for("exam.result"))
    db.session.commit()
    return redirect(url_for("exam.take"), code=303)


@bp.get("/passer")
@launch_required
def take() -> Any:
    """The paper: every item on one page, saved as soon as chosen."""
    launch = current_launch()
    if launch.is_trainer:
        abort(403)
    attempt = _own_attempt_locked()
    moment = now()
    if attempt.status == STATUS_IN_PROGRESS and service.time_rules(attempt).is_over(moment):
        # Time is up: no page opens for new work, the end screen shows the submitted paper.
        # (The grace only covers saves already in flight at the deadline.)
        service.submit(attempt, now=moment, reason="deadline", pass_mark=bank_module.pass_mark())
        db.session.commit()
    if attempt.status != STATUS_IN_PROGRESS:
        return redirect(url_for("exam.result"))
    page_version = service.open_page(attempt, moment)
    answers = service.answers_of(attempt)
    content = bank_module.display_content()
    page = render_template(
        "exam/take.html",
        attempt=attempt,
        page_version=page_version,
        answers=answers,
        paper=paper_html(
            attempt.paper, answers, content, bank_module.current_bank().version, attempt.seed
        ),
        remaining=service.time_rules(attempt).remaining_seconds(moment),
    )
    # Rendered before the commit: after it every loaded row would be read again (a new
    # transaction and three more round trips per page). Nothing is shown if the commit fails.
    db.session.commit()
    return page


@bp.post("/enregistrer")
@launch_required
def save() -> Any:
    """Autosave one answer (JSON); idempotent and ordered by the page's sequence number."""
    launch = current_launch()
    if launch.is_trainer:
        abort(403)
    payload = request.get_json(silent=True) or {}
    try:
        item_id = str(payload["item_id"])
        choices = [str(c) for c in payload.get("choices", [])]
        flagged = bool(payload.get("flagged", False))
        page_version = int(payload["page_version"])
        client_seq = int(payload["seq"])
        if not (0 <= client_seq < 2**53 and 0 <= page_version < 2**31):
            raise ValueError("out of range")
    except (KeyError, TypeError, ValueError):
        return _refusal("bad_request", _("Requête invalide."), 400, final=True)
    attempt = service.lock_latest(launch.resource_link_id or 0, launch.user_id)
    if attempt is None:
        abort(404)
    try:
        result = service.save_answer(
            attempt,
            item_id=item_id,
            choices=choices,
            flagged=flagged,
            page_version=page_version,
            client_seq=client_seq,
            now=now(),
        )
    except ExamError as error:
        db.session.commit()  # a late save submits the attempt: keep that
        return _error_json(error)
    if "offline_ms" in payload:  # the page could not save for a while: an incident if long
        incidents.record_outage(attempt, payload["offline_ms"], now())
    db.session.commit()
    return jsonify(
        {
            "ok": True,
            "stored": result.stored,
            "remaining_seconds": result.remaining_seconds,
            "deadline": result.deadline.isoformat(),
            "in_grace": result.in_grace,
        }
    )


@bp.get("/temps")
@launch_required
def remaining() -> Any:
    """The server's remaining time (resynchronises the countdown)."""
    attempt = _own_attempt()
    rules = service.time_rules(attempt)
    return jsonify(
        {
            "status": attempt.status,
            "remaining_seconds": rules.remaining_seconds(now()),
            "deadline": attempt.deadline_at.isoformat(),
        }
    )


@bp.post("/remettre")
@launch_required
def submit() -> Any:
    """Submit the attempt with the answers saved so far (twice is harmless)."""
    launch = current_launch()
    if launch.is_trainer:
        abort(403)
    attempt = _own_attempt_locked()
    service.submit(attempt, now=now(), reason="candidate", pass_mark=bank_module.pass_mark())
    db.session.commit()
    return redirect(url_for("exam.result"), code=303)


@bp.get("/resultat")
@launch_required
def result() -> Any:
    """The candidate's result: overall and per competency; answers once released."""
    launch = current_launch()
    if launch.is_trainer:
        return redirect(url_for("exam.monitor"))
    attempt = service.latest_attempt(_link().id, launch.user_id)
    if attempt is None:
        return redirect(url_for("exam.index"))
    if attempt.status == STATUS_IN_PROGRESS:
        return redirect(url_for("exam.take"))
    # Published, and not reopened for this candidate (who would still be sitting).
    released = session.correction_visible(_link().id, launch.user_id)
    return render_template(
        "exam/result.html",
        attempt=attempt,
        released=released,
        answers=service.answers_of(attempt) if released else {},
        content=bank_module.display_content() if released else None,
        pass_mark=bank_module.pass_mark(),
        standard=attempt_standard(attempt),
    )


# --- Trainers and jury ----------------------------------------------------------------------


@bp.get("/suivi")
@trainer_required
def monitor() -> Any:
    """Live monitoring of the session: started, time left, answered, submitted."""
    link = _link()
    rows = monitoring_rows(link, now())
    audit = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.context_id == link.context_id, AuditEvent.action.like("exam.%"))
        .order_by(AuditEvent.at.desc())
        .limit(50)
    ).all()
    return render_template(
        "exam/monitor.html",
        rows=rows,
        audit=audit,
        released=session.is_closed(link.id),
        running=len(session.running_attempts(link.id)),
        reopened=session.pending_reopens(link.id),
        tiers_temps=round(TIERS_TEMPS_PERCENT, 2),
        users={u.id: u for u in db.session.scalars(select(User)).all()} if audit else {},
    )


@bp.get("/suivi.json")
@trainer_required
def monitor_json() -> Any:
    """Monitoring rows as JSON for the page's periodic refresh."""
    return jsonify([row.as_json() for row in monitoring_rows(_link(), now())])


def _enrolled_user(user_id: int) -> User:
    link = _link()
    enrolled = db.session.scalar(
        select(Enrollment).where(
            Enrollment.context_id == link.context_id, Enrollment.user_id == user_id
        )
    )
    if enrolled is None:
        abort(404)
    user: User = enrolled.user
    return user


@bp.post("/amenagement")
@trainer_required
def accommodation() -> Any:
    """Set a candidate's extra time (tiers temps, or any percentage), before or during the attempt.

    Nothing is pre-filled: the trainer types the percentage, then confirms on a page that shows
    the new duration and, for a running attempt, its new end time (``confirm=1``).
    """
    launch = current_launch()
    user = _enrolled_user(request.form.get("user_id", type=int) or 0)
    raw = (request.form.get("percent") or "").replace(",", ".").replace("%", "").strip()
    if not raw:
        flash(
            _(
                "Saisissez le pourcentage de temps supplémentaire (tiers temps : %(p)s).",
                p=decimal_comma(round(TIERS_TEMPS_PERCENT, 2)),
            ),
            "error",
        )
        return redirect(url_for("exam.monitor"))
    try:
        percent = float(raw)
    except ValueError:
        flash(_("Pourcentage invalide : saisissez un nombre, par exemple 33,33."), "error")
        return redirect(url_for("exam.monitor"))
    if not 0 <= percent <= 400:
        flash(_("Le temps supplémentaire doit être compris entre 0 et 400 %."), "error")
        return redirect(url_for("exam.monitor"))
    if request.form.get("confirm") != "1":
        return _confirm_accommodation(user, percent)
    try:
        service.set_accommodation(
            context_id=launch.context_id,
            user_id=user.id,
            percent=percent,
            actor_id=launch.user_id,
            now=now(),
        )
    except ExamError as error:
        flash(error.message, "error")
        return redirect(url_for("exam.monitor"))
    db.session.commit()
    flash(_("Temps supplémentaire enregistré pour %(name)s.", name=user.display_name), "success")
    return redirect(url_for("exam.monitor"), code=303)


def _confirm_accommodation(user: User, percent: float) -> Any:
    """The confirmation page: what the extra time changes, before anything is recorded."""
    link = _link()
    bank = bank_module.current_bank()
    current = service.extra_time_for(link.context_id, user.id)
    attempt = service.latest_attempt(link.id, user.id)
    running = attempt if attempt is not None and attempt.status == STATUS_IN_PROGRESS else None
    new_end = None
    if running is not None:
        new_end = max(deadline(running.started_at, running.duration_minutes, percent), now())
    return render_template(
        "exam/accommodation_confirm.html",
        candidate=user,
        percent=percent,
        current=current,
        minutes=round(bank.duration_minutes * (1 + percent / 100)),
        running=running,
        new_end=new_end,
    )


@bp.post("/reinitialiser")
@trainer_required
def reset() -> Any:
    """Open a new attempt for a candidate, with a written reason."""
    launch = current_launch()
    user = _enrolled_user(request.form.get("user_id", type=int) or 0)
    try:
        service.reset_attempt(
            link=_link(),
            user_id=user.id,
            actor_id=launch.user_id,
            reason=request.form.get("reason", ""),
            now=now(),
        )
    except ExamError as error:
        flash(error.message, "error")
        return redirect(url_for("exam.monitor"))
    db.session.commit()
    flash(_("Nouvelle tentative ouverte pour %(name)s.", name=user.display_name), "success")
    return redirect(url_for("exam.monitor"), code=303)


@bp.post("/publier-correction")
@trainer_required
def release() -> Any:
    """Close the session and publish the correction (running attempts only if confirmed)."""
    try:
        ended = session.close_and_release(
            link=_link(),
            actor_id=current_launch().user_id,
            now=now(),
            end_running=request.form.get("end_running") == "1",
            pass_mark=bank_module.pass_mark(),
        )
    except ExamError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("exam.monitor"), code=303)
    db.session.commit()
    if ended:
        flash(
            ngettext(
                "%(num)s copie en cours a été remise. La session est close et la correction "
                "est maintenant visible par les candidats.",
                "%(num)s copies en cours ont été remises. La session est close et la correction "
                "est maintenant visible par les candidats.",
                len(ended),
            ),
            "success",
        )
    else:
        flash(
            _("La session est close et la correction est maintenant visible par les candidats."),
            "success",
        )
    return redirect(url_for("exam.monitor"), code=303)


@bp.post("/rouvrir")
@trainer_required
def reopen() -> Any:
    """Reopen the closed session for one candidate (an accommodation, with a written reason)."""
    launch = current_launch()
    user = _enrolled_user(request.form.get("user_id", type=int) or 0)
    try:
        session.reopen_for(
            link=_link(),
            user_id=user.id,
            actor_id=launch.user_id,
            reason=request.form.get("reason", ""),
            now=now(),
        )
    except ExamError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("exam.monitor"), code=303)
    db.session.commit()
    flash(
        _(
            "Session rouverte pour %(name)s : ce candidat peut commencer l'épreuve ; la "
            "correction lui reste masquée jusqu'à sa remise.",
            name=user.display_name,
        ),
        "success",
    )
    return redirect(url_for("exam.monitor"), code=303)


@bp.get("/resultats.csv")
@trainer_required
def export_csv() -> Response:
    """Results per competency, one line per attempt (CSV, UTF-8 with BOM for spreadsheets)."""
    link = _link()
    attempts = db.session.scalars(
        select(ExamAttempt).where(ExamAttempt.resource_link_id == link.id).order_by(ExamAttempt.id)
    ).all()
    competencies = sorted({c for a in attempts for c in (a.per_competency or {})})
    header = [
        "candidat",
        "tentative",
        "statut",
        "début",
        "fin",
        "motif",
        "points",
        "maximum",
        "seuil (points)",
        "réussite",
    ]
    for c in competencies:
        header += [f"{c} (points/max)", f"{c} seuil (points)"]
    rows = []
    for a in attempts:
        per = a.per_competency or {}
        # The cut score fixed at the draw (modified Angoff): overall and per competency, so the
        # spreadsheet shows what each result was judged against (empty for older attempts).
        standard = attempt_standard(a)
        needed = {line.competency: line.needed for line in standard.lines}
        per_cells: list[object] = []
        for c in competencies:
            per_cells.append(f"{per[c][0]:g}/{per[c][1]}" if c in per else "")
            per_cells.append(needed[c] if needed.get(c) is not None else "")
        rows.append(
            [
                a.user.display_name,
                a.attempt_no,
                a.status,
                a.started_at.isoformat(),
                a.finished_at.isoformat() if a.finished_at else "",
                a.submit_reason or "",
                a.score_points if a.score_points is not None else "",
                a.score_maximum or "",
                standard.needed if standard.needed is not None else "",
                {True: "oui", False: "non", None: ""}[a.passed],
            ]
            + per_cells
        )
    return csv_response("resultats-epreuve1.csv", header, rows)


@bp.get("/analyse")
@trainer_required
def analysis() -> Any:
    """Item analysis after the session: facility, discrimination, KR-20, with a chart, and each
    item's observed facility beside its Angoff expectation."""
    report = item_analysis_report(_link())
    bank = bank_module.current_bank()
    return render_template(
        "exam/analysis.html",
        report=report,
        angoff=angoff_checks(report, bank.ratings),
        angoff_provisional=bank.ratings_provisional,
        angoff_gap=ANGOFF_GAP,
    )


@bp.get("/plan")
@trainer_required
def blueprint_report() -> Any:
    """The blueprint on 1,000 simulated papers, item exposure, Angoff ratings and cut score."""
    from lti_tool.content import course
    from lti_tool.exam.blueprint_report import cached_report

    loaded = course()
    if loaded.bank is None or loaded.bank.blueprint is None:
        abort(503)
    analysis = item_analysis_report(_link())
    return render_template(
        "exam/blueprint_report.html",
        report=cached_report(loaded.version, loaded.bank),
        stats={s.item_id: s for s in analysis.items},
        candidates=analysis.candidates,
    )


@bp.get("/journal/<int:attempt_id>.json")
@trainer_required
def event_log(attempt_id: int) -> Response:
    """Export an attempt's hash-chained event log for the certification audit."""
    link = _link()
    attempt = db.session.get(ExamAttempt, attempt_id)
    if attempt is None or attempt.resource_link_id != link.id:
        abort(404)
    events = db.session.scalars(
        select(ExamEvent).where(ExamEvent.attempt_id == attempt.id).order_by(ExamEvent.seq)
    ).all()
    body = {
        "attempt": attempt.id,
        "candidate": attempt.user.display_name,
        "algorithm": "sha256(previous_hash|seq|canonical_json(payload))",
        "events": [
            {"seq": e.seq, "payload": e.payload, "previous_hash": e.previous_hash, "hash": e.hash}
            for e in events
        ],
    }
    return Response(
        json.dumps(body, ensure_ascii=False, indent=2),
        mimetype="application/json",
        headers={
            "Content-Disposition": f"attachment; filename=journal-tentative-{attempt.id}.json"
        },
    )


def _deep_link_items() -> list[DeepLinkItem]:
    return [
        DeepLinkItem(
            "exam",
            "certification",
            "Épreuve 1 : questionnaire de certification",
            "Questionnaire chronométré (1 heure), une seule tentative, dont 4 études de cas.",
            100.0,
            "Certification",
        )
    ]


TARGET_ROUTES["exam"] = ("exam.index", None)
DEEP_LINK_PROVIDERS.append(_deep_link_items)
incidents.install_routes(bp, _link, trainer_required, current_launch)

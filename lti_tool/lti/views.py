"""LTI 1.3 endpoints at stable paths: /lti/login, /lti/launch, /lti/jwks, deep linking."""

from __future__ import annotations

import hashlib
import logging
import secrets
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import jwt
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import refresh as refresh_locale
from sqlalchemy import select
from werkzeug.wrappers import Response as BaseResponse

from lti_tool.clock import now
from lti_tool.extensions import csrf_exempt, db
from lti_tool.i18n import normalise_locale
from lti_tool.launch_session import current_launch, launch_required, trainer_required
from lti_tool.lti import keys, lean, throttle
from lti_tool.lti import purge as _purge  # noqa: F401  (registers the worker's purge task)
from lti_tool.lti.launch import NoCourseRole, start_session
from lti_tool.lti.lean import RegistrationRow
from lti_tool.lti.registry import (
    DEEP_LINK_PROVIDERS,
    SUBMISSION_REVIEW,
    TARGET_ROUTES,
    DeepLinkItem,
)
from lti_tool.lti.store import LoginState, launch_store
from lti_tool.lti.validation import DL, LTI, LaunchRefused, validate
from lti_tool.models.lti import Registration

log = logging.getLogger("bilan.lti")
bp = Blueprint("lti", __name__, url_prefix="/lti")
pages = Blueprint("lti_pages", __name__, url_prefix="/s/<lt>")
STATE_COOKIE = "lti1p3-state-"
STORAGE_KEY = "lti_state_"
STATE_TTL = timedelta(minutes=10)
#: The login parameters the flow reads again (the platform storage, the restart in a new window),
#: each with the longest value accepted. Anything else the request carries is neither read nor
#: stored: an unauthenticated request must not be able to grow the database.
LOGIN_PARAMS = {
    "iss": 255,
    "client_id": 255,
    "lti_deployment_id": 255,
    "login_hint": 2048,
    "lti_message_hint": 4096,
    "target_link_uri": 1024,
    "lti_storage_target": 255,
}

COMPETENCIES = {
    "C1": "Définir des modalités et conditions de réalisation d'un bilan de compétences respectueuses du cadre réglementaire et déontologique, jusqu'à l'entretien de suivi.",
    "C2": "Conduire l'entretien d'analyse de la demande (phase préliminaire).",
    "C3": "Explorer le parcours professionnel et personnel du bénéficiaire (phase d'investigation).",
    "C4": "Adopter la posture d'un consultant facilitateur : neutralité, cadre, limites.",
    "C5": "Choisir et utiliser les outils du bilan.",
    "C6": "Formaliser un plan d'action et une synthèse co-construits.",
    "C7": "Assurer une veille et améliorer sa pratique.",
}


def base_url() -> str:
    """The tool's public URL."""
    return str(current_app.config["TOOL_BASE_URL"]).rstrip("/")


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def refusal(error: LaunchRefused, **context: Any) -> tuple[str, int]:
    """A French refusal page and a structured log line; never a stack trace."""
    details = " ".join(f"{k}={v}" for k, v in context.items() if v)
    log.warning("lti_launch_refused reason=%s status=%s %s", error.reason, error.status, details)
    return (
        render_template("lti/refused.html", error=error),
        error.status,
    )


def _registration_for(issuer: str, client_id: str | None) -> Registration | RegistrationRow | None:
    raw = lean.connection()
    if raw is not None:
        return lean.registration_for(raw, issuer, client_id)
    query = select(Registration).where(Registration.issuer == issuer, Registration.active)
    if client_id:
        query = query.where(Registration.client_id == client_id)
    rows = db.session.scalars(query).all()
    return rows[0] if len(rows) == 1 else None


def _target_ok(target: str) -> bool:
    base = base_url()
    return target == base or target.startswith(base + "/")


#: The largest body the login or the launch reads. A launch carries one id_token (a few KB, tens
#: with many custom parameters) and a state; the app's global limit (20 MB, for dossier uploads)
#: would let anyone make every worker parse megabytes of form before refusing it.
LTI_MAX_BODY_BYTES = 256 * 1024


@bp.before_request
def _bounded_body() -> None:
    """Refuse (413) an LTI request body beyond ``LTI_MAX_BODY_BYTES`` before reading it."""
    request.max_content_length = LTI_MAX_BODY_BYTES


@bp.route("/login", methods=["GET", "POST"])
@csrf_exempt
def login() -> Any:
    """OIDC login initiation: remember state and nonce, bound to this browser."""
    for name, longest in LOGIN_PARAMS.items():
        if len(request.values.get(name, "")) > longest:
            return refusal(
                LaunchRefused(
                    "oversized_login",
                    f"Demande de connexion refusée : le paramètre « {name} » dépasse "
                    f"{longest} caractères.",
                    "Administrateur de la plateforme : vérifiez les paramètres envoyés à l'outil.",
                )
            )
    params = {name: request.values[name] for name in LOGIN_PARAMS if request.values.get(name)}
    issuer, login_hint = params.get("iss"), params.get("login_hint")
    target = params.get("target_link_uri") or f"{base_url()}/lti/launch"
    if not issuer or not login_hint:
        return refusal(
            LaunchRefused(
                "bad_login", "Demande de connexion incomplète (iss et login_hint requis)."
            )
        )
    registration = _registration_for(issuer, params.get("client_id"))
    if registration is None:
        several = db.session.scalars(
            select(Registration).where(Registration.issuer == issuer)
        ).all()
        hint = (
            "Plusieurs enregistrements existent pour cette plateforme : elle doit envoyer client_id."
            if len(several) > 1
            else f"Administrateur : enregistrez la plateforme {issuer} (enregistrement dynamique ou « flask lti add-platform »)."
        )
        return refusal(
            LaunchRefused("unknown_registration", "Plateforme inconnue de l'outil.", hint, 403),
            iss=issuer,
        )
    if not _target_ok(target):
        return refusal(
            LaunchRefused("foreign_target", "L'adresse de lancement n'appartient pas à cet outil."),
            iss=issuer,
        )
    moment = now()
    if not throttle.allow(
        "login", request.remote_addr, int(current_app.config.get("LOGIN_RATE_LIMIT", 600)), moment
    ):
        db.session.commit()  # the count, even when refused
        limited = Response(
            render_template(
                "lti/refused.html",
                error=LaunchRefused(
                    "rate_limited",
                    "Trop de demandes de connexion depuis cette adresse : patientez une minute "
                    "puis relancez l'activité.",
                    "",
                    429,
                ),
            ),
            429,
        )
        limited.headers["Retry-After"] = str(int(throttle.WINDOW.total_seconds()))
        log.warning("lti_launch_refused reason=rate_limited status=429 iss=%s", issuer)
        return limited
    state, nonce, secret = (
        secrets.token_urlsafe(24),
        secrets.token_urlsafe(24),
        secrets.token_urlsafe(24),
    )
    # Read before save_state commits (the committed registration would be read again).
    client_id, auth_login_url = registration.client_id, registration.auth_login_url
    launch_store().save_state(
        LoginState(
            state=state,
            nonce=nonce,
            registration_id=registration.id,
            target_link_uri=target,
            browser_binding=_hash(secret),
            login_params=params,
            created_at=moment,
            expires_at=moment + STATE_TTL,
        )
    )
    query = {
        "scope": "openid",
        "response_type": "id_token",
        "response_mode": "form_post",
        "prompt": "none",
        "client_id": client_id,
        "redirect_uri": target,
        "login_hint": login_hint,
        "state": state,
        "nonce": nonce,
    }
    if params.get("lti_message_hint"):
        query["lti_message_hint"] = params["lti_message_hint"]
    auth_url = f"{auth_login_url}?{urlencode(query)}"
    storage_target = params.get("lti_storage_target")
    response: BaseResponse
    if storage_target:
        # LTI Client Side postMessage storage: keep the binding in the platform's frame too.
        response = Response(
            render_template(
                "lti/storage.html",
                mode="put",
                target=storage_target,
                origin=_origin(auth_login_url),
                key=STORAGE_KEY + state,
                value=secret,
                next=auth_url,
            )
        )
    else:
        response = redirect(auth_url)
    secure = bool(current_app.config.get("SESSION_COOKIE_SECURE"))
    response.set_cookie(
        STATE_COOKIE + state[:12],
        secret,
        max_age=int(STATE_TTL.total_seconds()),
        secure=secure,
        httponly=True,
        samesite="None" if secure else "Lax",
        partitioned=secure,
        path="/lti/",
    )
    return response


@bp.post("/launch")
@csrf_exempt
def launch() -> Any:
    """Validate the id_token completely, then open the requested page under a launch token."""
    token, state_value = request.form.get("id_token"), request.form.get("state")
    if not token or not state_value:
        return refusal(
            LaunchRefused("bad_launch", "Lancement incomplet (id_token et state requis).")
        )
    moment = now()
    store = launch_store()
    state = store.peek_state(state_value, moment)
    if state is None:
        return refusal(
            LaunchRefused(
                "bad_state",
                "Connexion inconnue ou expirée : relancez l'activité depuis la plateforme.",
                "",
                401,
            )
        )
    secret = request.cookies.get(STATE_COOKIE + state_value[:12])
    storage_target = (state.login_params or {}).get("lti_storage_target")
    if secret is None and storage_target and "lti_storage_value" not in request.form:
        # No cookie in this frame: ask the platform's postMessage storage, then come back.
        registration = db.session.get(Registration, state.registration_id)
        return render_template(
            "lti/storage.html",
            mode="get",
            target=storage_target,
            origin=_origin(registration.auth_login_url if registration else ""),
            key=STORAGE_KEY + state_value,
            id_token=token,
            state=state_value,
        )
    if secret is None and "lti_storage_value" in request.form:
        secret = _stored_value(storage_target)
    if secret is None:
        return render_template("lti/new_window.html", login_url=_restart_url(state)), 401
    if _hash(secret) != state.browser_binding:
        return refusal(
            LaunchRefused(
                "state_mismatch", "Cette connexion a été ouverte dans un autre navigateur.", "", 401
            )
        )
    nonce, registration_id = state.nonce, state.registration_id
    # Validated before the state is taken: nothing is written while the platform's keys may be
    # fetched (a network call never runs inside a transaction, see validation.platform_key).
    try:
        valid = validate(
            token,
            now=moment,
            expected_nonce=nonce,
            expected_registration_id=registration_id,
            registration_for=_registration_for,
            target_link_ok=_target_ok,
        )
    except LaunchRefused as error:
        store.take_state(state_value, moment)
        db.session.commit()  # the state is consumed either way
        expected = db.session.get(Registration, registration_id)
        return refusal(
            error,
            iss=expected.issuer if expected else None,
            client_id=expected.client_id if expected else None,
        )
    if not store.take_state(state_value, moment):
        # Another request (the same form posted twice) used this login first.
        db.session.rollback()
        return refusal(
            LaunchRefused(
                "bad_state",
                "Connexion inconnue ou expirée : relancez l'activité depuis la plateforme.",
                "",
                401,
            )
        )
    try:
        session_token, link, role = start_session(valid, moment)
    except NoCourseRole as error:
        db.session.commit()  # the state is consumed and the person's earlier sessions ended
        # No launch session to read the language from: the valid launch's own locale decides.
        presentation = valid.claims.get(LTI + "launch_presentation") or {}
        if isinstance(presentation, dict):
            g.forced_locale = normalise_locale(presentation.get("locale"))
            refresh_locale()
        return refusal(error, iss=valid.registration.issuer)
    # Read before the commit expires them (each would cost a query afterwards).
    target, issuer = (link.target if link else None), valid.registration.issuer
    db.session.commit()
    response = redirect(
        _landing(
            session_token,
            valid.message_type,
            target,
            (valid.claims.get(LTI + "for_user") or {}).get("user_id"),
        ),
        code=303,
    )
    response.delete_cookie(STATE_COOKIE + state_value[:12], path="/lti/")
    log.info("lti_launch_ok iss=%s role=%s type=%s", issuer, role, valid.message_type)
    return response


def _stored_value(storage_target: str | None) -> str | None:
    """The browser-binding secret posted back by the tool's own platform-storage page, or None.

    Accepted only where the tool started that flow: the login asked for the platform's storage
    (``lti_storage_target``), and the form comes from a page of the tool (``Origin``, or
    ``Sec-Fetch-Site`` when a browser sends no ``Origin``). Otherwise anyone could finish their
    own login in someone else's browser by posting the secret they were given (login CSRF).
    """
    if not storage_target:
        log.warning("lti_storage_value_ignored reason=storage_not_offered")
        return None
    origin = request.headers.get("Origin")
    from_tool = (
        origin == _origin(base_url())
        if origin is not None
        else request.headers.get("Sec-Fetch-Site") == "same-origin"
    )
    if not from_tool:
        log.warning("lti_storage_value_ignored reason=foreign_origin origin=%s", origin)
        return None
    return request.form.get("lti_storage_value") or None


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@bp.get("/storage.js")
def storage_script() -> Response:
    """The postMessage storage script (served here so the page needs no inline script)."""
    body = (Path(__file__).parent / "assets" / "lti_storage.js").read_text()
    return Response(body, mimetype="text/javascript")


def _restart_url(state: LoginState) -> str:
    params = {k: v for k, v in (state.login_params or {}).items() if k != "lti_storage_target"}
    return f"{base_url()}/lti/login?{urlencode(params)}"


def _landing(
    token: str, message_type: str, target: str | None, for_user: str | None = None
) -> str:
    if message_type == "LtiDeepLinkingRequest":
        return url_for("lti_pages.deep_link", lt=token)
    if message_type == "LtiSubmissionReviewRequest" and for_user:
        return url_for("lti_pages.submission_review", lt=token, pour=str(for_user))
    if target and ":" in target:
        kind, ident = target.split(":", 1)
        route = TARGET_ROUTES.get(kind)
        if route is not None:
            endpoint, keyword = route
            values: dict[str, Any] = {keyword: ident} if keyword else {}
            return url_for(endpoint, lt=token, **values)
    return url_for("home.index", lt=token)


@bp.get("/jwks")
def jwks() -> Response:
    """The tool's public keys (active and, during a rotation, previous)."""
    response = jsonify(keys.public_jwks())
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@pages.get("/competence/<code>")
@launch_required
def competency(code: str) -> str:
    """Landing page of a competency of the référentiel."""
    if code not in COMPETENCIES:
        abort(404)
    return render_template("lti/competency.html", code=code, text=COMPETENCIES[code])


def competency_items() -> list[DeepLinkItem]:
    """Deep-linking offer: one landing page per competency (no grade)."""
    return [
        DeepLinkItem("competency", code, f"Compétence {code}", text, None, "Compétences")
        for code, text in COMPETENCIES.items()
    ]


def offered_items() -> list[DeepLinkItem]:
    """Everything the features offer to deep linking."""
    items: list[DeepLinkItem] = []
    for provider in DEEP_LINK_PROVIDERS:
        items.extend(provider())
    return items


@pages.route("/selection", methods=["GET", "POST"])
@trainer_required
def deep_link() -> Any:
    """The content picker of a deep-linking request, and its signed response."""
    launch = current_launch()
    settings = launch.deep_linking
    if not settings:
        abort(400)
    items = offered_items()
    if request.method == "GET":
        groups: dict[str, list[DeepLinkItem]] = {}
        for item in items:
            groups.setdefault(item.group, []).append(item)
        return render_template(
            "lti/deep_link.html", groups=groups, multiple=settings.get("accept_multiple", True)
        )
    chosen = set(request.form.getlist("item"))
    selected = [i for i in items if i.target in chosen]
    if not selected:
        return render_template(
            "lti/deep_link.html",
            groups={i.group: [x for x in items if x.group == i.group] for i in items},
            multiple=settings.get("accept_multiple", True),
            error="Choisissez au moins un contenu.",
        ), 400
    registration = db.session.get(Registration, settings["registration_id"])
    if registration is None:
        abort(400)
    columns = set(request.form.getlist("competency_columns"))
    jwt_value = deep_link_response(registration, settings, selected, competency_columns=columns)
    db.session.commit()
    return render_template(
        "lti/deep_link_return.html",
        return_url=settings["deep_link_return_url"],
        jwt=jwt_value,
        selected=selected,
    )


def deep_link_response(
    registration: Registration,
    settings: dict[str, Any],
    selected: list[DeepLinkItem],
    competency_columns: set[str] | None = None,
) -> str:
    """The signed LtiDeepLinkingResponse with one resource link (and column) per item.

    Each graded item carries its ``lineItem`` (LTI Deep Linking 2.0): the platform creates the
    column with the activity, before the first grade. ``competency_columns`` names the exam
    items whose trainer asked for the seven C1..C7 columns too (custom parameter).
    """
    kid, private_pem = keys.signing_key()
    content = []
    for item in selected:
        custom = {"target": item.target}
        if item.kind == "exam" and item.target in (competency_columns or set()):
            custom["competency_columns"] = "1"
        entry: dict[str, Any] = {
            "type": "ltiResourceLink",
            "title": item.title,
            "text": item.text,
            "url": f"{base_url()}/lti/launch",
            "custom": custom,
        }
        if item.score_maximum is not None:
            entry["lineItem"] = {
                "scoreMaximum": item.score_maximum,
                "label": item.title,
                "resourceId": item.target,
                "tag": item.kind,
                "submissionReview": SUBMISSION_REVIEW,
            }
        content.append(entry)
    issued = int(now().timestamp())
    claims: dict[str, Any] = {
        "iss": registration.client_id,
        "aud": [registration.issuer],
        "iat": issued,
        "exp": issued + 600,
        "nonce": uuid.uuid4().hex,
        LTI + "deployment_id": settings.get("deployment_id"),
        LTI + "message_type": "LtiDeepLinkingResponse",
        LTI + "version": "1.3.0",
        DL + "content_items": content,
    }
    if settings.get("data") is not None:
        claims[DL + "data"] = settings["data"]
    return jwt.encode(
        claims, keys.private_key(private_pem), algorithm="RS256", headers={"kid": kid}
    )


TARGET_ROUTES["competency"] = ("lti_pages.competency", "code")
DEEP_LINK_PROVIDERS.append(competency_items)


@pages.get("/revue")
@trainer_required
def submission_review() -> Any:
    """LTI Submission Review: the work of the learner ``?pour=<sub>`` in the launched activity.

    Same access rules as the trainer pages: a trainer of the course, a learner enrolled in it,
    the activity of the launch. Exam attempt, case-study runs, module progress, or the dossier's
    trainer view.
    """
    from lti_tool.grades.progress import learning_states
    from lti_tool.models.core import Enrollment, User
    from lti_tool.models.exam import ExamAttempt
    from lti_tool.models.learning import CasePlay, ModuleProgress

    launch = current_launch()
    link = launch.resource_link
    sub = request.args.get("pour", "")
    issuer = db.session.scalar(
        select(Registration.issuer).where(Registration.id == launch.context.registration_id)
    )
    learner = db.session.scalar(select(User).where(User.issuer == issuer, User.sub == sub))
    enrolled = learner is not None and db.session.scalar(
        select(Enrollment.id).where(
            Enrollment.context_id == launch.context_id, Enrollment.user_id == learner.id
        )
    )
    if link is None or not link.target or learner is None or not enrolled:
        abort(404)
    kind, ident = link.target.split(":", 1) if ":" in link.target else (link.target, "")
    if kind == "dossier":
        return redirect(url_for("dossier.candidate", user_id=learner.id))
    attempts: list[Any] = []
    plays: list[Any] = []
    progress = None
    if kind == "exam":
        attempts = list(
            db.session.scalars(
                select(ExamAttempt)
                .where(ExamAttempt.resource_link_id == link.id, ExamAttempt.user_id == learner.id)
                .order_by(ExamAttempt.attempt_no)
            )
        )
    elif kind == "case":
        plays = list(
            db.session.scalars(
                select(CasePlay)
                .where(
                    CasePlay.context_id == launch.context_id,
                    CasePlay.user_id == learner.id,
                    CasePlay.case_id == ident,
                )
                .order_by(CasePlay.run_no)
            )
        )
    elif kind == "module":
        progress = db.session.scalar(
            select(ModuleProgress).where(
                ModuleProgress.context_id == launch.context_id,
                ModuleProgress.user_id == learner.id,
                ModuleProgress.module_id == ident,
            )
        )
    state = learning_states(launch.context_id, [learner.id], [(link.target, link.title, [link])])
    return render_template(
        "lti/submission_review.html",
        learner=learner,
        link=link,
        kind=kind,
        attempts=attempts,
        plays=plays,
        progress=progress,
        state=state.get((learner.id, link.target), "not_started"),
    )

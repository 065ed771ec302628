"""A built-in demo platform: launches the tool as trainee or trainer through real OIDC + JWT.

Enabled only by configuration (``BILAN_DEMO_PLATFORM``): on for ``make run`` and tests, off by
default in production. It has its own key (instance folder) and JWKS, and registers itself.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jwt
from flask import Blueprint, abort, current_app, render_template, request
from sqlalchemy import select

from lti_tool.clock import now
from lti_tool.extensions import csrf_exempt, db
from lti_tool.lti.keys import generate_private_pem, public_jwk, public_pem_of
from lti_tool.lti.validation import DL, LOCAL_KEY_SETS, LTI, NRPS
from lti_tool.models.lti import Deployment, Registration

bp = Blueprint("demo", __name__, url_prefix="/demo")
CLIENT_ID = "demo-client"
DEPLOYMENT_ID = "demo-deployment"
USERS = {
    "trainee": {
        "sub": "demo-stagiaire",
        "name": "Camille Stagiaire",
        "email": "camille@demo.invalid",
        "roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"],
    },
    "trainer": {
        "sub": "demo-formateur",
        "name": "Dominique Formateur",
        "email": "dominique@demo.invalid",
        "roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"],
    },
    # A whole certification session (lti_tool/certification): the certifier (an Administrator
    # of the course, who confirms the role once in the tool), two jury members launched from a
    # jury course, and two more candidates.
    "certifier": {
        "sub": "demo-certificateur",
        "name": "Claude Certificatrice",
        "email": "claude@demo.invalid",
        "roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Administrator"],
    },
    "jury1": {
        "sub": "demo-jure-1",
        "name": "Alex Jurée",
        "email": "alex@demo.invalid",
        "roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"],
        "context": "demo-jury",
    },
    "jury2": {
        "sub": "demo-jure-2",
        "name": "Yanis Juré",
        "email": "yanis@demo.invalid",
        "roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"],
        "context": "demo-jury",
    },
    "trainee2": {
        "sub": "demo-stagiaire-2",
        "name": "Sacha Durand",
        "email": "sacha@demo.invalid",
        "roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"],
    },
    "trainee3": {
        "sub": "demo-stagiaire-3",
        "name": "Inès Moreau",
        "email": "ines@demo.invalid",
        "roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"],
    },
}
#: The demo's courses: the training course, and the jury's own course.
COURSES = {
    "demo-course": ("DEMO", "Cours de démonstration : Pratique du bilan de compétences"),
    "demo-jury": ("JURY", "Jury de certification (démonstration)"),
}
#: Launches of the certification session (role, activity, link text): each person to the
#: course hub; candidates 2 and 3 also to épreuve 1 (candidate 1 is the trainee above).
CERTIFICATION_LAUNCHES = [
    ("certifier", "hub", "Certificatrice (administratrice du cours)"),
    ("jury1", "hub", "Membre du jury 1 (cours du jury)"),
    ("jury2", "hub", "Membre du jury 2 (cours du jury)"),
    ("trainee2", "hub", "Candidate 2 (Sacha Durand)"),
    ("trainee2", "exam", "Candidate 2 (Sacha Durand) : épreuve 1"),
    ("trainee3", "hub", "Candidate 3 (Inès Moreau)"),
    ("trainee3", "exam", "Candidate 3 (Inès Moreau) : épreuve 1"),
]
ACTIVITIES = {
    "hub": ("Accueil du cours", None),
    "exam": ("Épreuve 1 : questionnaire de certification", "exam:certification"),
    "modules": ("Modules de formation", "course:modules"),
    "case": (
        "Étude de cas : Claire, comptable attirée par le travail social",
        "case:cas-reconversion-comptable",
    ),
    "competency": ("Compétence C1", "competency:C1"),
}


@bp.before_request
def enabled() -> None:
    if not current_app.config.get("DEMO_PLATFORM"):
        abort(404)


def issuer() -> str:
    """The demo platform's issuer."""
    return str(current_app.config["TOOL_BASE_URL"]).rstrip("/") + "/demo"


def _key() -> tuple[str, bytes]:
    path = Path(current_app.instance_path) / "keys" / "demo-platform.pem"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_bytes(generate_private_pem())
        path.chmod(0o600)
    return "demo-platform", path.read_bytes()


def ensure_registration() -> Registration:
    """Register the demo platform with the tool (idempotent)."""
    registration = db.session.scalar(
        select(Registration).where(
            Registration.issuer == issuer(), Registration.client_id == CLIENT_ID
        )
    )
    if registration is None:
        base = issuer()
        registration = Registration(
            issuer=base,
            client_id=CLIENT_ID,
            name="Plateforme de démonstration",
            auth_login_url=f"{base}/auth",
            auth_token_url=f"{base}/token",
            key_set_url=f"{base}/jwks",
            platform_profile="moodle",
            active=True,
            created_at=now(),
        )
        db.session.add(registration)
        db.session.flush()
        db.session.add(
            Deployment(
                registration_id=registration.id, deployment_id=DEPLOYMENT_ID, created_at=now()
            )
        )
        db.session.commit()
    return registration


@bp.get("/")
def index() -> str:
    """Buttons to launch as trainee or trainer, and a deep-linking launch."""
    ensure_registration()
    base = current_app.config["TOOL_BASE_URL"].rstrip("/")
    links = []
    for role in ("trainee", "trainer"):
        for activity, (title, _target) in ACTIVITIES.items():
            hint = f"{role}|{activity}"
            query = urlencode(
                {
                    "iss": issuer(),
                    "client_id": CLIENT_ID,
                    "login_hint": role,
                    "lti_message_hint": hint,
                    "target_link_uri": f"{base}/lti/launch",
                    "lti_deployment_id": DEPLOYMENT_ID,
                }
            )
            links.append((role, title, f"{base}/lti/login?{query}"))
    for role, activity, title in CERTIFICATION_LAUNCHES:
        query = urlencode(
            {
                "iss": issuer(),
                "client_id": CLIENT_ID,
                "login_hint": role,
                "lti_message_hint": f"{role}|{activity}",
                "target_link_uri": f"{base}/lti/launch",
                "lti_deployment_id": DEPLOYMENT_ID,
            }
        )
        links.append(("certification", title, f"{base}/lti/login?{query}"))
    dl_query = urlencode(
        {
            "iss": issuer(),
            "client_id": CLIENT_ID,
            "login_hint": "trainer",
            "lti_message_hint": "trainer|deeplink",
            "target_link_uri": f"{base}/lti/launch",
            "lti_deployment_id": DEPLOYMENT_ID,
        }
    )
    review_query = urlencode(
        {
            "iss": issuer(),
            "client_id": CLIENT_ID,
            "login_hint": "trainer",
            "lti_message_hint": "trainer|review:exam",
            "target_link_uri": f"{base}/lti/launch",
            "lti_deployment_id": DEPLOYMENT_ID,
        }
    )
    return render_template(
        "demo/index.html",
        links=links,
        deep_link=f"{base}/lti/login?{dl_query}",
        review=f"{base}/lti/login?{review_query}",
    )


@bp.get("/jwks")
def jwks() -> Any:
    """The demo platform's public key."""
    kid, pem = _key()
    return {"keys": [public_jwk(public_pem_of(pem), kid)]}


def local_key_set(url: str) -> dict[str, Any] | None:
    """Serve the demo platform's JWKS in-process (its host may not resolve from the server)."""
    if not current_app.config.get("DEMO_PLATFORM") or url != f"{issuer()}/jwks":
        return None
    kid, pem = _key()
    return {"keys": [public_jwk(public_pem_of(pem), kid)]}


LOCAL_KEY_SETS.append(local_key_set)


@bp.route("/auth", methods=["GET", "POST"])
@csrf_exempt
def auth() -> str:
    """The platform's OIDC authorisation endpoint: sign an id_token and post it back."""
    params = request.values
    role, _, activity = str(params.get("lti_message_hint", "trainee|hub")).partition("|")
    if role not in USERS or params.get("client_id") != CLIENT_ID:
        abort(400)
    user = USERS[role]
    course = str(user.get("context", "demo-course"))
    label, course_title = COURSES[course]
    issued = int(now().timestamp())
    claims: dict[str, Any] = {
        "iss": issuer(),
        "aud": CLIENT_ID,
        "sub": user["sub"],
        "iat": issued,
        "exp": issued + 300,
        "nonce": params.get("nonce"),
        "name": user["name"],
        "email": user["email"],
        LTI + "version": "1.3.0",
        LTI + "deployment_id": DEPLOYMENT_ID,
        LTI + "roles": user["roles"],
        LTI + "target_link_uri": params.get("redirect_uri"),
        LTI + "context": {"id": course, "label": label, "title": course_title},
        LTI + "launch_presentation": {
            "locale": request.args.get("locale", "fr-FR"),
            "document_target": "iframe",
        },
        NRPS: {
            "context_memberships_url": f"{issuer()}/nrps/{course}",
            "service_versions": ["2.0"],
        },
    }
    if activity == "deeplink":
        claims[LTI + "message_type"] = "LtiDeepLinkingRequest"
        claims[DL + "deep_linking_settings"] = {
            "deep_link_return_url": f"{issuer()}/deep-link-return",
            "accept_types": ["ltiResourceLink"],
            "accept_presentation_document_targets": ["iframe", "window"],
            "accept_multiple": True,
            "data": "demo",
        }
    else:
        # « review:exam »: the trainer clicks the trainee's grade (LTI Submission Review).
        reviewed = activity.startswith("review:")
        activity = activity.removeprefix("review:")
        title, target = ACTIVITIES.get(activity, ACTIVITIES["hub"])
        claims[LTI + "message_type"] = "LtiResourceLinkRequest"
        if reviewed:
            claims[LTI + "message_type"] = "LtiSubmissionReviewRequest"
            claims[LTI + "for_user"] = {"user_id": USERS["trainee"]["sub"]}
        claims[LTI + "resource_link"] = {"id": f"demo-{activity}", "title": title}
        # The demo gradebook (lti_tool/grades/demo_lms.py): the tool finds or creates its columns.
        claims["https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"] = {
            "scope": [
                "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
                "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
                "https://purl.imsglobal.org/spec/lti-ags/scope/score",
            ],
            "lineitems": f"{issuer()}/ags/{course}/lineitems",
        }
        if target:
            claims[LTI + "custom"] = {"target": target}
    kid, pem = _key()
    token = jwt.encode(claims, pem, algorithm="RS256", headers={"kid": kid})
    return render_template(
        "demo/post.html",
        action=params.get("redirect_uri"),
        id_token=token,
        state=params.get("state"),
    )


@bp.post("/deep-link-return")
@csrf_exempt
def deep_link_return() -> str:
    """Show what the tool returned (content items), as a platform would store them."""
    kid, pem = _key()
    del kid
    token = request.form.get("JWT", "")
    claims = jwt.decode(token, options={"verify_signature": False})
    return render_template(
        "demo/deep_link_return.html",
        items=claims.get(DL + "content_items", []),
        request_id=uuid.uuid4().hex[:8],
    )

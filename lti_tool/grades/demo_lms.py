"""A fake LMS gradebook (AGS line items and scores, OAuth2 token, NRPS) for the demo platform.

Registered only when ``DEMO_PLATFORM`` is on (``make run``, tests, the benchmark). It follows
Moodle's rules: whole-second timestamps must increase (409 otherwise), an instructor cannot be
graded (400), anything but FullyGraded leaves an empty grade. State lives in a JSON file in the
instance folder (shared by the web workers) or in memory (``DEMO_LMS_STORE = "memory"``).
"""

from __future__ import annotations

import fcntl
import json
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jwt
from flask import Blueprint, abort, current_app, jsonify, render_template, request, url_for

from lti_tool.clock import now
from lti_tool.extensions import csrf_exempt

bp = Blueprint("demo_lms", __name__, url_prefix="/demo")
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
#: Demo course members besides the two demo users (one withholds name and email).
EXTRA_MEMBERS = [
    {"user_id": "demo-stagiaire-2", "name": "Sacha Durand", "email": "sacha@demo.invalid"},
    {"user_id": "demo-stagiaire-3", "given_name": "Inès", "family_name": "Moreau"},
    {"user_id": "demo-anonyme"},
]
_memory_lock = threading.Lock()


def _empty() -> dict[str, Any]:
    return {"tokens": {}, "lineitems": [], "grades": {}, "token_requests": 0, "score_posts": 0}


@contextmanager
def store() -> Iterator[dict[str, Any]]:
    """The gradebook state, locked for the duration of the block, saved at its end."""
    if current_app.config.get("DEMO_LMS_STORE") == "memory":
        with _memory_lock:
            # Held by the app itself: keyed by id(app), a new app could inherit the state of a
            # collected one that had the same address (a test saw another test's token).
            state = current_app.extensions.setdefault("demo_lms_memory", _empty())
            yield state
        return
    path = Path(current_app.instance_path) / "demo_lms.json"
    with open(path, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        handle.seek(0)
        text = handle.read()
        state = json.loads(text) if text else _empty()
        yield state
        handle.seek(0)
        handle.truncate()
        json.dump(state, handle)


def stats() -> dict[str, int]:
    """Counters for the benchmark: token requests, score posts, grades held."""
    with store() as state:
        return {
            "token_requests": state["token_requests"],
            "score_posts": state["score_posts"],
            "grades": len(state["grades"]),
        }


@bp.before_request
def enabled() -> None:
    if not current_app.config.get("DEMO_PLATFORM"):
        abort(404)


def _verify_assertion(assertion: str, audience: str) -> str:
    """The client id, once the tool's signature is checked against its own key set."""
    from lti_tool.lti.keys import public_jwks

    try:
        kid = jwt.get_unverified_header(assertion).get("kid")
        jwk = next(k for k in public_jwks()["keys"] if k["kid"] == kid)
        claims = jwt.decode(
            assertion,
            jwt.PyJWK(jwk).key,
            algorithms=["RS256"],
            audience=audience,
            options={"verify_iat": False, "verify_exp": False},
        )
    except (StopIteration, jwt.PyJWTError) as error:
        abort(_oauth_error("invalid_client", str(error)))
    if claims.get("iss") != claims.get("sub"):
        abort(_oauth_error("invalid_client", "iss != sub"))
    return str(claims["sub"])


def _oauth_error(code: str, description: str) -> Any:
    response = jsonify(error=code, error_description=description)
    response.status_code = 400 if code != "invalid_client" else 401
    return response


@bp.post("/token")
@bp.post("/ags/token")
@csrf_exempt
def token() -> Any:
    """OAuth2 client_credentials with a signed JWT assertion (RFC 7523)."""
    form = request.form
    if form.get("grant_type") != "client_credentials":
        return _oauth_error("unsupported_grant_type", "client_credentials only")
    if form.get("client_assertion_type") != ASSERTION_TYPE:
        return _oauth_error("invalid_request", "client_assertion_type")
    client = _verify_assertion(form.get("client_assertion", ""), request.base_url)
    seconds = int(current_app.config.get("DEMO_LMS_TOKEN_SECONDS", 3600))
    value = secrets.token_urlsafe(24)
    with store() as state:
        state["token_requests"] += 1
        state["tokens"][value] = {
            "client": client,
            "scope": form.get("scope", ""),
            "expires": (now() + timedelta(seconds=seconds)).isoformat(),
        }
    return {
        "access_token": value,
        "token_type": "Bearer",
        "expires_in": seconds,
        "scope": form.get("scope", ""),
    }


def _authorised(scope_word: str) -> None:
    value = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    with store() as state:
        known = state["tokens"].get(value)
    if known is None or datetime.fromisoformat(known["expires"]) <= now():
        abort(401)
    if scope_word not in known["scope"]:
        abort(403)


def _page(items: list[Any], endpoint: str, **values: Any) -> tuple[list[Any], dict[str, str]]:
    limit = max(1, min(int(request.args.get("limit", 10)), 100))
    start = max(0, int(request.args.get("page", 0)))
    chunk = items[start : start + limit]
    headers = {}
    if start + limit < len(items):
        query = {k: v for k, v in request.args.items() if k != "page"}
        query.update(page=str(start + limit), limit=str(limit))
        nxt = url_for(endpoint, _external=True, **values) + "?" + urlencode(query)
        headers["Link"] = f'<{nxt}>; rel="next"'
    return chunk, headers


@bp.route("/ags/<course>/lineitems", methods=["GET", "POST"])
@csrf_exempt
def lineitems(course: str) -> Any:
    """The line items container: filters resource_link_id, resource_id, tag; Link pagination."""
    _authorised("lineitem")
    if request.method == "POST":
        body = request.get_json(force=True, silent=True) or {}
        if not body.get("label") or not body.get("scoreMaximum"):
            return {"error": "label and scoreMaximum are required"}, 400
        with store() as state:
            number = len(state["lineitems"]) + 1
            item = {
                **{
                    k: body[k]
                    for k in ("label", "scoreMaximum", "resourceId", "tag", "resourceLinkId")
                    if k in body
                },
                "id": url_for("demo_lms.lineitem", course=course, number=number, _external=True),
                "course": course,
            }
            state["lineitems"].append(item)
        return item, 201
    with store() as state:
        items = [i for i in state["lineitems"] if i["course"] == course]
    for arg, key in (
        ("resource_link_id", "resourceLinkId"),
        ("resource_id", "resourceId"),
        ("tag", "tag"),
    ):
        if request.args.get(arg):
            items = [i for i in items if i.get(key) == request.args[arg]]
    chunk, headers = _page(items, "demo_lms.lineitems", course=course)
    public = [{k: v for k, v in i.items() if k != "course"} for i in chunk]
    response = jsonify(public)
    response.headers.update(headers)
    response.content_type = "application/vnd.ims.lis.v2.lineitemcontainer+json"
    return response


@bp.get("/ags/<course>/lineitems/<int:number>")
def lineitem(course: str, number: int) -> Any:
    """One line item."""
    _authorised("lineitem")
    with store() as state:
        if number > len(state["lineitems"]):
            abort(404)
        item = state["lineitems"][number - 1]
    return {k: v for k, v in item.items() if k != "course"}


@bp.post("/ags/<course>/lineitems/<int:number>/scores")
@csrf_exempt
def scores(course: str, number: int) -> Any:
    """A score, under Moodle's rules (409 stale timestamp, 400 instructor, empty grade)."""
    _authorised("score")
    if request.mimetype != "application/vnd.ims.lis.v1.score+json":
        return {"error": "unsupported media type"}, 415
    body = request.get_json(force=True, silent=True) or {}
    user = str(body.get("userId") or "")
    if not user or body.get("activityProgress") is None or body.get("timestamp") is None:
        return {"error": "userId, activityProgress and timestamp are required"}, 400
    if user == "demo-formateur":
        return {"error": "User is not gradable (instructor)"}, 400
    stamp = datetime.fromisoformat(body["timestamp"].replace("Z", "+00:00")).replace(microsecond=0)
    key = f"{number}|{user}"
    with store() as state:
        state["score_posts"] += 1
        if number > len(state["lineitems"]):
            abort(404)
        previous = state["grades"].get(key)
        if previous and stamp <= datetime.fromisoformat(previous["timestamp"]):
            return {"error": "timestamp not newer than the current grade"}, 409
        graded = body.get("gradingProgress") == "FullyGraded"
        state["grades"][key] = {
            "grade": body.get("scoreGiven") if graded else None,
            "maximum": body.get("scoreMaximum"),
            "comment": body.get("comment"),
            "timestamp": stamp.isoformat(),
        }
    return "", 204


@bp.get("/nrps/<course>")
@bp.get("/ags/<course>/memberships")
def memberships(course: str) -> Any:
    """The course members (NRPS 2.0), paginated with a Link header."""
    _authorised("contextmembership")
    from lti_tool.demo.views import USERS

    members = [
        {
            "user_id": u["sub"],
            "name": u["name"],
            "email": u["email"],
            "roles": u["roles"],
            "status": "Active",
        }
        for u in USERS.values()
    ] + [{**m, "roles": [LEARNER], "status": "Active"} for m in EXTRA_MEMBERS]
    chunk, headers = _page(members, request.endpoint or "demo_lms.memberships", course=course)
    response = jsonify({"id": request.base_url, "context": {"id": course}, "members": chunk})
    response.headers.update(headers)
    response.content_type = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
    return response


@bp.get("/ags/<course>/carnet")
def gradebook(course: str) -> str:
    """The demo gradebook as a trainer of the LMS would see it."""
    with store() as state:
        items = [i for i in state["lineitems"] if i["course"] == course]
        grades = dict(state["grades"])
    rows = []
    for number, item in enumerate(items, start=1):
        del number
        index = item["id"].rsplit("/", 1)[-1]
        for key, grade in sorted(grades.items()):
            line, _, user = key.partition("|")
            if line == index:
                rows.append((item["label"], user, grade))
    return render_template("grades/demo_gradebook.html", rows=rows, course=course)

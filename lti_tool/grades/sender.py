"""Deliver the outbox: claim rows (SKIP LOCKED), get a shared token, find the column, POST."""

from __future__ import annotations

import contextvars
import hashlib
import logging
import random
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import jwt
import requests
from sqlalchemy import select, text, update
from sqlalchemy.exc import IntegrityError, OperationalError

from lti_tool.extensions import db
from lti_tool.grades.profiles import NotGradable, Recipient, adapt
from lti_tool.lti.registry import SUBMISSION_REVIEW
from lti_tool.models.core import Enrollment, ResourceLink, User
from lti_tool.models.grades import (
    DELIVERED,
    FAILED,
    PENDING,
    SENDING,
    SUPERSEDED,
    AccessToken,
    LineItemCache,
    ScoreOutbox,
)
from lti_tool.models.lti import Registration

log = logging.getLogger("bilan.grades")
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
LINEITEM_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
SCOPES = f"{LINEITEM_SCOPE} {SCORE_SCOPE}"
LEASE = timedelta(minutes=2)
BACKOFF_BASE = 10.0
BACKOFF_CAP = 3600.0
TOKEN_MARGIN = timedelta(seconds=60)
PERMANENT = {400, 403, 404, 405, 410, 413, 422}
_LOCAL_COLUMN_LOCK = threading.Lock()
#: Pages of line items read to find a column (a course has a few dozen columns per page): a
#: platform whose ``rel="next"`` loops made the worker send 161,626 GETs in 4 minutes.
MAX_LINEITEM_PAGES = 50
#: Wall time one score may take (token, column lookup, creation, POST), well under ``LEASE``:
#: no other worker re-claims a row while it is still being delivered.
ROW_BUDGET_SECONDS = 60.0
#: When the current delivery must stop calling the platform (``time.monotonic()``), if any.
_DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "grade_deadline", default=None
)

#: The HTTP client (a fake gradebook in tests).
HTTP: list[Any] = [requests.Session()]


class Retry(Exception):
    """A temporary failure: try again later."""

    def __init__(self, status: int | None, message: str) -> None:
        super().__init__(message)
        self.status = status


class Permanent(Exception):
    """The platform will not take this score (a teacher, someone unenrolled…)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _iso(value: datetime) -> str:
    return value.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def access_token(
    registration: Registration, now: datetime, *, refresh: bool = False, scopes: str = SCOPES
) -> str:
    """A client_credentials token, cached in the database until shortly before it expires."""
    query = select(AccessToken).where(
        AccessToken.registration_id == registration.id, AccessToken.scopes == scopes
    )
    cached = db.session.scalar(query)
    if cached is not None and not refresh and cached.expires_at > now:
        return str(cached.token)
    from lti_tool.lti.keys import private_key, signing_key
    from lti_tool.lti.validation import end_transaction_before_network

    kid, pem = signing_key()  # its first use commits
    # One fetch at a time in this process; the others wait (with no transaction open) and take
    # the token it stored. The call runs with no transaction open either: a slow platform holds
    # no database lock or connection, and processes do not wait for each other (two may each
    # fetch a valid token).
    end_transaction_before_network()
    with _token_lock(registration.id, scopes):
        cached = db.session.scalar(query.execution_options(populate_existing=True))
        if cached is not None and not refresh and cached.expires_at > now:
            return str(cached.token)
        token, lifetime = _fetch_token(registration, now, scopes, kid, private_key(pem))
        # Stored as "use until": shortly before the real expiry (a fifth of short lifetimes).
        expires = (
            now + timedelta(seconds=lifetime) - min(TOKEN_MARGIN, timedelta(seconds=lifetime / 5))
        )
        cached = db.session.scalar(query)
        if cached is None:
            try:
                # Another process may store its token at the same moment: keep theirs too.
                with db.session.begin_nested():
                    db.session.add(
                        AccessToken(
                            registration_id=registration.id,
                            scopes=scopes,
                            token=token,
                            expires_at=expires,
                        )
                    )
            except IntegrityError:
                cached = db.session.scalar(query)
        if cached is not None:
            cached.token, cached.expires_at = token, expires
        db.session.flush()
    return token


_TOKEN_LOCKS: dict[tuple[int, str], threading.Lock] = {}
_TOKEN_LOCKS_GUARD = threading.Lock()


def _token_lock(registration_id: int, scopes: str) -> threading.Lock:
    with _TOKEN_LOCKS_GUARD:
        return _TOKEN_LOCKS.setdefault((registration_id, scopes), threading.Lock())


def _fetch_token(
    registration: Registration, now: datetime, scopes: str, kid: str, key: Any
) -> tuple[str, int]:
    """Ask the platform for a token, outside any transaction (it commits what is pending)."""
    from lti_tool.lti.validation import end_transaction_before_network

    token_url = registration.auth_token_url
    issued = int(now.timestamp())
    assertion = jwt.encode(
        {
            "iss": registration.client_id,
            "sub": registration.client_id,
            "aud": registration.auth_audience or token_url,
            "iat": issued,
            "exp": issued + 300,
            "jti": uuid.uuid4().hex,
        },
        key,
        algorithm="RS256",
        headers={"kid": kid},
    )
    end_transaction_before_network()
    try:
        response = HTTP[0].post(
            token_url,
            data={
                "grant_type": "client_credentials",
                "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                "client_assertion": assertion,
                "scope": scopes,
            },
            timeout=15,
        )
    except requests.RequestException as error:
        raise Retry(None, f"jeton : {type(error).__name__}") from error
    if response.status_code != 200:
        if response.status_code in (400, 401):
            raise Retry(
                response.status_code,
                f"jeton refusé ({response.status_code}) : vérifiez l'enregistrement de l'outil",
            )
        raise Retry(response.status_code, f"jeton : HTTP {response.status_code}")
    body = response.json()
    return str(body["access_token"]), int(body.get("expires_in", 3600))


def _request(
    method: str,
    url: str,
    registration: Registration,
    now: datetime,
    *,
    scopes: str = SCOPES,
    **kwargs: Any,
) -> Any:
    """An authorised request; a 401 refreshes the token once and retries."""
    base_headers = dict(kwargs.pop("headers", {}))
    for attempt in range(2):
        _check_deadline(url)
        token = access_token(registration, now, refresh=attempt == 1, scopes=scopes)
        headers = {**base_headers, "Authorization": f"Bearer {token}"}
        try:
            response = HTTP[0].request(method, url, headers=headers, timeout=15, **kwargs)
        except requests.RequestException as error:
            raise Retry(None, f"{type(error).__name__} vers {urlsplit(url).netloc}") from error
        if response.status_code != 401:
            return response
    raise Retry(401, "jeton refusé deux fois (401)")


def _check_deadline(url: str) -> None:
    """Stop before another call once the delivery's time is spent: retried later."""
    deadline = _DEADLINE.get()
    if deadline is not None and time.monotonic() >= deadline:
        log.error("grade_row_budget_spent host=%s", urlsplit(url).netloc)
        raise Retry(
            None, f"délai d'envoi dépassé ({ROW_BUDGET_SECONDS:.0f} s) : nouvel essai plus tard"
        )


@contextmanager
def _time_box(seconds: float = ROW_BUDGET_SECONDS) -> Iterator[None]:
    """Calls to the platform made inside stop after ``seconds`` (each also has its timeout)."""
    token = _DEADLINE.set(time.monotonic() + seconds)
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def _with_path(url: str, suffix: str, query: dict[str, str] | None = None) -> str:
    parts = urlsplit(url)
    path = parts.path.rstrip("/") + suffix
    q = parts.query
    if query:
        q = (q + "&" if q else "") + urlencode(query)
    return urlunsplit((parts.scheme, parts.netloc, path, q, ""))


def _next_link(header: str | None) -> str | None:
    for part in (header or "").split(","):
        match = re.search(r'<([^>]+)>\s*;\s*rel="?next"?', part)
        if match:
            return match.group(1)
    return None


def _lineitems_url(row: ScoreOutbox, link: ResourceLink | None) -> str | None:
    if link is not None:
        return link.lineitems_url
    # A course-level column: the context's line items service, as given in any launch.
    return db.session.scalar(
        select(ResourceLink.lineitems_url).where(
            ResourceLink.context_id == row.context_id, ResourceLink.lineitems_url.is_not(None)
        )
    )


def _is_our_column(item: dict[str, Any], row: ScoreOutbox, link: ResourceLink | None) -> bool:
    # Strict: the same resourceId AND the same resource link (absent for course-level columns),
    # so two resource links never share a column by accident.
    wanted_link = link.lti_resource_link_id if link is not None else None
    return (
        item.get("resourceId") == row.resource_id
        and item.get("resourceLinkId") == wanted_link
        and (not row.tag or item.get("tag") == row.tag)
    )


def line_item_url(row: ScoreOutbox, registration: Registration, now: datetime) -> str:
    """The column of this score: the launch's lineitem, a cached one, or found/created."""
    link = db.session.get(ResourceLink, row.resource_link_id) if row.resource_link_id else None
    if link is not None and link.lineitem_url and not row.tag:
        return link.lineitem_url
    column = select(LineItemCache).where(
        LineItemCache.context_id == row.context_id, LineItemCache.column_key == row.column_key
    )
    cached = db.session.scalar(column)
    if cached is not None:
        return str(cached.url)
    # Before the lock (an advisory lock of the transaction on PostgreSQL): fetching a token ends
    # the transaction, which would release it.
    access_token(registration, now)
    with _column_lock(row):
        # Another worker may have created it while we waited for the lock.
        cached = db.session.scalar(column.execution_options(populate_existing=True))
        if cached is not None:
            return str(cached.url)
        return _find_or_create(row, link, registration, now)


def _xact_lock(name: str) -> bool:
    """A PostgreSQL advisory lock held until the transaction ends (False elsewhere)."""
    if db.session.get_bind().dialect.name != "postgresql":
        return False
    digest = hashlib.sha256(name.encode()).digest()
    db.session.execute(
        text("SELECT pg_advisory_xact_lock(:key)"),
        {"key": int.from_bytes(digest[:8], "big", signed=True)},
    )
    return True


@contextmanager
def _column_lock(row: ScoreOutbox) -> Iterator[None]:
    """One creator per column: an advisory lock on PostgreSQL, a process lock otherwise."""
    from lti_tool.lti.keys import signing_key

    signing_key()  # before the lock: its first use commits
    if _xact_lock(f"column:{row.context_id}:{row.column_key}"):
        yield
        return
    with _LOCAL_COLUMN_LOCK:
        yield


def _find_or_create(
    row: ScoreOutbox, link: ResourceLink | None, registration: Registration, now: datetime
) -> str:
    lineitems = _lineitems_url(row, link)
    if not lineitems:
        raise Permanent(0, "la plateforme n'a pas ouvert le service de notes pour cette activité")
    query = {"resource_id": row.resource_id or ""}
    if link is not None:
        query["resource_link_id"] = link.lti_resource_link_id
    if row.tag:
        query["tag"] = row.tag
    found = _find_column(_with_path(lineitems, "", query), row, link, registration, now)
    if found is None:
        body: dict[str, Any] = {
            "scoreMaximum": row.score_maximum,
            "label": row.label,
            "resourceId": row.resource_id,
        }
        if link is not None:
            body["resourceLinkId"] = link.lti_resource_link_id
        if row.tag:
            body["tag"] = row.tag
        body["submissionReview"] = SUBMISSION_REVIEW
        response = _request(
            "POST",
            lineitems,
            registration,
            now,
            json=body,
            headers={"Content-Type": "application/vnd.ims.lis.v2.lineitem+json"},
        )
        if response.status_code >= 400:
            _raise_for(response)
        found = response.json()
        created = True
    else:
        created = False
    try:
        with db.session.begin_nested():
            db.session.add(
                LineItemCache(
                    context_id=row.context_id,
                    column_key=row.column_key,
                    url=str(found["id"]),
                    data=found,
                )
            )
        if created:
            # Durable before anything else can fail: a re-claim of this row (lease expired,
            # worker killed, score POST failing) finds the column and never creates a second.
            db.session.commit()
    except IntegrityError:
        # Only possible without the column lock (another process on SQLite): keep the first.
        log.warning("grade_duplicate_column column=%s", row.column_key)
        existing = db.session.scalar(
            select(LineItemCache.url).where(
                LineItemCache.context_id == row.context_id,
                LineItemCache.column_key == row.column_key,
            )
        )
        return str(existing)
    return str(found["id"])


def _find_column(
    url: str, row: ScoreOutbox, link: ResourceLink | None, registration: Registration, now: datetime
) -> dict[str, Any] | None:
    """Our column among the line items, following ``rel="next"`` a bounded number of times.

    A next link already read (a loop) or more than ``MAX_LINEITEM_PAGES`` pages: the lookup is
    incomplete, so no column is created (it may exist further on): the row is retried later.
    """
    seen: set[str] = set()
    next_url: str | None = url
    while next_url:
        if next_url in seen or len(seen) >= MAX_LINEITEM_PAGES:
            why = (
                "lien « next » déjà lu"
                if next_url in seen
                else f"plus de {MAX_LINEITEM_PAGES} pages"
            )
            log.error(
                "grade_lineitems_pagination_stopped row=%s pages=%s reason=%s host=%s",
                row.id,
                len(seen),
                "loop" if next_url in seen else "too_many_pages",
                urlsplit(next_url).netloc,
            )
            raise Retry(
                None, f"liste des colonnes du carnet interrompue ({why}) : nouvel essai plus tard"
            )
        seen.add(next_url)
        response = _request(
            "GET",
            next_url,
            registration,
            now,
            headers={"Accept": "application/vnd.ims.lis.v2.lineitemcontainer+json"},
        )
        if response.status_code >= 400:
            _raise_for(response)
        found: dict[str, Any] | None = next(
            (i for i in response.json() if _is_our_column(i, row, link)), None
        )
        if found is not None:
            return found
        next_url = _next_link(response.headers.get("Link"))
    return None


def _raise_for(response: Any) -> None:
    text = (response.text or "")[:300]
    if response.status_code in PERMANENT:
        raise Permanent(response.status_code, f"HTTP {response.status_code} : {text}")
    raise Retry(response.status_code, f"HTTP {response.status_code}")


def message(row: ScoreOutbox) -> dict[str, Any]:
    """The AGS score message."""
    body: dict[str, Any] = {
        "userId": row.user.sub,
        "scoreGiven": row.score_given,
        "scoreMaximum": row.score_maximum,
        "activityProgress": row.activity_progress,
        "gradingProgress": row.grading_progress,
        "timestamp": _iso(row.timestamp),
    }
    submission = {}
    if row.started_at:
        submission["startedAt"] = _iso(row.started_at)
    if row.submitted_at:
        submission["submittedAt"] = _iso(row.submitted_at)
    elif row.activity_progress in ("Submitted", "Completed"):
        # A finished activity without its own time (a dossier's completion): the score's own
        # time. Without a submission time Canvas marks the grade late.
        submission["submittedAt"] = _iso(row.timestamp)
    if submission:
        body["submission"] = submission
    if row.comment:
        body["comment"] = row.comment
    return body


def deliver(row: ScoreOutbox, now: datetime) -> None:
    """Send one claimed row and record the outcome on it (flush only).

    Its lookups do not flush the row's pending changes: it is written once, with its outcome
    (each lookup flushed « attempts + 1 » first: two UPDATEs per grade).
    """
    with db.session.no_autoflush, _time_box():
        _deliver(row, now)


def _deliver(row: ScoreOutbox, now: datetime) -> None:
    registration = db.session.get(Registration, row.registration_id)
    assert registration is not None
    newer = db.session.scalar(
        select(ScoreOutbox.id).where(
            ScoreOutbox.user_id == row.user_id,
            ScoreOutbox.column_key == row.column_key,
            ScoreOutbox.timestamp > row.timestamp,
            ScoreOutbox.state.in_([PENDING, SENDING, DELIVERED]),
        )
    )
    if newer is not None:
        # A newer score is queued or already there: sending this one would be pointless.
        row.state, row.lease_until = SUPERSEDED, None
        row.last_error = "remplacée par une note plus récente"
        return
    row.attempts += 1
    role = db.session.scalar(
        select(Enrollment.role).where(
            Enrollment.user_id == row.user_id, Enrollment.context_id == row.context_id
        )
    )
    try:
        body = adapt(registration.platform_profile, message(row), Recipient(role or "trainee"))
        if body is None:
            row.state, row.last_status, row.last_error = (
                DELIVERED,
                None,
                "non publié (règle de la plateforme)",
            )
            row.delivered_at = now
            return
        url = line_item_url(row, registration, now)
        response = _request(
            "POST",
            _with_path(url, "/scores"),
            registration,
            now,
            json=body,
            headers={"Content-Type": "application/vnd.ims.lis.v1.score+json"},
        )
        row.last_status = response.status_code
        if response.status_code < 300:
            row.state, row.last_error, row.delivered_at = DELIVERED, None, now
        elif response.status_code == 409:
            row.state, row.delivered_at = DELIVERED, now
            row.last_error = "409 : une note plus récente est déjà dans le carnet"
            log.info("grade_stale row=%s", row.id)
        else:
            _raise_for(response)
    except NotGradable as error:
        row.state, row.last_status, row.last_error = FAILED, None, str(error)
        log.warning("grade_not_gradable row=%s", row.id)
    except Permanent as error:
        row.state, row.last_status, row.last_error = FAILED, error.status or None, str(error)
        log.warning("grade_failed row=%s status=%s", row.id, error.status)
    except (Retry, ValueError, KeyError, TypeError) as error:
        # ValueError/KeyError/TypeError: an unreadable answer from the platform; retried later
        # and visible in the row rather than leaving it stuck in "sending".
        if not isinstance(error, Retry):
            log.exception("grade_bad_answer row=%s", row.id)
            error = Retry(row.last_status, f"réponse illisible de la plateforme : {error!r}"[:300])
        delay = min(BACKOFF_CAP, BACKOFF_BASE * (2 ** min(row.attempts - 1, 20)))
        row.state, row.last_status, row.last_error = PENDING, error.status, str(error)
        row.next_attempt_at = now + timedelta(seconds=delay * random.uniform(0.5, 1.0))  # noqa: S311
        log.info(
            "grade_retry row=%s status=%s next=%s",
            row.id,
            error.status,
            row.next_attempt_at.isoformat(),
        )
    finally:
        row.lease_until = None


def _due(now: datetime) -> Any:
    return ((ScoreOutbox.state == PENDING) & (ScoreOutbox.next_attempt_at <= now)) | (
        (ScoreOutbox.state == SENDING) & (ScoreOutbox.lease_until < now)
    )


def claim(now: datetime, limit: int = 50, ids: list[int] | None = None) -> list[int]:
    """Claim due rows for this worker (SKIP LOCKED on PostgreSQL) and commit the claim.

    One conditional UPDATE (still due?) takes the whole batch, so that, even where row locks do
    not exist (SQLite: the statement is atomic), two workers never both claim the same row.
    Before, one UPDATE per row: 50 statements per batch.
    """
    due = (
        select(ScoreOutbox.id)
        .where(_due(now))
        .order_by(ScoreOutbox.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    if ids is not None:
        due = due.where(ScoreOutbox.id.in_(ids))
    # A CTE, evaluated once: « id IN (SELECT … LIMIT n FOR UPDATE SKIP LOCKED) » may be run
    # again by PostgreSQL's planner and claim more than n rows.
    batch = due.cte("due")
    statement = (
        update(ScoreOutbox)
        .where(ScoreOutbox.id == batch.c.id, _due(now))
        .values(state=SENDING, lease_until=now + LEASE)
        .returning(ScoreOutbox.id)
        .execution_options(synchronize_session=False)
    )
    try:
        claimed = sorted(db.session.scalars(statement).all())
        db.session.commit()
    except OperationalError:
        # SQLite busy with another worker's claim: nothing claimed, try on the next pass.
        db.session.rollback()
        log.info("grade_claim_busy")
        return []
    return claimed


def send_due(now: datetime, ids: list[int] | None = None, limit: int = 50) -> str:
    """One pass: claim, deliver each claimed row, commit after each."""
    claimed = claim(now, limit, ids)
    done = 0
    for row_id in claimed:
        row = db.session.get(ScoreOutbox, row_id)
        if row is None or row.state != SENDING:
            continue
        deliver(row, now)
        db.session.commit()
        done += row.state == DELIVERED
    return f"{len(claimed)} envoi(s), {done} livrée(s)"


def drain_due(
    clock: Callable[[], datetime],
    limit: int = 50,
    budget_seconds: float = 10.0,
    monotonic: Callable[[], float] = time.monotonic,
) -> str:
    """Passes of ``send_due`` while they find a full batch, for ``budget_seconds`` at most.

    The worker runs this every 2 s: one pass of 50 then a pause capped delivery at 25 grades
    per second, and a cohort's exam grades (8 per candidate) reached the gradebook minutes
    after the session. The budget lets the worker's other tasks (the deadline sweep) run.
    """
    started = monotonic()
    claimed = delivered = passes = 0
    session = db.session()
    # Each delivery is committed on its own; the registration, its token and the columns read
    # for one row stay loaded for the next instead of being read again after every commit
    # (the token is re-read under its lock whenever it has to be renewed).
    expire, session.expire_on_commit = session.expire_on_commit, False
    held: list[Any] = []
    try:
        while True:
            at = clock()
            batch = claim(at, limit)
            passes += 1
            claimed += len(batch)
            # Read again, all at once: claim() changed their state in the database, not in
            # the session.
            rows = {
                row.id: row
                for row in db.session.scalars(
                    select(ScoreOutbox)
                    .where(ScoreOutbox.id.in_(batch))
                    .execution_options(populate_existing=True)
                )
            }
            # The registrations, activities and learners of the batch, held here: the session's
            # identity map keeps only what something references, and each delivery looked them
            # up again (three SELECTs per grade).
            held.extend(_referenced(Registration, {r.registration_id for r in rows.values()}))
            held.extend(_referenced(User, {r.user_id for r in rows.values()}))
            held.extend(
                _referenced(ResourceLink, {r.resource_link_id for r in rows.values()} - {None})
            )
            for position, row_id in enumerate(batch):
                if monotonic() - started >= budget_seconds:
                    # Time is up (a slow platform): the rest of the batch goes back to the
                    # queue at once rather than waiting for its lease to expire.
                    released = release(batch[position:], at)
                    log.warning("grade_drain_budget_spent released=%s", released)
                    claimed -= released
                    break
                row = rows.get(row_id)
                if row is None or row.state != SENDING:
                    continue
                deliver(row, at)
                db.session.commit()
                delivered += row.state == DELIVERED
            if len(batch) < limit or monotonic() - started >= budget_seconds:
                break
    finally:
        session.expire_on_commit = expire
        session.expire_all()
    return f"{claimed} envoi(s), {delivered} livrée(s) en {passes} passage(s)"


def release(ids: list[int], claimed_at: datetime) -> int:
    """Give rows claimed at ``claimed_at`` back to the queue, due at once (commits).

    Only while this claim still holds them (its lease): never a row another worker took since.
    """
    if not ids:
        return 0
    result = db.session.execute(
        update(ScoreOutbox)
        .where(
            ScoreOutbox.id.in_(ids),
            ScoreOutbox.state == SENDING,
            ScoreOutbox.lease_until == claimed_at + LEASE,
        )
        .values(state=PENDING, lease_until=None)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _referenced(model: Any, ids: set[Any]) -> list[Any]:
    """These rows of ``model``, in one query (those already in the session are reused)."""
    return list(db.session.scalars(select(model).where(model.id.in_(ids)))) if ids else []


def resend_failed(context_id: int, now: datetime) -> int:
    """Put every failed score of a course back in the queue."""
    result = db.session.execute(
        update(ScoreOutbox)
        .where(ScoreOutbox.context_id == context_id, ScoreOutbox.state == FAILED)
        .values(state=PENDING, next_attempt_at=now, last_error=None)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]

"""Exam operations: start, save, submit, finalise overdue attempts, accommodations, resets.

Services flush, never commit; the view commits once. The time is always passed in.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, func, select, text, tuple_, update
from sqlalchemy import insert as insert_core
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from grading.event_chain import GENESIS, chain_hash
from grading.exam import (
    BankCase,
    BankItem,
    DrawRules,
    PaperItem,
    choice_ids,
    draw_paper,
    score_paper,
)
from grading.timing import SaveVerdict, TimeRules, bounded_grace, deadline
from lti_tool.extensions import db
from lti_tool.models.core import AuditEvent, Enrollment, ResourceLink
from lti_tool.models.exam import (
    STATUS_IN_PROGRESS,
    STATUS_SUBMITTED,
    ExamAnswer,
    ExamAttempt,
    ExamEvent,
    ExamReset,
)
from lti_tool.models.types import JsonType, UtcDateTime


class ExamError(Exception):
    """A refusal the candidate must understand; ``code`` is stable for the page's script."""

    status = 400

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


@dataclass(frozen=True)
class Bank:
    """The bank as the exam needs it, with the blueprint's rules."""

    items: Sequence[BankItem]
    cases: Sequence[BankCase]
    rules: DrawRules
    duration_minutes: int
    pass_mark: float
    version: str


#: Called after a submission with (attempt, now) to queue grades; set by the grades integration.
ON_SUBMIT: list[Callable[[ExamAttempt, datetime], None]] = []


def time_rules(attempt: ExamAttempt) -> TimeRules:
    """The attempt's deadline and grace: what the server judges every save and submit by."""
    return TimeRules(deadline=attempt.deadline_at, grace_seconds=attempt.grace_seconds)


def append_event(attempt: ExamAttempt, kind: str, payload: dict[str, Any], at: datetime) -> None:
    """Append an entry to the attempt's hash chain (the attempt row must be locked)."""
    seq = attempt.event_count + 1
    body = {"kind": kind, "at": at.isoformat(), **payload}
    digest = chain_hash(attempt.last_hash, seq, body)
    db.session.add(
        ExamEvent(
            attempt_id=attempt.id,
            seq=seq,
            kind=kind,
            payload=body,
            at=at,
            previous_hash=attempt.last_hash,
            hash=digest,
        )
    )
    attempt.event_count = seq
    attempt.last_hash = digest


def lock_attempt(attempt_id: int) -> ExamAttempt:
    """Load an attempt with a row lock (serialises its saves on PostgreSQL)."""
    attempt: ExamAttempt | None = db.session.scalar(
        select(ExamAttempt)
        .where(ExamAttempt.id == attempt_id)
        .with_for_update()
        # Locked, hence current: values already in the session may predate the lock.
        .execution_options(populate_existing=True)
    )
    if attempt is None:
        raise ExamError("unknown", "Tentative introuvable.", 404)
    return attempt


def lock_latest(resource_link_id: int, user_id: int) -> ExamAttempt | None:
    """The candidate's latest attempt, locked, in one query (the autosave's hot path)."""
    return db.session.scalar(
        select(ExamAttempt)
        .where(ExamAttempt.resource_link_id == resource_link_id, ExamAttempt.user_id == user_id)
        .order_by(ExamAttempt.attempt_no.desc())
        .limit(1)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def attempts_allowed(resource_link_id: int, user_id: int) -> int:
    """One attempt, plus one per trainer reset."""
    resets = db.session.scalar(
        select(func.count(ExamReset.id)).where(
            ExamReset.resource_link_id == resource_link_id, ExamReset.user_id == user_id
        )
    )
    return 1 + int(resets or 0)


def latest_attempt(resource_link_id: int, user_id: int) -> ExamAttempt | None:
    """The candidate's most recent attempt for this activity."""
    return db.session.scalar(
        select(ExamAttempt)
        .where(ExamAttempt.resource_link_id == resource_link_id, ExamAttempt.user_id == user_id)
        .order_by(ExamAttempt.attempt_no.desc())
        .limit(1)
    )


def extra_time_for(context_id: int, user_id: int) -> float:
    """The candidate's accommodation in this course (percent of extra time)."""
    value = db.session.scalar(
        select(Enrollment.extra_time_percent).where(
            Enrollment.context_id == context_id, Enrollment.user_id == user_id
        )
    )
    return float(value or 0.0)


def start_or_resume(
    *, link: ResourceLink, user_id: int, bank: Bank, grace_seconds: int, now: datetime
) -> ExamAttempt:
    """Return the running attempt, or start the next allowed one; never a second by accident."""
    current = latest_attempt(link.id, user_id)
    if current is not None and current.status == STATUS_IN_PROGRESS:
        return current
    number = (current.attempt_no + 1) if current else 1
    # The first attempt is always allowed: the resets are only counted for a later one.
    if number > 1 and number > attempts_allowed(link.id, user_id):
        raise ExamError(
            "already_taken",
            "Vous avez déjà passé cette épreuve : une seule tentative est autorisée.",
            409,
        )
    # Imported here: the session module builds on this one (submit, errors).
    from lti_tool.exam.session import ensure_may_start

    ensure_may_start(link.id, user_id)
    seed = secrets.token_hex(16)
    paper = draw_paper(bank.items, bank.cases, bank.rules, seed)
    extra = extra_time_for(link.context_id, user_id)
    ends = deadline(now, bank.duration_minutes, extra)
    # The first entry of the chain is known before the row exists (it does not name the row's
    # id): the attempt is inserted with it as its head, then the entry itself.
    first = {
        "kind": "start",
        "at": now.isoformat(),
        "seed": seed,
        "content_version": bank.version,
        "items": [p.item_id for p in paper],
        "deadline": ends.isoformat(),
        "extra_time_percent": extra,
    }
    digest = chain_hash(GENESIS, 1, first)
    values: dict[str, Any] = {
        "context_id": link.context_id,
        "resource_link_id": link.id,
        "user_id": user_id,
        "attempt_no": number,
        "status": STATUS_IN_PROGRESS,
        "seed": seed,
        "content_version": bank.version,
        "paper": [p.to_json() for p in paper],
        "duration_minutes": bank.duration_minutes,
        "extra_time_percent": extra,
        "grace_seconds": bounded_grace(grace_seconds),
        "started_at": now,
        "deadline_at": ends,
        "finished_at": None,
        "submit_reason": None,
        "page_version": 0,
        "score_points": None,
        "score_maximum": None,
        "per_competency": None,
        "passed": None,
        "event_count": 1,
        "last_hash": digest,
    }
    new_id = db.session.execute(_insert_attempt(values)).scalar()
    if new_id is None:
        # Two tabs started at once: the other one won (the unique constraint); resume its attempt.
        existing = latest_attempt(link.id, user_id)
        if existing is None:  # pragma: no cover - the conflicting row cannot vanish
            raise ExamError("unknown", "Tentative introuvable.", 404)
        return existing
    db.session.add(
        ExamEvent(
            attempt_id=new_id,
            seq=1,
            kind="start",
            payload=first,
            at=now,
            previous_hash=GENESIS,
            hash=digest,
        )
    )
    # The row as inserted, known to the session without reading it back.
    attempt = ExamAttempt(id=new_id, **values)
    make_transient_to_detached(attempt)
    db.session.add(attempt)
    return attempt


def _insert_attempt(values: dict[str, Any]) -> Any:
    """INSERT of a new attempt returning its id, or nothing when the attempt number is taken."""
    table = ExamAttempt.__table__
    if db.session.get_bind().dialect.name == "postgresql":
        statement: Any = pg_insert(table)
    else:
        statement = sqlite_insert(table)
    return (
        statement.values(**values)
        .on_conflict_do_nothing(
            index_elements=[table.c.resource_link_id, table.c.user_id, table.c.attempt_no]
        )
        .returning(table.c.id)
    )


def open_page(attempt: ExamAttempt, now: datetime) -> int:
    """A page (tab) opens the attempt: it becomes the only one allowed to save."""
    attempt.page_version += 1
    append_event(attempt, "page", {"page_version": attempt.page_version}, now)
    return attempt.page_version


@dataclass(frozen=True)
class SaveResult:
    """What the page learns after a save."""

    stored: bool
    remaining_seconds: int
    deadline: datetime
    in_grace: bool


@dataclass(frozen=True)
class AttemptHead:
    """What a save is judged and chained by: the attempt's columns read under its row lock."""

    id: int
    seed: str
    status: str
    page_version: int
    deadline_at: datetime
    grace_seconds: int
    event_count: int
    last_hash: str

    @classmethod
    def of(cls, attempt: ExamAttempt) -> AttemptHead:
        """The head of a loaded (and locked) attempt."""
        return cls(
            attempt.id,
            attempt.seed,
            attempt.status,
            attempt.page_version,
            attempt.deadline_at,
            attempt.grace_seconds,
            attempt.event_count,
            attempt.last_hash,
        )


#: Item id -> ({this paper's opaque choice id: proposition key}, multiple answers allowed):
#: what a save may contain.
PaperIndex = dict[str, tuple[dict[str, str], bool]]

_PAPER_INDEXES: dict[tuple[int, str], PaperIndex] = {}
_PAPER_INDEX_LIMIT = 20_000


def paper_index(attempt_id: int, seed: str, load: Callable[[], list[dict[str, Any]]]) -> PaperIndex:
    """The attempt's paper as a save checks it, parsed once per process.

    A drawn paper never changes, and (id, seed) names one paper even across databases (tests
    recreate theirs), so the index is kept; ``load`` reads the paper only the first time.
    """
    key = (attempt_id, seed)
    index = _PAPER_INDEXES.get(key)
    if index is None:
        if len(_PAPER_INDEXES) >= _PAPER_INDEX_LIMIT:
            _PAPER_INDEXES.clear()
        index = {
            str(p["item_id"]): (
                choice_ids(seed, str(p["item_id"]), p["proposition_keys"]),
                bool(p.get("multiple")),
            )
            for p in load()
        }
        _PAPER_INDEXES[key] = index
    return index


def judge_save(
    head: AttemptHead,
    paper: PaperIndex,
    *,
    item_id: str,
    choices: Sequence[str],
    page_version: int,
    now: datetime,
) -> tuple[list[str], SaveVerdict]:
    """Check a save against the attempt, without side effects: the choices to store (keys, from
    the paper's opaque ids), the verdict.

    Raises ExamError for a submitted attempt, a late save (code ``late``: the caller submits),
    a stale tab, an item outside the paper or choices the item does not offer.
    """
    if head.status != STATUS_IN_PROGRESS:
        raise ExamError(
            "submitted", "Votre épreuve est déjà remise : plus aucune réponse n'est acceptée.", 409
        )
    verdict = TimeRules(head.deadline_at, head.grace_seconds).verdict(now)
    if verdict is SaveVerdict.REFUSED_LATE:
        raise ExamError(
            "late",
            "Le temps de l'épreuve est écoulé : cette réponse est arrivée après l'échéance et n'a pas "
            "été enregistrée. Vos réponses précédentes ont été remises.",
            409,
        )
    if page_version != head.page_version:
        raise ExamError(
            "stale_page",
            "L'épreuve a été ouverte dans un autre onglet ou une autre fenêtre : rechargez cette page "
            "pour continuer (vos réponses enregistrées sont conservées).",
            409,
        )
    item = paper.get(item_id)
    if item is None:
        raise ExamError("unknown_item", "Cette question ne fait pas partie de votre sujet.", 400)
    # The page sends this paper's own opaque ids (another candidate's, or a bare letter, are
    # not among them); the answer is stored under the propositions' keys.
    by_id, multiple = item
    if any(c not in by_id for c in choices):
        raise ExamError("bad_choice", "Réponse invalide pour cette question.", 400)
    picked = sorted({by_id[c] for c in choices})
    if not multiple and len(picked) > 1:
        raise ExamError("bad_choice", "Réponse invalide pour cette question.", 400)
    return picked, verdict


_ANSWER_COLUMNS = ("choices", "flagged", "page_version", "client_seq", "saved_at")

#: PostgreSQL: the answer, its event and the chain head in one statement (one round trip).
#: The event and the head are written only when the upsert stored something.
_PG_SAVE = text(
    """
    WITH stored AS (
        INSERT INTO exam_answer
            (attempt_id, item_id, choices, flagged, page_version, client_seq, saved_at)
        VALUES (:attempt_id, :item_id, :choices, :flagged, :page_version, :client_seq, :saved_at)
        ON CONFLICT (attempt_id, item_id) DO UPDATE
        SET choices = excluded.choices, flagged = excluded.flagged,
            page_version = excluded.page_version, client_seq = excluded.client_seq,
            saved_at = excluded.saved_at
        WHERE (exam_answer.page_version, exam_answer.client_seq)
            < (excluded.page_version, excluded.client_seq)
        RETURNING id
    ), event AS (
        INSERT INTO exam_event (attempt_id, seq, kind, payload, at, previous_hash, hash)
        SELECT :attempt_id, :seq, 'save', :payload, :saved_at, :previous_hash, :hash FROM stored
    ), head AS (
        UPDATE exam_attempt SET event_count = :seq, last_hash = :hash
        WHERE id = :attempt_id AND EXISTS (SELECT 1 FROM stored)
    )
    SELECT count(*) FROM stored
    """
).bindparams(
    bindparam("choices", type_=JsonType),
    bindparam("payload", type_=JsonType),
    bindparam("saved_at", type_=UtcDateTime()),
)


@dataclass(frozen=True)
class _SaveStatements:
    upsert: Any
    event: Any
    head: Any


_SAVE_STATEMENTS: dict[str, _SaveStatements] = {}


def _save_statements(dialect: str) -> _SaveStatements:
    """The autosave's statements for other databases, built once per dialect."""
    cached = _SAVE_STATEMENTS.get(dialect)
    if cached is not None:
        return cached
    answers = ExamAnswer.__table__
    statement = sqlite_insert(answers)
    # Insert, or update only when this save is newer (page version, then sequence number).
    newer = tuple_(answers.c.page_version, answers.c.client_seq) < tuple_(
        statement.excluded.page_version, statement.excluded.client_seq
    )
    upsert = statement.on_conflict_do_update(
        index_elements=[answers.c.attempt_id, answers.c.item_id],
        set_={k: statement.excluded[k] for k in _ANSWER_COLUMNS},
        where=newer,
    ).returning(answers.c.id)
    attempts = ExamAttempt.__table__
    head = (
        update(attempts)
        .where(attempts.c.id == bindparam("attempt"))
        .values(event_count=bindparam("event_count"), last_hash=bindparam("last_hash"))
    )
    built = _SaveStatements(upsert, insert_core(ExamEvent.__table__), head)
    _SAVE_STATEMENTS[dialect] = built
    return built


_PSYCOPG_SQL: dict[int, tuple[str, dict[str, Any]]] = {}


def psycopg_sql(statement: Any) -> tuple[str, dict[str, Any]]:
    """A SQLAlchemy statement (built once, at import) compiled for psycopg itself, once: its
    SQL and the values of its own parameters (a LIMIT...), to which the caller's are added."""
    compiled = _PSYCOPG_SQL.get(id(statement))
    if compiled is None:
        from sqlalchemy.dialects.postgresql import psycopg

        dialect: Any = psycopg.dialect
        done = statement.compile(dialect=dialect())
        # Only the values the statement carries itself: a parameter the caller forgets must
        # be refused by psycopg, not sent as NULL.
        own = {name: value for name, value in done.params.items() if value is not None}
        compiled = _PSYCOPG_SQL[id(statement)] = (str(done), own)
    return compiled


def store_answer(
    connection: Connection | Any,
    head: AttemptHead,
    *,
    item_id: str,
    picked: list[str],
    flagged: bool,
    page_version: int,
    client_seq: int,
    now: datetime,
    late_seconds: float | None = None,
) -> tuple[int, str] | None:
    """Store a judged answer if it is newer than the stored one, with its chained event.

    ``late_seconds`` marks a save accepted in the grace (in flight at the deadline): the
    chained event says how late it arrived. The attempt row must be locked. Returns the new chain head (count, hash), or None when a
    newer answer was already stored (a late retry: nothing written). ``connection`` is a
    SQLAlchemy connection, or on PostgreSQL psycopg's own (the autosave's lean path:
    SQLAlchemy's execution machinery was a fifth of a save's CPU), which runs the same
    ``_PG_SAVE`` compiled once.
    """
    seq = head.event_count + 1
    body = {
        "kind": "save",
        "at": now.isoformat(),
        "item": item_id,
        "choices": picked,
        "flagged": flagged,
        "seq": client_seq,
    }
    if late_seconds is not None:
        body["late_seconds"] = round(late_seconds, 3)
    digest = chain_hash(head.last_hash, seq, body)
    answer = {
        "attempt_id": head.id,
        "item_id": item_id,
        "choices": picked,
        "flagged": flagged,
        "page_version": page_version,
        "client_seq": client_seq,
        "saved_at": now,
    }
    chained = {
        **answer,
        "seq": seq,
        "payload": body,
        "previous_hash": head.last_hash,
        "hash": digest,
    }
    if not isinstance(connection, Connection):
        from psycopg.types.json import Jsonb

        sql, own = psycopg_sql(_PG_SAVE)
        row = connection.execute(
            sql, {**own, **chained, "choices": Jsonb(picked), "payload": Jsonb(body)}
        ).fetchone()
        return (seq, digest) if row[0] else None
    if connection.dialect.name == "postgresql":
        stored = connection.execute(_PG_SAVE, chained).scalar_one()
        return (seq, digest) if stored else None
    statements = _save_statements(connection.dialect.name)
    if connection.execute(statements.upsert, answer).first() is None:
        return None
    connection.execute(
        statements.event,
        {
            "attempt_id": head.id,
            "seq": seq,
            "kind": "save",
            "payload": body,
            "at": now,
            "previous_hash": head.last_hash,
            "hash": digest,
        },
    )
    connection.execute(
        statements.head, {"attempt": head.id, "event_count": seq, "last_hash": digest}
    )
    return seq, digest


def save_answer(
    attempt: ExamAttempt,
    *,
    item_id: str,
    choices: Sequence[str],
    flagged: bool,
    page_version: int,
    client_seq: int,
    now: datetime,
) -> SaveResult:
    """Store an answer if it is newer than the stored one; refuse stale tabs and late saves."""
    head = AttemptHead.of(attempt)
    paper = paper_index(attempt.id, attempt.seed, lambda: attempt.paper)
    try:
        picked, verdict = judge_save(
            head, paper, item_id=item_id, choices=choices, page_version=page_version, now=now
        )
    except ExamError as error:
        if error.code == "late":
            submit(attempt, now=now, reason="deadline")
        raise
    rules = time_rules(attempt)
    late = rules.seconds_late(now) if verdict is SaveVerdict.ACCEPTED_IN_GRACE else None
    chained = store_answer(
        db.session.connection(),
        head,
        item_id=item_id,
        picked=picked,
        flagged=flagged,
        page_version=page_version,
        client_seq=client_seq,
        now=now,
        late_seconds=late,
    )
    if chained is not None:
        set_committed_value(attempt, "event_count", chained[0])
        set_committed_value(attempt, "last_hash", chained[1])
        if late is not None:
            _log_late_save(attempt, item_id=item_id, seconds_late=late, now=now)
    return SaveResult(
        stored=chained is not None,
        remaining_seconds=time_rules(attempt).remaining_seconds(now),
        deadline=attempt.deadline_at,
        in_grace=verdict is SaveVerdict.ACCEPTED_IN_GRACE,
    )


def _log_late_save(
    attempt: ExamAttempt, *, item_id: str, seconds_late: float, now: datetime
) -> None:
    """Record in the audit log an answer accepted after the deadline (in flight at the time)."""
    db.session.add(
        AuditEvent(
            context_id=attempt.context_id,
            actor_id=attempt.user_id,
            subject_user_id=attempt.user_id,
            action="exam.late_save",
            detail=(
                f"Réponse arrivée {seconds_late:.1f} s après l'échéance, acceptée "
                "(envoyée avant l'échéance, délai de transmission)"
            ),
            data={
                "attempt_id": attempt.id,
                "item_id": item_id,
                "seconds_late": round(seconds_late, 3),
                "grace_seconds": bounded_grace(attempt.grace_seconds),
            },
            at=now,
        )
    )


def answers_of(attempt: ExamAttempt) -> dict[str, ExamAnswer]:
    """The stored answers by item id."""
    rows = db.session.scalars(select(ExamAnswer).where(ExamAnswer.attempt_id == attempt.id))
    return {row.item_id: row for row in rows}


def submit(attempt: ExamAttempt, *, now: datetime, reason: str, pass_mark: float = 0.6) -> bool:
    """Submit with the answers saved so far; harmless when already submitted."""
    if attempt.status == STATUS_SUBMITTED:
        return False
    paper = [PaperItem.from_json(p) for p in attempt.paper]
    answers = {k: frozenset(v.choices) for k, v in answers_of(attempt).items()}
    result = score_paper(paper, answers)
    attempt.status = STATUS_SUBMITTED
    attempt.finished_at = time_rules(attempt).finish_time(now)
    attempt.submit_reason = reason
    attempt.score_points = result.points
    attempt.score_maximum = result.maximum
    attempt.per_competency = {c: [p, m] for c, (p, m) in result.per_competency.items()}
    attempt.passed = result.passed(pass_mark)
    append_event(
        attempt,
        "submit",
        {
            "reason": reason,
            "finished_at": attempt.finished_at.isoformat(),
            "points": result.points,
            "maximum": result.maximum,
        },
        now,
    )
    for hook in ON_SUBMIT:
        hook(attempt, now)
    return True


def finalise_overdue(now: datetime, *, pass_mark: float = 0.6, limit: int = 200) -> int:
    """Submit every attempt whose deadline and grace have passed (the worker's sweep)."""
    candidates = db.session.scalars(
        select(ExamAttempt)
        .where(ExamAttempt.status == STATUS_IN_PROGRESS, ExamAttempt.deadline_at < now)
        .order_by(ExamAttempt.deadline_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    ).all()
    done = 0
    for attempt in candidates:
        if time_rules(attempt).is_overdue(now) and submit(
            attempt, now=now, reason="sweep", pass_mark=pass_mark
        ):
            done += 1
    return done


def set_accommodation(
    *, context_id: int, user_id: int, percent: float, actor_id: int, now: datetime
) -> list[ExamAttempt]:
    """Set a candidate's extra time in the course; running attempts get the new deadline."""
    if not 0 <= percent <= 400:
        raise ExamError(
            "bad_percent", "Le temps supplémentaire doit être compris entre 0 et 400 %."
        )
    enrollment = db.session.scalar(
        select(Enrollment).where(Enrollment.context_id == context_id, Enrollment.user_id == user_id)
    )
    if enrollment is None:
        raise ExamError("unknown_user", "Ce candidat n'est pas inscrit dans ce cours.", 404)
    previous = enrollment.extra_time_percent
    enrollment.extra_time_percent = percent
    running = db.session.scalars(
        select(ExamAttempt)
        .where(
            ExamAttempt.context_id == context_id,
            ExamAttempt.user_id == user_id,
            ExamAttempt.status == STATUS_IN_PROGRESS,
        )
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    for attempt in running:
        new_deadline = deadline(attempt.started_at, attempt.duration_minutes, percent)
        attempt.deadline_at = max(new_deadline, now)
        attempt.extra_time_percent = percent
        append_event(
            attempt,
            "accommodation",
            {
                "extra_time_percent": percent,
                "deadline": attempt.deadline_at.isoformat(),
                "by": actor_id,
            },
            now,
        )
    db.session.add(
        AuditEvent(
            context_id=context_id,
            actor_id=actor_id,
            subject_user_id=user_id,
            action="exam.accommodation",
            detail=f"Temps supplémentaire : {previous:g} % → {percent:g} %",
            data={"previous": previous, "percent": percent},
            at=now,
        )
    )
    return list(running)


def reset_attempt(
    *, link: ResourceLink, user_id: int, actor_id: int, reason: str, now: datetime
) -> ExamReset:
    """Allow one more attempt, with a written reason, recorded in the audit log."""
    reason = reason.strip()
    if len(reason) < 10:
        raise ExamError(
            "reason_required",
            "Indiquez par écrit le motif de la nouvelle tentative (10 caractères au moins).",
        )
    current = latest_attempt(link.id, user_id)
    if current is None:
        raise ExamError("no_attempt", "Ce candidat n'a pas encore commencé l'épreuve.", 409)
    if current.status == STATUS_IN_PROGRESS:
        locked = lock_attempt(current.id)
        submit(locked, now=now, reason="reset")
        append_event(locked, "reset", {"by": actor_id, "reason": reason}, now)
    else:
        locked = lock_attempt(current.id)
        append_event(locked, "reset", {"by": actor_id, "reason": reason}, now)
    reset = ExamReset(
        resource_link_id=link.id, user_id=user_id, by_user_id=actor_id, reason=reason, at=now
    )
    db.session.add(reset)
    db.session.add(
        AuditEvent(
            context_id=link.context_id,
            actor_id=actor_id,
            subject_user_id=user_id,
            action="exam.reset",
            detail=reason,
            data={"resource_link_id": link.id, "attempt_no": current.attempt_no},
            at=now,
        )
    )
    return reset


def seconds_between(a: datetime, b: datetime) -> float:
    """Seconds from ``a`` to ``b``."""
    return (b - a) / timedelta(seconds=1)


def content_version(texts: Sequence[str]) -> str:
    """A short hash of the bank's source texts."""
    digest = hashlib.sha256()
    for source in texts:
        digest.update(source.encode())
    return digest.hexdigest()[:16]

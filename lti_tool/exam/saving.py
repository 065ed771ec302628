"""Saving an answer: the judgement of a save, then its storage with its chained event.

The Flask view and the lean autosave (autosave.py) share ``judge_save`` and ``store_answer``.
Services flush, never commit; the time is always passed in.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Connection, bindparam, text, tuple_, update
from sqlalchemy import insert as insert_core
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm.attributes import set_committed_value

from grading.event_chain import chain_hash
from grading.exam import choice_ids
from grading.timing import SaveVerdict, TimeRules, bounded_grace
from lti_tool.exam.attempts import ExamError, time_rules
from lti_tool.exam.submission import submit
from lti_tool.extensions import db
from lti_tool.models.core import AuditEvent
from lti_tool.models.exam import STATUS_IN_PROGRESS, ExamAnswer, ExamAttempt, ExamEvent
from lti_tool.models.types import JsonType, UtcDateTime


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
            "submitted",
            _l("Votre épreuve est déjà remise : plus aucune réponse n'est acceptée."),
            409,
        )
    verdict = TimeRules(head.deadline_at, head.grace_seconds).verdict(now)
    if verdict is SaveVerdict.REFUSED_LATE:
        raise ExamError(
            "late",
            _l(
                "Le temps de l'épreuve est écoulé : cette réponse est arrivée après l'échéance et n'a pas "
                "été enregistrée. Vos réponses précédentes ont été remises."
            ),
            409,
        )
    if page_version != head.page_version:
        raise ExamError(
            "stale_page",
            _l(
                "L'épreuve a été ouverte dans un autre onglet ou une autre fenêtre : rechargez cette page "
                "pour continuer (vos réponses enregistrées sont conservées)."
            ),
            409,
        )
    item = paper.get(item_id)
    if item is None:
        raise ExamError(
            "unknown_item", _l("Cette question ne fait pas partie de votre sujet."), 400, final=True
        )
    # The page sends this paper's own opaque ids (another candidate's, or a bare letter, are
    # not among them); the answer is stored under the propositions' keys.
    by_id, multiple = item
    if any(c not in by_id for c in choices):
        raise ExamError("bad_choice", _l("Réponse invalide pour cette question."), 400, final=True)
    picked = sorted({by_id[c] for c in choices})
    if not multiple and len(picked) > 1:
        raise ExamError("bad_choice", _l("Réponse invalide pour cette question."), 400, final=True)
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

"""The launch's lean path on PostgreSQL: its statements sent to psycopg itself.

A cohort launches within a minute: each launch was ~20 round trips through the ORM, each about
half a millisecond of SQLAlchemy and psycopg in Python. On PostgreSQL the login, the launch and
the launch stores run here as plain SQL on the psycopg connection of the session's own
transaction (so ``db.session.commit()`` and ``rollback()`` keep their meaning), the people and
the launch session upserted in one statement, as the exam's autosave does
(lti_tool/exam/autosave.py). Elsewhere (SQLite) ``connection()`` is None and the callers keep
their portable ORM code, which stays the reference: the tests run both.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from lti_tool.extensions import db


def connection() -> Any | None:
    """psycopg's connection of the session's transaction on PostgreSQL; None elsewhere."""
    if db.engine.dialect.name != "postgresql":
        return None
    session = db.session()
    if session.new or session.dirty or session.deleted:
        session.flush()  # what the ORM holds is written first, as its autoflush would
    return session.connection().connection.driver_connection


def rows(raw: Any, sql: str, params: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
    """Run ``sql`` on ``raw`` (psycopg); its rows, datetimes in UTC as the models give them."""
    cursor = raw.execute(sql, params or {})
    if cursor.description is None:
        return []
    return [
        tuple(v.astimezone(UTC) if isinstance(v, datetime) else v for v in found)
        for found in cursor.fetchall()
    ]


def one(raw: Any, sql: str, params: dict[str, Any] | None = None) -> tuple[Any, ...] | None:
    """The first row of ``sql``, or None."""
    found = rows(raw, sql, params)
    return found[0] if found else None


def count(raw: Any, sql: str, params: dict[str, Any] | None = None) -> int:
    """The number of rows ``sql`` changed."""
    return int(raw.execute(sql, params or {}).rowcount or 0)


def jsonb(value: Any) -> Any:
    """A JSON parameter (JSONB column)."""
    from psycopg.types.json import Jsonb

    return None if value is None else Jsonb(value)


@dataclass(frozen=True)
class RegistrationRow:
    """The columns of a registration the login and the launch read (lean path)."""

    id: int
    issuer: str
    client_id: str
    active: bool
    auth_login_url: str
    key_set_url: str


@dataclass(frozen=True)
class DeploymentRow:
    """The columns of a deployment the launch reads (lean path)."""

    id: int
    deployment_id: str
    active: bool


REGISTRATIONS = (
    "SELECT id, issuer, client_id, active, auth_login_url, key_set_url FROM lti_registration"
    " WHERE issuer = %(issuer)s AND active"
    " AND (%(client_id)s::varchar IS NULL OR client_id = %(client_id)s::varchar) LIMIT 2"
)


def registration_for(raw: Any, issuer: str, client_id: str | None) -> RegistrationRow | None:
    """The one active registration of ``issuer`` (and ``client_id``), as views.py chooses it."""
    found = rows(raw, REGISTRATIONS, {"issuer": issuer, "client_id": client_id or None})
    return RegistrationRow(*found[0]) if len(found) == 1 else None


def deployment_for(raw: Any, registration_id: int, deployment_id: str) -> DeploymentRow | None:
    """The registration's deployment ``deployment_id``, or None."""
    found = one(
        raw,
        "SELECT id, deployment_id, active FROM lti_deployment"
        " WHERE registration_id = %(registration)s AND deployment_id = %(deployment)s",
        {"registration": registration_id, "deployment": deployment_id},
    )
    return DeploymentRow(*found) if found else None

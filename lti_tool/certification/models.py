"""Certification sessions: certifiers, jury, candidates, marks, decisions, PV, certificates.

Every change is also an entry of the session's hash-chained log (``CertEvent``), so the
certifier can show France compétences who did what, when, and what it was before.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lti_tool.extensions import db
from lti_tool.models.core import Context, User
from lti_tool.models.types import JsonType, UtcDateTime

#: Levels of a grid line, as the jury marks them.
ACQUIS, PARTIEL, NON_ACQUIS = "acquis", "partiel", "non_acquis"
LEVELS = (ACQUIS, PARTIEL, NON_ACQUIS)

#: A candidate's result once deliberated.
CERTIFIED, PARTIAL, NOT_CERTIFIED = "certified", "partial", "not_certified"

#: Session states: open (candidates, jury, orals, deliberation), closed (PV drawn up).
OPEN, CLOSED = "open", "closed"


class CertifierGrant(db.Model):  # type: ignore[name-defined,misc]
    """The certifier's role, granted in the tool (never inferred from an LMS role alone)."""

    __tablename__ = "cert_certifier"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), unique=True)
    #: ``cli`` (flask certif grant) or ``admin_confirmed`` (a context Administrator, once).
    via: Mapped[str] = mapped_column(String(32))
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), default=None)
    granted_at: Mapped[datetime] = mapped_column(UtcDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class CertSession(db.Model):  # type: ignore[name-defined,misc]
    """A certification session for the candidates of one training course."""

    __tablename__ = "cert_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    context_id: Mapped[int] = mapped_column(ForeignKey("app_context.id"), index=True)
    title: Mapped[str] = mapped_column(String(255))
    #: Convocation: date and time of the orals, room or visio link.
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime())
    place: Mapped[str] = mapped_column(String(512), default="")
    #: The certifier's rules (see services.DEFAULT_RULES): thresholds, retakes, jury, oral.
    rules: Mapped[dict[str, Any]] = mapped_column(JsonType)
    status: Mapped[str] = mapped_column(String(16), default=OPEN)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    #: Head of the session's hash chain.
    event_count: Mapped[int] = mapped_column(Integer, default=0)
    last_hash: Mapped[str] = mapped_column(String(64), default="0" * 64)

    context: Mapped[Context] = relationship()


class CertJuryMember(db.Model):  # type: ignore[name-defined,misc]
    """A jury member appointed by the certifier to a session."""

    __tablename__ = "cert_jury_member"
    __table_args__ = (UniqueConstraint("session_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("cert_session.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    #: From outside the certifier and the training organisation (composition rule).
    external: Mapped[bool] = mapped_column(Boolean, default=False)
    appointed_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    appointed_at: Mapped[datetime] = mapped_column(UtcDateTime())

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class CertCandidate(db.Model):  # type: ignore[name-defined,misc]
    """A candidate convened to a session, with the accommodations and the result."""

    __tablename__ = "cert_candidate"
    __table_args__ = (UniqueConstraint("session_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("cert_session.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    #: Time of this candidate's oral (the session's date by default).
    convened_at: Mapped[datetime] = mapped_column(UtcDateTime())
    #: Extra time in percent (tiers temps = 33.33), copied from the enrolment when convened.
    extra_time_percent: Mapped[float] = mapped_column(default=0.0)
    accommodations: Mapped[str] = mapped_column(Text, default="")
    oral_started_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    oral_ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    #: Set when the jury recorded the candidate absent from the oral (no grid is then expected).
    oral_absent_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    #: certified / partial / not_certified once deliberated.
    result: Mapped[str | None] = mapped_column(String(16), default=None)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)

    user: Mapped[User] = relationship()
    session: Mapped[CertSession] = relationship()


class CertMarkSheet(db.Model):  # type: ignore[name-defined,misc]
    """One jury member's independent marks for one candidate (immutable once submitted)."""

    __tablename__ = "cert_mark_sheet"
    __table_args__ = (UniqueConstraint("candidate_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("cert_candidate.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    #: Criterion id (``C3.2``) -> {"level": acquis|partiel|non_acquis, "comment": str}.
    marks: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    notes: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime] = mapped_column(UtcDateTime())

    member: Mapped[User] = relationship()


class CertDecision(db.Model):  # type: ignore[name-defined,misc]
    """The jury's decision on one competency of one candidate, with the evidence it saw."""

    __tablename__ = "cert_decision"
    __table_args__ = (UniqueConstraint("candidate_id", "competency"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("cert_candidate.id"), index=True)
    competency: Mapped[str] = mapped_column(String(8))
    acquired: Mapped[bool] = mapped_column(Boolean)
    #: What the evidence proposed; a decision departing from it carries a justification.
    proposed: Mapped[bool | None] = mapped_column(Boolean, default=None)
    justification: Mapped[str] = mapped_column(Text, default="")
    evidence: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    decided_at: Mapped[datetime] = mapped_column(UtcDateTime())


class CertPv(db.Model):  # type: ignore[name-defined,misc]
    """A procès-verbal: its PDF and hash; immutable once every member signed it."""

    __tablename__ = "cert_pv"
    __table_args__ = (UniqueConstraint("session_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("cert_session.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    #: The PV this one corrects (a signed PV is never edited: a correction is a new PV).
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("cert_pv.id"), default=None)
    correction_reason: Mapped[str] = mapped_column(Text, default="")
    #: The content the PDF was drawn from (JSON), and the PDF itself.
    content: Mapped[dict[str, Any]] = mapped_column(JsonType)
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    #: Set when the last member signed.
    signed_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)


class CertPvSignature(db.Model):  # type: ignore[name-defined,misc]
    """A jury member's confirmation of a PV (name as shown, time)."""

    __tablename__ = "cert_pv_signature"
    __table_args__ = (UniqueConstraint("pv_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pv_id: Mapped[int] = mapped_column(ForeignKey("cert_pv.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    name: Mapped[str] = mapped_column(String(255))
    pv_sha256: Mapped[str] = mapped_column(String(64))
    signed_at: Mapped[datetime] = mapped_column(UtcDateTime())


class CertEvent(db.Model):  # type: ignore[name-defined,misc]
    """The session's tamper-evident log: who, when, what, before and after."""

    __tablename__ = "cert_event"
    __table_args__ = (UniqueConstraint("session_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: None for the certifiers' register (grants), which has its own chain.
    session_id: Mapped[int | None] = mapped_column(ForeignKey("cert_session.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), default=None)
    action: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JsonType)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    previous_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class Certificate(db.Model):  # type: ignore[name-defined,misc]
    """A certified holder's certificate; its public code answers on the verification page."""

    __tablename__ = "cert_certificate"

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("cert_candidate.id"), unique=True)
    #: Random, unguessable: the verification URL's last part.
    code: Mapped[str] = mapped_column(String(32), unique=True)
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime())
    #: What the verification page may show, as the holder chose (nothing but validity by default).
    consent: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    revoked_reason: Mapped[str] = mapped_column(Text, default="")
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), default=None)

    candidate: Mapped[CertCandidate] = relationship()


class CpfRecord(db.Model):  # type: ignore[name-defined,misc]
    """What the CPF export needs of a holder, entered by the holder, encrypted at rest."""

    __tablename__ = "cert_cpf_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("cert_candidate.id"), unique=True)
    #: Fernet tokens of the NIR (15 characters) and of the birth name; emptied by the purge.
    nir_encrypted: Mapped[str | None] = mapped_column(Text, default=None)
    birth_name_encrypted: Mapped[str | None] = mapped_column(Text, default=None)
    #: The NIR's last two characters (its key), kept to show it masked without decrypting.
    nir_hint: Mapped[str] = mapped_column(String(4), default="")
    entered_at: Mapped[datetime] = mapped_column(UtcDateTime())
    #: After this the NIR and name are erased (retention).
    purge_after: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    purged_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    #: The passage's idTechnique in the export, its state, and what the receipt said.
    id_technique: Mapped[str] = mapped_column(String(64), unique=True)
    #: entered → exported → accepted | rejected.
    state: Mapped[str] = mapped_column(String(16), default="entered")
    exported_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    receipt_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    receipt_message: Mapped[str] = mapped_column(Text, default="")

    candidate: Mapped[CertCandidate] = relationship()


class CertAppeal(db.Model):  # type: ignore[name-defined,misc]
    """A candidate's appeal (recours) against the jury's decision, and its outcome."""

    __tablename__ = "cert_appeal"

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("cert_candidate.id"), index=True)
    #: The signed PV the appeal is against.
    pv_id: Mapped[int] = mapped_column(ForeignKey("cert_pv.id"))
    text: Mapped[str] = mapped_column(Text)
    lodged_at: Mapped[datetime] = mapped_column(UtcDateTime())
    #: upheld (the decision is corrected by a new PV) or dismissed, with its reasons.
    outcome: Mapped[str | None] = mapped_column(String(16), default=None)
    outcome_text: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), default=None)

    candidate: Mapped[CertCandidate] = relationship()

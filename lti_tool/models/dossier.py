"""Épreuve 2 self-check: the candidate's checklist, uploaded drafts and every read of them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lti_tool.extensions import db
from lti_tool.models.core import User
from lti_tool.models.types import JsonType, UtcDateTime


class ChecklistEntry(db.Model):  # type: ignore[name-defined,misc]
    """One item of the cahier des charges, ticked (or not) by the candidate, with a note."""

    __tablename__ = "dossier_checklist"
    __table_args__ = (UniqueConstraint("context_id", "user_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    context_id: Mapped[int] = mapped_column(ForeignKey("app_context.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    item_id: Mapped[str] = mapped_column(String(128))
    checked: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


#: Upload states: stored and waiting for the analysis child, being analysed, report stored,
#: or refused by the analysis (the file is then removed and ``error`` says why).
PENDING = "pending"
RUNNING = "running"
READY = "ready"
FAILED = "failed"


class DossierUpload(db.Model):  # type: ignore[name-defined,misc]
    """A draft uploaded by the candidate; the file lives outside the web root.

    Once deleted (by the candidate or the retention purge) the row keeps only that a version
    existed: its number and dates, never the file's name, hash, size, type or report.
    """

    __tablename__ = "dossier_upload"
    __table_args__ = (UniqueConstraint("context_id", "user_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    context_id: Mapped[int] = mapped_column(ForeignKey("app_context.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    version: Mapped[int] = mapped_column(Integer)
    #: Random file name under the upload root (never the candidate's file name).
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    original_name: Mapped[str] = mapped_column(String(255))
    detected_type: Mapped[str] = mapped_column(String(16))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    #: The automatic report (JSON of grading.dossier's Report).
    report: Mapped[dict[str, Any]] = mapped_column(JsonType)
    deleted_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    #: pending → running → ready or failed (the analysis runs in the worker, never in a request).
    status: Mapped[str] = mapped_column(String(16), default=READY, server_default=READY)
    #: Why the analysis refused the file (French, shown to the candidate).
    error: Mapped[str | None] = mapped_column(Text, default=None)
    #: When a worker took the analysis (a stale claim is taken again after a crash).
    claimed_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    #: Pseudonyms the candidate declared for this version (« Karim ; M. X. »): not reported.
    pseudonyms: Mapped[str] = mapped_column(Text, default="", server_default="")
    #: The activity the upload came from: completion goes to its gradebook column.
    resource_link_id: Mapped[int | None] = mapped_column(
        ForeignKey("app_resource_link.id"), default=None
    )

    user: Mapped[User] = relationship()


class DossierAccess(db.Model):  # type: ignore[name-defined,misc]
    """Every read, download or deletion of a dossier file (GDPR accountability)."""

    __tablename__ = "dossier_access"

    id: Mapped[int] = mapped_column(primary_key=True)
    upload_id: Mapped[int] = mapped_column(ForeignKey("dossier_upload.id"), index=True)
    reader_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), default=None)
    action: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UtcDateTime())

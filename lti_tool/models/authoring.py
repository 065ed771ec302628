"""Content authored in the tool by trainers: case studies and modules, drafts and versions.

The Markdown stays the truth: a draft and every published version hold the whole file, the
same text ``python -m course check`` reads, so a course space exports as files and imports back.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lti_tool.extensions import db
from lti_tool.models.core import Context, User
from lti_tool.models.types import UtcDateTime

KIND_CASE = "case"
KIND_MODULE = "module"


class AuthoredContent(db.Model):  # type: ignore[name-defined,misc]
    """A case study or module written in a course; its draft lives here, versions beside it."""

    __tablename__ = "authored_content"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The course it was written in (its trainers author it; its picker offers it).
    context_id: Mapped[int] = mapped_column(ForeignKey("app_context.id"), index=True)
    #: ``case`` or ``module``.
    kind: Mapped[str] = mapped_column(String(16))
    #: The front matter ``id`` of the latest published version ('' before the first).
    slug: Mapped[str] = mapped_column(String(128), default="", index=True)
    #: The title of the draft, for lists.
    title: Mapped[str] = mapped_column(String(255), default="")
    #: Offered to the other courses of the same platform registration too.
    shared: Mapped[bool] = mapped_column(Boolean, default=False)
    #: The draft's whole Markdown file (front matter included).
    draft: Mapped[str] = mapped_column(Text, default="")
    #: Bumped at every save: a save names the revision it started from (no silent overwrite).
    draft_revision: Mapped[int] = mapped_column(Integer, default=1)
    draft_updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    draft_updated_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), default=None)
    #: Number of the latest published version (0: never published).
    published_version: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), default=None)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    #: Deleted contents stay (plays and progress refer to their versions) but are offered nowhere.
    deleted_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)

    context: Mapped[Context] = relationship()
    editor: Mapped[User | None] = relationship(foreign_keys=[draft_updated_by])


class AuthoredVersion(db.Model):  # type: ignore[name-defined,misc]
    """A published version: immutable, numbered 1, 2, 3… per content."""

    __tablename__ = "authored_version"
    __table_args__ = (UniqueConstraint("content_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    content_id: Mapped[int] = mapped_column(ForeignKey("authored_content.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    slug: Mapped[str] = mapped_column(String(128))
    title: Mapped[str] = mapped_column(String(255))
    text: Mapped[str] = mapped_column(Text)
    published_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), default=None)
    published_at: Mapped[datetime] = mapped_column(UtcDateTime())

    publisher: Mapped[User | None] = relationship()


class AuthoredImage(db.Model):  # type: ignore[name-defined,misc]
    """An image of a content, stored in the database (outside any web root), served with the
    content's access rules; Markdown refers to it as ``images/<name>``."""

    __tablename__ = "authored_image"
    __table_args__ = (UniqueConstraint("content_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    content_id: Mapped[int] = mapped_column(ForeignKey("authored_content.id"), index=True)
    name: Mapped[str] = mapped_column(String(128))
    mime: Mapped[str] = mapped_column(String(32))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), default=None)
    uploaded_at: Mapped[datetime] = mapped_column(UtcDateTime())

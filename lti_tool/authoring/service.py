"""Authoring in the tool: drafts, publication, versions, scope. Functions flush, never commit.

A draft belongs to the course it was written in: its trainers edit it; learners never see it. A
save names the revision it started from, and a save made from an older revision is refused
(two trainers never overwrite each other silently). Publishing runs the whole checker and
refuses with its errors; a published version is immutable and numbered. Plays and module
progress record the version they started on (``authored_version``), so a learner finishes on
the version they began while newcomers get the latest.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select, update

from course.templates import TEMPLATES
from lti_tool.authoring import checking
from lti_tool.authoring.checking import Checked, Problem
from lti_tool.content import course
from lti_tool.extensions import db
from lti_tool.models.authoring import (
    KIND_CASE,
    KIND_MODULE,
    AuthoredContent,
    AuthoredImage,
    AuthoredVersion,
)
from lti_tool.models.core import AuditEvent, Context

KINDS = (KIND_CASE, KIND_MODULE)
KIND_LABELS = {KIND_CASE: "Étude de cas", KIND_MODULE: "Module"}
#: Largest draft accepted (a long module is about 60 KB).
MAX_TEXT = 400_000
TITLE_LINE = re.compile(r"^title:\s*(?P<title>.+?)\s*$", re.MULTILINE)


class AuthoringError(Exception):
    """A refused authoring action, with the message to show (French) and an HTTP status."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


class DraftConflict(AuthoringError):
    """The draft changed since the editor loaded it: the save is refused, nothing is lost."""

    def __init__(self, current: AuthoredContent) -> None:
        editor = current.editor.display_name if current.editor else "un autre formateur"
        super().__init__(
            f"Ce brouillon a été modifié par {editor} pendant que vous l'éditiez "
            f"(révision {current.draft_revision}). Votre texte n'a pas été enregistré : il est "
            "conservé dans l'éditeur. Comparez avec la version enregistrée, puis enregistrez "
            "de nouveau.",
            409,
        )
        self.current = current


class PublishRefused(AuthoringError):
    """The draft does not pass the checker."""

    def __init__(self, problems: tuple[Problem, ...]) -> None:
        count = len(problems)
        super().__init__(
            f"Publication refusée : {count} erreur{'s' if count > 1 else ''} à corriger.", 422
        )
        self.problems = problems


def title_of(text: str) -> str:
    """The ``title:`` of a draft's front matter, for lists."""
    head = text.split("\n---", 1)[0] if text.startswith("---") else ""
    match = TITLE_LINE.search(head)
    return match.group("title").strip("'\"")[:255] if match else "Sans titre"


def shipped_ids(kind: str) -> frozenset[str]:
    """Ids of the contents shipped in ``course/`` (an authored content cannot take them)."""
    loaded = course()
    items = loaded.modules if kind == KIND_MODULE else loaded.case_studies
    return frozenset(i.id for i in items)


def taken_ids(content: AuthoredContent) -> frozenset[str]:
    """Ids a content cannot take: shipped ones, and other contents' of the same registration."""
    registration_id = content.context.registration_id
    others = db.session.scalars(
        select(AuthoredContent.slug)
        .join(Context, Context.id == AuthoredContent.context_id)
        .where(
            Context.registration_id == registration_id,
            AuthoredContent.kind == content.kind,
            AuthoredContent.id != content.id,
            AuthoredContent.slug != "",
            AuthoredContent.deleted_at.is_(None),
        )
    )
    return shipped_ids(content.kind) | frozenset(others)


def images_of(content_id: int) -> list[tuple[str, bytes]]:
    """The content's images, as (name, bytes)."""
    rows = db.session.execute(
        select(AuthoredImage.name, AuthoredImage.data).where(AuthoredImage.content_id == content_id)
    )
    return [(name, data) for name, data in rows]


def check_draft(content: AuthoredContent, text: str | None = None) -> Checked:
    """The checker on a draft (the saved one, or a text being typed)."""
    return checking.check(
        content.kind,
        content.draft if text is None else text,
        [(name, b"") for name, _ in images_of(content.id)],
        taken_ids(content),
    )


def _audit(
    content: AuthoredContent, actor_id: int, action: str, detail: str, now: datetime, **data: object
) -> None:
    db.session.add(
        AuditEvent(
            context_id=content.context_id,
            actor_id=actor_id,
            action=action,
            detail=detail,
            data={"content_id": content.id, "kind": content.kind, **data},
            at=now,
        )
    )


def _checked_text(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if len(text) > MAX_TEXT:
        raise AuthoringError(
            f"Texte trop long ({len(text)} caractères, {MAX_TEXT} au plus) : découpez le contenu."
        )
    if "\x00" in text:
        raise AuthoringError("Le texte contient un caractère nul : il n'a pas été enregistré.")
    return text


def create(
    context_id: int, kind: str, user_id: int, now: datetime, text: str | None = None
) -> AuthoredContent:
    """A new draft in a course, from the template of its kind unless a text is given."""
    if kind not in KINDS:
        raise AuthoringError("Type de contenu inconnu : étude de cas ou module.")
    body = _checked_text(TEMPLATES[kind] if text is None else text)
    content = AuthoredContent(
        context_id=context_id,
        kind=kind,
        slug="",
        title=title_of(body),
        shared=False,
        draft=body,
        draft_revision=1,
        draft_updated_at=now,
        draft_updated_by=user_id,
        published_version=0,
        created_by=user_id,
        created_at=now,
    )
    db.session.add(content)
    db.session.flush()
    _audit(content, user_id, "authoring.create", content.title, now)
    return content


def save_draft(
    content: AuthoredContent, text: str, revision: int, user_id: int, now: datetime
) -> int:
    """Save the draft if nobody saved since ``revision``; return the new revision.

    One UPDATE guarded by the revision: two saves from the same revision, in any process, cannot
    both succeed.
    """
    body = _checked_text(text)
    result = db.session.execute(
        update(AuthoredContent)
        .where(
            AuthoredContent.id == content.id,
            AuthoredContent.draft_revision == revision,
            AuthoredContent.deleted_at.is_(None),
        )
        .values(
            draft=body,
            title=title_of(body),
            draft_revision=revision + 1,
            draft_updated_at=now,
            draft_updated_by=user_id,
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        db.session.refresh(content)
        raise DraftConflict(content)
    db.session.refresh(content)
    return revision + 1


def publish(content: AuthoredContent, user_id: int, now: datetime) -> AuthoredVersion:
    """Publish the saved draft as the next version, or refuse with the checker's errors.

    The content row is locked first: two trainers publishing at once get versions n and n+1,
    never two versions n (and the unique (content, number) would refuse it anyway).
    """
    db.session.execute(
        select(AuthoredContent.id).where(AuthoredContent.id == content.id).with_for_update()
    )
    db.session.refresh(content)
    checked = check_draft(content)
    if not checked.ok or checked.content is None:
        raise PublishRefused(checked.problems)
    latest = db.session.scalar(
        select(AuthoredVersion).where(
            AuthoredVersion.content_id == content.id,
            AuthoredVersion.number == content.published_version,
        )
    )
    if latest is not None and latest.text == content.draft:
        raise AuthoringError(
            f"Rien à publier : le brouillon est identique à la version {latest.number}.", 409
        )
    number = content.published_version + 1
    version = AuthoredVersion(
        content_id=content.id,
        number=number,
        slug=checked.content.id,
        title=checked.content.title,
        text=content.draft,
        published_by=user_id,
        published_at=now,
    )
    db.session.add(version)
    content.published_version = number
    content.slug = checked.content.id
    content.title = checked.content.title
    db.session.flush()  # the unique (content, number) refuses a concurrent publication
    digest = hashlib.sha256(content.draft.encode()).hexdigest()
    _audit(
        content,
        user_id,
        "authoring.publish",
        f"{checked.content.title} — version {number}",
        now,
        version=number,
        slug=checked.content.id,
        sha256=digest,
    )
    return version


def delete(content: AuthoredContent, user_id: int, now: datetime) -> None:
    """Take a content out of every course (plays and progress keep their versions)."""
    content.deleted_at = now
    _audit(content, user_id, "authoring.delete", content.title, now, slug=content.slug)


def set_shared(content: AuthoredContent, shared: bool, user_id: int, now: datetime) -> None:
    """Offer (or stop offering) a content to the other courses of the same registration."""
    if content.shared != shared:
        content.shared = shared
        _audit(content, user_id, "authoring.share", content.title, now, shared=shared)


def duplicate(content: AuthoredContent, user_id: int, now: datetime) -> AuthoredContent:
    """A new draft with the same text, its id and title marked as a copy."""
    old = checking.front_matter_id(content.draft)
    text = content.draft
    if old:
        text = re.sub(r"^id:.*$", f"id: {old}-copie", text, count=1, flags=re.MULTILINE)
    text = re.sub(r"^title:\s*(.+?)\s*$", r"title: \1 (copie)", text, count=1, flags=re.MULTILINE)
    copy = create(content.context_id, content.kind, user_id, now, text)
    for name, data in images_of(content.id):
        add_image(copy, name, data, _mime(name), user_id, now)
    return copy


def _mime(name: str) -> str:
    return {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "svg": "image/svg+xml"}[
        name.rsplit(".", 1)[-1].lower()
    ]


def add_image(
    content: AuthoredContent, name: str, data: bytes, mime: str, user_id: int, now: datetime
) -> AuthoredImage:
    """Store a (checked) image of a content; a name is never reused (versions refer to it)."""
    exists = db.session.scalar(
        select(func.count()).where(
            AuthoredImage.content_id == content.id, AuthoredImage.name == name
        )
    )
    if exists:
        raise AuthoringError(f"Une image « {name} » existe déjà : renommez le fichier.", 409)
    image = AuthoredImage(
        content_id=content.id,
        name=name,
        mime=mime,
        data=data,
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by=user_id,
        uploaded_at=now,
    )
    db.session.add(image)
    db.session.flush()
    return image


def contents_of(context_id: int) -> list[AuthoredContent]:
    """The contents written in a course (drafts included), newest first."""
    return list(
        db.session.scalars(
            select(AuthoredContent)
            .where(AuthoredContent.context_id == context_id, AuthoredContent.deleted_at.is_(None))
            .order_by(AuthoredContent.draft_updated_at.desc(), AuthoredContent.id.desc())
        )
    )


def editable(content_id: int, context_id: int) -> AuthoredContent:
    """A content of this course, for its trainers (AuthoringError 404 otherwise)."""
    content = db.session.get(AuthoredContent, content_id)
    if content is None or content.context_id != context_id or content.deleted_at is not None:
        raise AuthoringError("Contenu introuvable dans ce cours.", 404)
    return content


def offered(context: Context, kind: str | None = None) -> list[AuthoredContent]:
    """Published contents a course may use: its own, and those shared on its registration."""
    query = (
        select(AuthoredContent)
        .join(Context, Context.id == AuthoredContent.context_id)
        .where(
            AuthoredContent.published_version > 0,
            AuthoredContent.deleted_at.is_(None),
            or_(
                AuthoredContent.context_id == context.id,
                (AuthoredContent.shared.is_(True))
                & (Context.registration_id == context.registration_id),
            ),
        )
        .order_by(AuthoredContent.title)
    )
    if kind is not None:
        query = query.where(AuthoredContent.kind == kind)
    return list(db.session.scalars(query))


def version(content_id: int, number: int) -> AuthoredVersion | None:
    """One published version."""
    return db.session.scalar(
        select(AuthoredVersion).where(
            AuthoredVersion.content_id == content_id, AuthoredVersion.number == number
        )
    )


def versions(content_id: int) -> list[AuthoredVersion]:
    """Every published version, newest first."""
    return list(
        db.session.scalars(
            select(AuthoredVersion)
            .where(AuthoredVersion.content_id == content_id)
            .order_by(AuthoredVersion.number.desc())
        )
    )


@dataclass(frozen=True)
class DiffLine:
    """A line of a diff: ``+`` added, ``-`` removed, `` `` unchanged, ``@`` a hunk header."""

    sign: str
    text: str


def diff(old: str, new: str) -> list[DiffLine]:
    """A readable line diff (three lines of context around each change)."""
    lines: list[DiffLine] = []
    for raw in difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=3):
        if raw.startswith(("---", "+++")):
            continue
        lines.append(DiffLine(raw[:1] or " ", raw[1:]))
    return lines

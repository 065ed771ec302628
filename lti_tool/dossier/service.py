"""Dossier files: stored outside the web root, every read logged, deletion and purge."""

from __future__ import annotations

import hashlib
import os
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select

from grading.dossier import errors
from grading.dossier.checks import Report, Requirement
from lti_tool.content import course
from lti_tool.dossier.assessment import Assessment, assess
from lti_tool.extensions import db
from lti_tool.grades.service import (
    COMPLETIONS,
    Completion,
    graded_links,
    publish_completion,
    publish_scores,
)
from lti_tool.models.core import ResourceLink
from lti_tool.models.dossier import PENDING, READY, ChecklistEntry, DossierAccess, DossierUpload
from lti_tool.models.grades import ScoreOutbox

#: The resource link target whose completion goes to the gradebook.
TARGET = "dossier:checklist"
#: LTI activity progress of a self-check taken back (AGS ``activityProgress``).
IN_PROGRESS = "InProgress"
#: Longest note kept per checklist item.
NOTE_MAX = 5000


def requirements() -> list[Requirement]:
    """The cahier des charges items as the analyser needs them."""
    guide = course().dossier
    if guide is None:
        return []
    return [Requirement(i.id, i.title, i.headings, i.checks, i.min_words) for i in guide.items]


MAX_PSEUDONYMS = 10
MAX_PSEUDONYM_CHARS = 60


def split_pseudonyms(text: str) -> list[str]:
    """« Karim, M. X. ; Léa » → ["Karim", "M. X.", "Léa"] (at most 10, 60 characters each)."""
    names: list[str] = []
    for part in re.split(r"[;,\n]+", text or ""):
        name = " ".join(part.split())[:MAX_PSEUDONYM_CHARS]
        if name and name not in names:
            names.append(name)
    return names[:MAX_PSEUDONYMS]


def storage_root() -> Path:
    """Where files live (outside the web root; the instance folder by default)."""
    root = Path(current_app.config["UPLOAD_ROOT"])
    root.mkdir(parents=True, exist_ok=True)
    return root


def store(
    *,
    context_id: int,
    user_id: int,
    data: bytes,
    filename: str,
    now: datetime,
    resource_link_id: int | None = None,
    pseudonyms: str = "",
) -> DossierUpload:
    """Write the file and a ``pending`` row (the worker analyses it); on failure nothing stays.

    ``pseudonyms``: the names the candidate declared as pseudonyms (« Karim ; M. X. »), kept
    with the version and given to the analysis, which does not report them.

    Only the cheap checks run here (empty, too big): the analysis of the content, whose cost
    the file decides, never runs in a web request (lti_tool.dossier.analysis).
    """
    if not data:
        raise errors.empty()
    if len(data) > current_app.config["DOSSIER_MAX_BYTES"]:
        raise errors.too_big(current_app.config["DOSSIER_MAX_BYTES"])
    version = (
        db.session.scalar(
            select(func.max(DossierUpload.version)).where(
                DossierUpload.context_id == context_id, DossierUpload.user_id == user_id
            )
        )
        or 0
    ) + 1
    stored_name = uuid.uuid4().hex
    path = storage_root() / stored_name
    _write_whole(path, data)
    upload = DossierUpload(
        context_id=context_id,
        user_id=user_id,
        version=version,
        stored_name=stored_name,
        original_name=Path(filename or "dossier").name[:255],
        detected_type="",
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_at=now,
        report={},
        status=PENDING,
        resource_link_id=resource_link_id,
        pseudonyms="; ".join(split_pseudonyms(pseudonyms)),
    )
    try:
        db.session.add(upload)
        db.session.flush()
    except Exception:
        path.unlink(missing_ok=True)
        raise
    return upload


def _write_whole(path: Path, data: bytes) -> None:
    """Write the file under a temporary name, on disk, then rename: never a half-written file.

    Readable by the tool's user only from the first byte; on failure the temporary file goes.
    """
    temporary = path.with_suffix(".part")
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        temporary.replace(path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def discard_file(upload: DossierUpload) -> None:
    """Remove the file from disk (after the row was updated)."""
    discard_stored(upload.stored_name)


def discard_stored(stored_name: str) -> None:
    """Remove a stored file by its name under the upload root."""
    (storage_root() / stored_name).unlink(missing_ok=True)


def log_access(upload: DossierUpload, reader_id: int | None, action: str, now: datetime) -> None:
    """Record a read, download or deletion (never the content)."""
    db.session.add(DossierAccess(upload_id=upload.id, reader_id=reader_id, action=action, at=now))


def uploads_of(context_id: int, user_id: int) -> list[DossierUpload]:
    """The candidate's drafts, newest first."""
    return list(
        db.session.scalars(
            select(DossierUpload)
            .where(DossierUpload.context_id == context_id, DossierUpload.user_id == user_id)
            .order_by(DossierUpload.version.desc())
        )
    )


def checklist_of(context_id: int, user_id: int) -> dict[str, ChecklistEntry]:
    """The candidate's checklist by item id."""
    rows = db.session.scalars(
        select(ChecklistEntry).where(
            ChecklistEntry.context_id == context_id, ChecklistEntry.user_id == user_id
        )
    )
    return {row.item_id: row for row in rows}


def analysed(uploads: list[DossierUpload]) -> list[DossierUpload]:
    """The versions still on file whose report is ready, newest first."""
    return [u for u in uploads if u.deleted_at is None and u.status == READY and u.report]


def latest_report(context_id: int, user_id: int) -> Report | None:
    """The report of the newest analysed draft still on file."""
    for upload in analysed(uploads_of(context_id, user_id)):
        return Report.from_json(upload.report)
    return None


def save_checklist(
    context_id: int, user_id: int, answers: Mapping[str, tuple[bool, str]], now: datetime
) -> dict[str, ChecklistEntry]:
    """Store the tick and note of every item of the cahier des charges (others are ignored)."""
    guide = course().dossier
    entries = checklist_of(context_id, user_id)
    for item in guide.items if guide else ():
        checked, note = answers.get(item.id, (False, ""))
        entry = entries.get(item.id)
        if entry is None:
            entry = ChecklistEntry(context_id=context_id, user_id=user_id, item_id=item.id)
            db.session.add(entry)
            entries[item.id] = entry
        entry.checked = checked
        entry.note = note[:NOTE_MAX]
        entry.updated_at = now
    db.session.flush()
    return entries


def maybe_complete(context_id: int, user_id: int, link: ResourceLink | None, now: datetime) -> bool:
    """Self-check finished with nothing blocking: 1/1 to the gradebook; True when it is.

    To every graded dossier activity of the course, whatever ``link`` the candidate came
    through (the course hub included); queued only when the grade changes (``publish_scores``).
    When a grade was already sent and the newest draft has a blocking problem or an identifying
    detail, the gradebook gets 0/1 « à reprendre » with the reason: an earlier 1/1 must not stay
    there and read as « conforme ». Unticking a box takes nothing back (the candidate's own notes).
    """
    state = self_check(context_id, user_id)
    if state.finished:
        publish_completion(
            context_id=context_id,
            user_id=user_id,
            target=TARGET,
            completion=state.grade(),
            now=now,
        )
        return True
    links = graded_links(context_id, TARGET)
    if not links or not state.blocked:
        return False
    sent = db.session.scalar(
        select(ScoreOutbox.id)
        .where(
            ScoreOutbox.user_id == user_id,
            ScoreOutbox.resource_link_id.in_([link.id for link in links]),
        )
        .limit(1)
    )
    if sent is not None:
        grade = state.grade()
        publish_scores(
            [
                dict(
                    user_id=user_id,
                    link=column,
                    score_given=grade.score_given,
                    score_maximum=grade.score_maximum,
                    activity_progress=IN_PROGRESS,
                    comment=grade.comment,
                )
                for column in links
            ],
            now=now,
        )
    return False


@dataclass(frozen=True)
class SelfCheck:
    """Where the candidate's self-check stands: the checklist, and the newest report's verdict."""

    ticked: bool
    assessment: Assessment | None
    identifying: int = 0

    @property
    def finished(self) -> bool:
        """Every box ticked, a report, no blocking problem and no identifying detail left."""
        return (
            self.ticked
            and self.assessment is not None
            and not self.assessment.blocking
            and not self.identifying
        )

    @property
    def blocked(self) -> bool:
        """The newest report has a blocking problem or an identifying detail."""
        return self.assessment is not None and bool(self.assessment.blocking or self.identifying)

    def grade(self) -> Completion:
        """1/1 when finished, else 0/1; the comment says what the tool checked, never « conforme ».

        The tool checks what can be seen in the text; only the jury assesses the dossier, so the
        comment says so, and counts what is left (a teacher reads the gradebook, not the report).
        """
        a = self.assessment
        left = []
        if a is not None and a.blocking:
            left.append(_count(len(a.blocking), "problème bloquant", "problèmes bloquants"))
        if self.identifying:
            left.append(
                _count(self.identifying, "donnée identifiante", "données identifiantes")
                + " à retirer"
            )
        if a is not None and a.warnings:
            left.append(_count(len(a.warnings), "avertissement", "avertissements"))
        if a is not None and a.review:
            left.append(_count(len(a.review), "point à relire", "points à relire"))
        jury = "Auto-contrôle par l'outil, pas l'évaluation du jury."
        if self.finished:
            rest = f" À vérifier encore : {', '.join(left)}." if left else ""
            return Completion(
                score_given=1,
                score_maximum=1,
                comment=(
                    "Auto-contrôle du dossier terminé : liste de contrôle cochée, aucun problème "
                    f"bloquant, aucune donnée identifiante détectée.{rest} {jury}"
                ),
            )
        if not self.ticked:
            left.insert(0, "liste de contrôle incomplète")
        if a is None:
            left.append("aucun brouillon analysé")
        return Completion(
            score_given=0,
            score_maximum=1,
            comment=f"Auto-contrôle du dossier à reprendre : {', '.join(left)}. {jury}",
        )


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def self_check(context_id: int, user_id: int) -> SelfCheck:
    """The candidate's self-check: all boxes ticked? the newest report sorted as on the page."""
    guide = course().dossier
    entries = checklist_of(context_id, user_id)
    ticked = guide is not None and all(
        entries.get(i.id) and entries[i.id].checked for i in guide.items
    )
    report = latest_report(context_id, user_id)
    if report is None:
        return SelfCheck(ticked, None)
    return SelfCheck(ticked, assess(report), report.anonymisation_findings)


def completion_of(context_id: int, user_id: int, _content_id: str = "") -> Completion | None:
    """The finished self-check as a grade (1/1), or None while it is not finished."""
    if course().dossier is None:
        return None
    state = self_check(context_id, user_id)
    return state.grade() if state.finished else None


COMPLETIONS[TARGET.split(":", 1)[0]] = completion_of


def _forget(upload: DossierUpload, reader_id: int | None, action: str, now: datetime) -> None:
    """Mark a draft deleted and keep only that it existed (the file goes after the commit).

    Its name, hash, size, type, report and any refusal message go too: the number and dates
    of the version, and the access log, are all that remains.
    """
    upload.deleted_at = now
    upload.report = {}
    upload.original_name = ""
    upload.sha256 = ""
    upload.size = 0
    upload.detected_type = ""
    upload.error = None
    upload.pseudonyms = ""
    log_access(upload, reader_id, action, now)


def delete(upload: DossierUpload, reader_id: int, now: datetime) -> None:
    """The candidate deletes a draft; call discard_file() once the change is committed."""
    _forget(upload, reader_id, "delete", now)


def purge(now: datetime) -> int:
    """Delete files older than the retention period (rows keep no content)."""
    limit = now - timedelta(days=current_app.config["DOSSIER_RETENTION_DAYS"])
    old = db.session.scalars(
        select(DossierUpload).where(
            DossierUpload.uploaded_at < limit, DossierUpload.deleted_at.is_(None)
        )
    ).all()
    for upload in old:
        _forget(upload, None, "purge", now)
    # The rows are marked first, the files removed once that is durable.
    db.session.commit()
    for upload in old:
        discard_file(upload)
    discard_stale_partials(now)
    return len(old)


#: A ``.part`` file older than this was left by a process that died mid-write.
PARTIAL_MAX_AGE = timedelta(hours=1)


def discard_stale_partials(now: datetime) -> int:
    """Remove half-written uploads left by a crash (a candidate's text must not linger)."""
    root = Path(current_app.config["UPLOAD_ROOT"])
    if not root.is_dir():
        return 0
    removed = 0
    for partial in root.glob("*.part"):
        try:
            written = datetime.fromtimestamp(partial.stat().st_mtime, tz=UTC)
            if written < now - PARTIAL_MAX_AGE:
                partial.unlink()
                removed += 1
        except FileNotFoundError:  # another worker finished or removed it
            continue
    return removed

"""Dossier analysis outside the web request: a capped child process, run by the worker.

The upload view only stores the file and a ``pending`` row. The worker task ``dossier-analysis``
claims pending rows one at a time (a short transaction), runs the analysis in a child process
with CPU-time and memory rlimits and a wall-clock timeout, then stores the report in one
transaction (``ready``), or marks the version ``failed`` with the candidate's message and
removes the file. No database transaction is open while the child runs.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import select, update

import grading
from grading.dossier import errors
from grading.dossier.errors import DossierFileError
from grading.dossier.report import Report
from grading.dossier.sandbox import AnalysisServer, ServerGone
from lti_tool.dossier import service
from lti_tool.extensions import db
from lti_tool.models.core import ResourceLink
from lti_tool.models.dossier import FAILED, PENDING, READY, RUNNING, DossierUpload

log = logging.getLogger("bilan.dossier")

#: The project root: the child imports ``grading`` from there (and nothing of the web app).
ROOT = Path(grading.__file__).resolve().parent.parent
SANDBOX = "grading.dossier.sandbox"
#: One pass of the worker task starts no new analysis after this many seconds.
BATCH_SECONDS = 5.0


@dataclasses.dataclass(frozen=True)
class ProcessBudget:  # frozen: hashable, one analysis server per budget
    """What one upload's analysis may cost."""

    cpu_seconds: int
    memory_bytes: int
    wall_seconds: float

    @classmethod
    def from_config(cls) -> ProcessBudget:
        """BILAN_DOSSIER_ANALYSIS_CPU_SECONDS, _MEMORY_MB, _WALL_SECONDS."""
        config = current_app.config
        return cls(
            int(config["DOSSIER_ANALYSIS_CPU_SECONDS"]),
            int(config["DOSSIER_ANALYSIS_MEMORY_MB"]) * 1024 * 1024,
            float(config["DOSSIER_ANALYSIS_WALL_SECONDS"]),
        )


def _environment() -> dict[str, str]:
    """No secret of the web app reaches the child; one thread for the numeric libraries."""
    return {
        "PATH": os.defpath,
        "PYTHONPATH": str(ROOT),
        "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONHASHSEED": "0",
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
    }


#: Seconds the analysis server may take to load the NLP model before its first answer.
MODEL_LOAD_SECONDS = 60.0
_servers: dict[ProcessBudget, AnalysisServer] = {}
_servers_lock = threading.Lock()


def analysis_server(budget: ProcessBudget) -> AnalysisServer:
    """The process's analysis server for this budget (the NLP model loaded once in it)."""
    with _servers_lock:
        server = _servers.get(budget)
        if server is None:
            server = AnalysisServer(
                [
                    sys.executable, "-m", SANDBOX, "--server", str(budget.cpu_seconds),
                    str(budget.memory_bytes), str(budget.wall_seconds),
                ],
                _environment(),
                str(ROOT),
                budget.wall_seconds + 5,
            )  # fmt: skip
            _servers[budget] = server
        return server


def preload(budget: ProcessBudget) -> None:
    """Start the analysis server now: the model loads before the first upload comes."""
    analysis_server(budget).start()


def stop_servers() -> None:
    """Stop the analysis servers (tests, shutdown)."""
    with _servers_lock:
        for server in _servers.values():
            server.stop()
        _servers.clear()


def run_isolated(
    data: bytes, header: dict[str, Any], budget: ProcessBudget, *, module: str | None = None
) -> dict[str, Any]:
    """Run the analysis on the file in a capped child; its report as JSON, or DossierFileError.

    By default the child is forked by the analysis server, where the NLP model is loaded once;
    ``module`` runs another module in a fresh capped process instead (tests). Whatever exceeds
    the budget (CPU limit, memory, wall-clock timeout, a child that dies without answering) is
    TooComplexError: the candidate is told to export a simpler file.
    """
    if module is None:
        try:
            answer = analysis_server(budget).request(data, header, MODEL_LOAD_SECONDS)
        except ServerGone:
            log.warning("dossier_analysis_server_gone")
            raise errors.too_complex("serveur d'analyse") from None
        return _report(answer)
    environment = _environment()
    child = subprocess.Popen(  # noqa: S603 - fixed command: this interpreter, a module of ours
        [
            sys.executable,
            "-m",
            module or SANDBOX,
            str(budget.cpu_seconds),
            str(budget.memory_bytes),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,  # a traceback could quote the candidate's text
        env=environment,
        cwd=ROOT,
        start_new_session=True,
    )
    payload = json.dumps(header).encode() + b"\n" + data
    try:
        out, _ = child.communicate(payload, timeout=budget.wall_seconds)
    except subprocess.TimeoutExpired:
        child.kill()
        child.communicate()
        log.warning("dossier_analysis_timeout seconds=%s", budget.wall_seconds)
        raise errors.too_complex("durée") from None
    if child.returncode != 0:
        log.warning("dossier_analysis_killed returncode=%s", child.returncode)
        raise errors.too_complex(f"processus arrêté ({child.returncode})")
    try:
        answer = json.loads(out)
    except ValueError:
        log.warning("dossier_analysis_unreadable bytes=%s", len(out))
        raise errors.too_complex("réponse illisible") from None
    return _report(answer)


def _report(answer: dict[str, Any]) -> dict[str, Any]:
    """The report of the child's answer, or its refusal raised as DossierFileError."""
    if "error" in answer:
        code, message = answer["error"]["code"], answer["error"]["message"]
        if code == "too_complex":
            raise errors.too_complex()
        raise DossierFileError(code, message)
    report: dict[str, Any] = answer["report"]
    return report


def request_header() -> dict[str, Any]:
    """What the child needs besides the bytes: the cahier des charges and the size limit."""
    return {
        "requirements": [dataclasses.asdict(r) for r in service.requirements()],
        "max_bytes": current_app.config["DOSSIER_MAX_BYTES"],
    }


def _claim(now: datetime, stale_after: timedelta) -> tuple[int, str, str] | None:
    """Take the oldest pending version (or one whose worker died); committed at once."""
    stale = now - stale_after
    candidates = db.session.execute(
        select(DossierUpload.id, DossierUpload.stored_name, DossierUpload.pseudonyms)
        .where(
            DossierUpload.deleted_at.is_(None),
            (DossierUpload.status == PENDING)
            | ((DossierUpload.status == RUNNING) & (DossierUpload.claimed_at < stale)),
        )
        .order_by(DossierUpload.id)
        .limit(5)
    ).all()
    for upload_id, stored_name, pseudonyms in candidates:
        taken = db.session.execute(
            update(DossierUpload)
            .where(
                DossierUpload.id == upload_id,
                (DossierUpload.status == PENDING)
                | ((DossierUpload.status == RUNNING) & (DossierUpload.claimed_at < stale)),
            )
            .values(status=RUNNING, claimed_at=now)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
        if taken.rowcount == 1:  # type: ignore[attr-defined]
            return upload_id, stored_name, pseudonyms or ""
    db.session.commit()
    return None


def analyse_one(
    upload_id: int, stored_name: str, now: datetime, budget: ProcessBudget, pseudonyms: str = ""
) -> str:
    """Analyse a claimed version and store the outcome in one transaction."""
    path = service.storage_root() / stored_name
    failure: DossierFileError | None = None
    report: dict[str, Any] | None = None
    try:
        header = {**request_header(), "pseudonyms": service.split_pseudonyms(pseudonyms)}
        report = run_isolated(path.read_bytes(), header, budget)
    except FileNotFoundError:
        failure = errors.corrupt("Le fichier")  # deleted meanwhile, or lost
    except DossierFileError as error:
        failure = error
    upload = db.session.get(DossierUpload, upload_id)
    if upload is None or upload.deleted_at is not None or upload.status != RUNNING:
        db.session.commit()
        return "abandonnée"  # deleted while analysed: its deletion already removed the file
    if failure is not None or report is None:
        message = failure.message if failure is not None else errors.TOO_COMPLEX
        upload.status, upload.error, upload.report = FAILED, message, {}
        # The file goes, and what described it: the version and its refusal remain.
        upload.original_name, upload.sha256, upload.size = "", "", 0
        db.session.commit()
        # A refused file is not kept (personal data the tool cannot use).
        service.discard_stored(stored_name)
        return "refusée"
    upload.status, upload.report = READY, report
    upload.detected_type = str(report.get("kind") or "")
    db.session.flush()
    link = (
        db.session.get(ResourceLink, upload.resource_link_id) if upload.resource_link_id else None
    )
    service.maybe_complete(upload.context_id, upload.user_id, link, now)
    db.session.commit()
    return "analysée"


def analyse_pending(now: datetime, *, max_seconds: float | None = None) -> str:
    """The worker task: analyse pending versions, one at a time, for about ``max_seconds``.

    Tests call it directly to run the analysis at once. A hostile file costs one budget
    (CPU limit, at most the wall timeout), then the loop gives the other tasks their turn.
    """
    budget = ProcessBudget.from_config()
    preload(budget)  # the worker's first pass starts the server: the model loads before any upload
    limit = max_seconds if max_seconds is not None else BATCH_SECONDS
    started = time.monotonic()
    outcomes: list[str] = []
    while True:
        claimed = _claim(now, timedelta(seconds=budget.wall_seconds * 2 + 60))
        if claimed is None:
            break
        upload_id, stored_name, pseudonyms = claimed
        outcomes.append(analyse_one(upload_id, stored_name, now, budget, pseudonyms))
        if time.monotonic() - started >= limit:
            break
    return f"{len(outcomes)} version(s) : " + ", ".join(outcomes) if outcomes else "rien"


def report_of(upload: DossierUpload) -> Report | None:
    """The version's report once analysed."""
    return Report.from_json(upload.report) if upload.status == READY and upload.report else None

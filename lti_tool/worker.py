"""The background worker: one loop running every periodic task (grades, exam sweep, purge).

Feature packages append ``(name, function, interval_seconds)`` to ``TASKS``; each function
takes the current time and returns a short summary for the log. Several workers may run at
once: tasks must be safe under concurrency (row locks with SKIP LOCKED on PostgreSQL).
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from datetime import datetime

import click
from flask import current_app
from flask.cli import AppGroup

from lti_tool.clock import now
from lti_tool.extensions import db

log = logging.getLogger("bilan.worker")

Task = Callable[[datetime], str]
TASKS: list[tuple[str, Task, float]] = []

worker = AppGroup("worker", help="Tâches de fond (notes, fin des épreuves, purge).")


def run_once(names: set[str] | None = None) -> dict[str, str]:
    """Run every task once (or only ``names``) and return their summaries."""
    results: dict[str, str] = {}
    for name, task, _interval in TASKS:
        if names and name not in names:
            continue
        try:
            results[name] = task(now())
            db.session.commit()
        except Exception as error:  # a failing task must not stop the others
            db.session.rollback()
            log.exception("worker_task_failed task=%s", name)
            results[name] = f"échec : {type(error).__name__}"
    return results


@worker.command("run")
@click.option("--once", is_flag=True, help="Un seul passage puis arrêt.")
@click.option("--idle", default=2.0, show_default=True, help="Pause entre deux passages (s).")
@click.option(
    "--nice",
    "niceness",
    default=10,
    show_default=True,
    help="Priorité abaissée (nice) : sur une machine partagée avec le web, les pages et "
    "l'enregistrement des réponses passent avant l'envoi des notes.",
)
def run(once: bool, idle: float, niceness: int) -> None:
    """Run the periodic tasks in a loop."""
    if niceness > 0 and not once:
        os.nice(niceness)
    last: dict[str, float] = {}
    while True:
        due = {
            name
            for name, _task, interval in TASKS
            if time.monotonic() - last.get(name, -1e9) >= interval
        }
        if due:
            for name, summary in run_once(due).items():
                last[name] = time.monotonic()
                log.info("worker_task task=%s result=%s", name, summary)
        if once:
            return
        db.session.remove()
        time.sleep(idle)  # idle wait between polls in the long-running worker, not in tests
        current_app.logger.debug("worker tick")

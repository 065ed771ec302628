"""The background worker: every periodic task (grades, exam sweep, purge) in its own thread.

Feature packages append ``(name, function, interval_seconds)`` to ``TASKS``; each function
takes the current time and returns a short summary for the log. Several workers may run at
once: tasks must be safe under concurrency (row locks with SKIP LOCKED on PostgreSQL).

Why one thread per task: a task stuck on a platform (a gradebook answering slowly, or with a
``rel="next"`` link pointing to itself) held the single loop, and the exam deadline sweep, the
grade sending and every purge stopped with it. Each task now runs in a thread of its own, with
its own application context and database session, so no task can starve another; each task
also bounds its own time (the grade drain stops claiming after its budget, every HTTP call
has a timeout), and a task still running long after its interval is logged as stuck.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from lti_tool.clock import now
from lti_tool.extensions import db

log = logging.getLogger("bilan.worker")

Task = Callable[[datetime], str]
TASKS: list[tuple[str, Task, float]] = []
#: A task still running after this many seconds (and ten of its intervals) is logged as stuck.
STUCK_AFTER_SECONDS = 120.0

worker = AppGroup("worker", help="Tâches de fond (notes, fin des épreuves, purge).")


def run_task(name: str, task: Task) -> str:
    """Run one task in the current application context, commit, and return its summary.

    A failing task is logged and rolled back; it never stops the others.
    """
    try:
        result = task(now())
        db.session.commit()
        return result
    except Exception as error:  # a failing task must not stop the others
        db.session.rollback()
        log.exception("worker_task_failed task=%s", name)
        return f"échec : {type(error).__name__}"


def run_once(names: set[str] | None = None) -> dict[str, str]:
    """Run every task once, one after the other (or only ``names``), and return their summaries."""
    results: dict[str, str] = {}
    for name, task, _interval in TASKS:
        if names and name not in names:
            continue
        results[name] = run_task(name, task)
    return results


#: The shortest pause between two runs of a task in the long-running worker.
MIN_INTERVAL_SECONDS = 1.0


@dataclass
class TaskLoop:
    """One task repeated in its own thread until ``stop`` is set."""

    app: Flask
    name: str
    task: Task
    interval: float
    stop: threading.Event
    #: ``time.monotonic()`` when the current run started (None between runs).
    running_since: float | None = None
    runs: int = 0
    thread: threading.Thread = field(init=False)

    def __post_init__(self) -> None:
        # A task registered with no pause would poll the database without end (it did: the
        # dossier analysis at 0 s cost PostgreSQL and the exam's saves a core during the bench).
        self.interval = max(self.interval, MIN_INTERVAL_SECONDS)
        self.thread = threading.Thread(target=self._loop, name=f"worker-{self.name}", daemon=True)

    def _loop(self) -> None:
        while not self.stop.is_set():
            self.running_since = time.monotonic()
            # Its own application context, hence its own database session and connection.
            with self.app.app_context():
                try:
                    summary = run_task(self.name, self.task)
                finally:
                    db.session.remove()
            self.running_since = None
            self.runs += 1
            log.info("worker_task task=%s result=%s", self.name, summary)
            self.stop.wait(self.interval)  # the pause between runs; returns at once on stop

    def stuck_for(self, at: float) -> float:
        """Seconds the current run has lasted beyond what is expected of it (0 if not)."""
        since = self.running_since
        if since is None:
            return 0.0
        return max(0.0, at - since - max(STUCK_AFTER_SECONDS, 10 * self.interval))


def start_loops(
    app: Flask,
    stop: threading.Event,
    tasks: Iterable[tuple[str, Task, float]] | None = None,
) -> list[TaskLoop]:
    """Start one thread per task (``TASKS`` by default); they end once ``stop`` is set."""
    loops = [
        TaskLoop(app, name, task, interval, stop)
        for name, task, interval in (TASKS if tasks is None else tasks)
    ]
    for loop in loops:
        loop.thread.start()
    return loops


def watch(loops: list[TaskLoop], stop: threading.Event, period: float = 30.0) -> None:
    """Until ``stop``: log the tasks whose current run lasts far longer than expected."""
    while not stop.wait(period):
        at = time.monotonic()
        for loop in loops:
            late = loop.stuck_for(at)
            if late > 0:
                log.error("worker_task_stuck task=%s late_seconds=%.0f", loop.name, late)


@worker.command("run")
@click.option("--once", is_flag=True, help="Un seul passage puis arrêt.")
@click.option(
    "--nice",
    "niceness",
    default=10,
    show_default=True,
    help="Priorité abaissée (nice) : sur une machine partagée avec le web, les pages et "
    "l'enregistrement des réponses passent avant l'envoi des notes.",
)
def run(once: bool, niceness: int) -> None:
    """Run the periodic tasks, each in its own thread, until SIGTERM or Ctrl-C."""
    if once:
        for name, summary in run_once().items():
            log.info("worker_task task=%s result=%s", name, summary)
        return
    if niceness > 0:
        os.nice(niceness)
    app: Any = current_app._get_current_object()  # type: ignore[attr-defined]
    stop = threading.Event()

    def ask_to_stop(_signum: int, _frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, ask_to_stop)
    signal.signal(signal.SIGINT, ask_to_stop)
    loops = start_loops(app, stop)
    watch(loops, stop)
    for loop in loops:
        loop.thread.join(timeout=30)

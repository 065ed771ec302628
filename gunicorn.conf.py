"""Gunicorn settings for the tool in production (read from the working directory).

Measured on the 2-core test machine with bench/exam_load.py and bench/exam_cpu.py: sync
workers cost less CPU per request than gthread (autosave 1.6 vs 2.1 ms in the worker, keep-alive
included), and two workers per core keep both cores busy while some wait on PostgreSQL.
Command-line options (``-w``, ``-k``...) and GUNICORN_CMD_ARGS override these values.

The application is loaded once in the master and its caches (course, exam bank, rendered items)
are built there before the workers are forked: without it every worker spent ≈ 1.3 s of CPU
building them on its first exam request, just when a cohort starts. ``BILAN_PRELOAD=0`` turns it
off (``make run`` does, since ``--reload`` needs each worker to import the code itself).
"""

import os
from pathlib import Path

#: Flask's instance folder for this checkout (where ``flask lti registration-url`` reads the
#: addresses recorded below).
INSTANCE = Path(__file__).resolve().parent / "instance"

workers = int(os.environ.get("WEB_CONCURRENCY", 2 * (os.cpu_count() or 1)))
worker_class = "sync"
# A request never takes long: a stuck worker is restarted rather than waited for.
timeout = 30
graceful_timeout = 20
# The whole paper is one page; saves are a few hundred bytes.
limit_request_line = 8190
preload_app = os.environ.get("BILAN_PRELOAD", "1") != "0"
# Launch tokens (/s/<token>/) are bearer credentials: written /s/…/ in the access and error logs.
logger_class = "lti_tool.log_redaction.RedactingLogger"


def when_ready(server):  # type: ignore[no-untyped-def]
    """Master, application loaded, workers not yet forked: build the shared caches.

    Also records the listening addresses, so that ``flask lti registration-url`` warns when the
    address it prints is not one this server answers on (lti_tool/listening.py).
    """
    from lti_tool import listening

    addresses = [a for a in server.cfg.address if isinstance(a, tuple)]
    listening.write_record(INSTANCE, [(str(a[0]), int(a[1])) for a in addresses])
    if server.cfg.preload_app:
        from lti_tool import warm_caches

        warm_caches(server.app.wsgi())


def post_fork(server, worker):  # type: ignore[no-untyped-def]
    """Worker just forked from a preloaded master: its own database connections."""
    if server.cfg.preload_app:
        from lti_tool import after_fork

        after_fork(server.app.wsgi())


def on_exit(server):  # type: ignore[no-untyped-def]
    """The server stops: its addresses are no longer served."""
    from lti_tool import listening

    listening.remove_record(INSTANCE)

"""Gunicorn settings for the tool in production (read from the working directory).

Measured on the 2-core test machine with bench/exam_load.py and bench/exam_cpu.py: sync
workers cost less CPU per request than gthread (autosave 1.6 vs 2.1 ms in the worker, keep-alive
included), and two workers per core keep both cores busy while some wait on PostgreSQL.
Command-line options (``-w``, ``-k``...) and GUNICORN_CMD_ARGS override these values.
"""

import os

workers = int(os.environ.get("WEB_CONCURRENCY", 2 * (os.cpu_count() or 1)))
worker_class = "sync"
# A request never takes long: a stuck worker is restarted rather than waited for.
timeout = 30
graceful_timeout = 20
# The whole paper is one page; saves are a few hundred bytes.
limit_request_line = 8190

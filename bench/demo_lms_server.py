"""The demo LMS gradebook served on its own (for exam_load.py): the grades' destination.

    .venv/bin/python bench/demo_lms_server.py PORT DATABASE_URL

A separate process, so that its CPU is not counted as the tool's: it answers the token and
AGS requests of the tool's grade sender like Moodle does (lti_tool/grades/demo_lms.py), reads the
tool's public key from the same database, and keeps the gradebook in memory. ``GET
/bench/stats`` returns its counters (token requests, score posts, grades held).
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import jsonify  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from lti_tool import create_app  # noqa: E402
from lti_tool.grades import demo_lms  # noqa: E402


def main() -> None:
    port, database_url = int(sys.argv[1]), sys.argv[2]
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "DEMO_PLATFORM": True,
            "DEMO_LMS_STORE": "memory",
            "REDIS_URL": None,
        }
    )

    @app.get("/bench/stats")
    def stats():  # type: ignore[no-untyped-def]
        return jsonify(demo_lms.stats())

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    make_server("127.0.0.1", port, app, threaded=True).serve_forever()


if __name__ == "__main__":
    main()

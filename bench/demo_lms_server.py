"""The demo LMS gradebook served on its own (for exam_load.py): the grades' destination.

    .venv/bin/python bench/demo_lms_server.py PORT DATABASE_URL [JWKS_FILE]

A separate process, so that its CPU is not counted as the tool's: it answers the token and
AGS requests of the tool's grade sender like Moodle does (lti_tool/grades/demo_lms.py), reads the
tool's public key from the same database, and keeps the gradebook in memory. ``GET
/bench/stats`` returns its counters (token requests, score posts, grades held, and the score
posts received more than once for the same learner, column and timestamp). With ``JWKS_FILE``
it is also the launching platform: ``GET /platform/jwks`` serves the platform's public keys
(bench/faults.py signs the id_tokens with the private key, as the platform would).
"""

from __future__ import annotations

import json
import logging
import sys
import threading
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import jsonify, request  # noqa: E402
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

    seen: Counter[tuple[str, str, str]] = Counter()
    lock = threading.Lock()

    @app.before_request
    def count_scores():  # type: ignore[no-untyped-def]
        # Every score post, by (column, learner, timestamp): a grade sent twice shows here.
        if request.method == "POST" and request.path.endswith("/scores"):
            body = request.get_json(silent=True) or {}
            with lock:
                seen[(request.path, str(body.get("userId")), str(body.get("timestamp")))] += 1

    @app.get("/bench/stats")
    def stats():  # type: ignore[no-untyped-def]
        with lock:
            duplicates = sum(n - 1 for n in seen.values() if n > 1)
        return jsonify({**demo_lms.stats(), "duplicate_posts": duplicates})

    if len(sys.argv) > 3:
        platform_keys = json.loads(Path(sys.argv[3]).read_text())

        @app.get("/platform/jwks")
        def platform_jwks():  # type: ignore[no-untyped-def]
            return jsonify(platform_keys)

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    make_server("127.0.0.1", port, app, threaded=True).serve_forever()


if __name__ == "__main__":
    main()

"""Drain queued scores against a fake LMS on loopback and count token requests.

    .venv/bin/python bench/grades_drain.py --scores 1000
    .venv/bin/python bench/grades_drain.py --scores 1000 --workers 4 \
        --database postgresql+psycopg://127.0.0.1:5432/bilan_bench

The fake LMS is the demo gradebook (``lti_tool.grades.demo_lms``: real JWT assertion check,
line items found/created, scores under Moodle's rules) served by a real HTTP server in a
thread on 127.0.0.1. Scores are queued with ``publish_score`` (one per learner and
activity), then drained by ``send_due`` exactly as ``flask grades sync`` does, with real
HTTP (requests) and the token shared through the database. It prints throughput, the number
of token requests (target: one per registration per token lifetime) and checks that every
score arrived once. A benchmark, not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from werkzeug.serving import make_server  # noqa: E402

from lti_tool import create_app  # noqa: E402
from lti_tool.clock import now  # noqa: E402
from lti_tool.extensions import db  # noqa: E402
from lti_tool.grades import demo_lms, sender  # noqa: E402
from lti_tool.grades.service import COMPLETED, publish_score  # noqa: E402
from lti_tool.lti.keys import generate_private_pem  # noqa: E402
from lti_tool.models import Context, Deployment, Registration, ResourceLink, User  # noqa: E402
from lti_tool.models.grades import DELIVERED, ScoreOutbox  # noqa: E402


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scores", type=int, default=1000)
    parser.add_argument("--activities", type=int, default=4)
    parser.add_argument("--workers", type=int, default=1, help="threads (PostgreSQL for >1)")
    parser.add_argument("--batch", type=int, default=50, help="rows claimed per pass")
    parser.add_argument("--token-seconds", type=int, default=3600)
    parser.add_argument(
        "--worker",
        action="store_true",
        help="drain as the worker does (drain_due: full batches, rows kept loaded between commits)",
    )
    parser.add_argument("--database", default=None, help="SQLAlchemy URL (SQLite temp default)")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="grades-bench-"))
    key = tmp / "tool.pem"
    key.write_bytes(generate_private_pem())
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": args.database or f"sqlite:///{tmp / 'bench.sqlite3'}",
            "SECRET_KEY": "bench-only-secret",
            "DEMO_PLATFORM": True,
            "DEMO_LMS_STORE": "memory",
            "DEMO_LMS_TOKEN_SECONDS": args.token_seconds,
            "GRADES_SEND_AFTER_COMMIT": False,
            "TOOL_PRIVATE_KEY_FILE": str(key),
            "UPLOAD_ROOT": str(tmp / "uploads"),
        }
    )
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    logging.getLogger("bilan.grades").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    base = f"http://127.0.0.1:{server.server_port}"
    threading.Thread(target=server.serve_forever, daemon=True).start()

    with app.app_context():
        db.drop_all()
        db.create_all()  # a throwaway database for the benchmark only
        at = now()
        registration = Registration(
            issuer=f"{base}/demo",
            client_id="bench-client",
            name="LMS de banc d'essai",
            auth_login_url=f"{base}/demo/auth",
            auth_token_url=f"{base}/demo/ags/token",
            key_set_url=f"{base}/demo/jwks",
            platform_profile="moodle",
            created_at=at,
        )
        deployment = Deployment(registration=registration, deployment_id="1", created_at=at)
        db.session.add_all([registration, deployment])
        db.session.flush()
        context = Context(
            registration_id=registration.id,
            deployment_id=deployment.id,
            lti_context_id="bench",
            title="Banc d'essai",
            created_at=at,
        )
        db.session.add(context)
        db.session.flush()
        links = [
            ResourceLink(
                context_id=context.id,
                lti_resource_link_id=f"rl-{n}",
                title=f"Activité {n}",
                target=f"module:bench-{n}",
                lineitems_url=f"{base}/demo/ags/bench/lineitems",
                created_at=at,
            )
            for n in range(args.activities)
        ]
        learners = -(-args.scores // args.activities)
        users = [
            User(issuer=registration.issuer, sub=f"learner-{n}", name=f"L {n}", created_at=at)
            for n in range(learners)
        ]
        db.session.add_all([*links, *users])
        db.session.flush()
        queued = 0
        for user in users:
            for link in links:
                if queued == args.scores:
                    break
                publish_score(
                    user_id=user.id,
                    link=link,
                    score_given=queued % 101,
                    score_maximum=100,
                    activity_progress=COMPLETED,
                    now=at,
                )
                queued += 1
        db.session.commit()
        # Register the tool key before the workers start: keys.signing_key()'s first use is
        # not safe under concurrency (reported to the LTI package).
        from lti_tool.lti.keys import signing_key

        signing_key()

    def drain() -> None:
        with app.app_context():
            while True:
                if args.worker:
                    summary = sender.drain_due(now, limit=args.batch, budget_seconds=3600)
                else:
                    summary = sender.send_due(now(), limit=args.batch)
                if summary.startswith("0 envoi"):
                    break
            db.session.remove()

    started = time.perf_counter()
    threads = [threading.Thread(target=drain) for _ in range(args.workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started

    with app.app_context():
        delivered = db.session.query(ScoreOutbox).filter(ScoreOutbox.state == DELIVERED).count()
        other = queued - delivered
        counters = demo_lms.stats()
    server.shutdown()
    print(f"scores mis en file       : {queued}")
    print(f"livrés                   : {delivered} (autres états : {other})")
    print(f"durée du drainage        : {elapsed:.2f} s avec {args.workers} worker(s)")
    print(f"débit                    : {delivered / elapsed:.0f} notes/s")
    print(f"demandes de jeton        : {counters['token_requests']}")
    print(
        f"envois de notes reçus    : {counters['score_posts']} (notes tenues : {counters['grades']})"
    )
    if counters["score_posts"] != queued or counters["grades"] != queued:
        print("ATTENTION : des notes manquent ou sont en double", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()

"""Where a launch's CPU goes: N launches (login, launch, first page) in one process, profiled.

    .venv/bin/python bench/launch_profile.py --launches 100
    .venv/bin/python bench/launch_profile.py --launches 100 --profile 30    # cProfile, top 30

A private PostgreSQL cluster (bench/cluster.py), the platform registered as bench/faults.py
does; the tool runs in this process under Flask's test client (no HTTP, no gunicorn) so that
the figures are the application's own: milliseconds of CPU per phase (login, launch, first
page), the JWKS fetched once and then read from its cache, the id_tokens signed outside the
measured time. A benchmark: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from cluster import PrivatePostgres  # noqa: E402
from faults import CLIENT_ID, Candidate, Run, platform_key, seed  # noqa: E402


def in_process_app(pg: PrivatePostgres, base: str, lms: str, jwks: Any, **extra: str) -> Any:
    """The tool in this process on the private PostgreSQL (database ``bilan`` seeded with the
    platform), its caches warm, the platform's keys served without a network."""
    env = dict(
        os.environ,
        BILAN_DATABASE_URL=pg.url,
        BILAN_ENV="development",
        BILAN_DEMO_PLATFORM="0",
        BILAN_BASE_URL=base,
        BILAN_GRADES_SEND_AFTER_COMMIT="0",
        BILAN_SECRET_KEY="bench-" + "k" * 40,
        BILAN_COOKIE_SECURE="0",
        BILAN_LOGIN_RATE_LIMIT="0",
        **extra,
    )
    seed(pg.url, env, lms)
    os.environ.update(env)
    from lti_tool import create_app, warm_caches
    from lti_tool.lti import validation

    validation.FETCH_JWKS[0] = lambda url: jwks
    app = create_app({"SQLALCHEMY_DATABASE_URI": pg.url, "REDIS_URL": None})
    warm_caches(app)
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--launches", type=int, default=100)
    parser.add_argument("--profile", type=int, default=0, help="afficher N lignes de cProfile")
    parser.add_argument(
        "--statements", action="store_true", help="les requêtes SQL du 2e lancement"
    )
    args = parser.parse_args()
    key, kid, jwks = platform_key()
    pg = PrivatePostgres()
    pg.start()
    try:
        pg.psql("CREATE DATABASE bilan")
        base, lms = "http://127.0.0.1:9", "http://127.0.0.1:8"
        app = in_process_app(pg, base, lms, jwks)
        client = app.test_client()
        run = Run(base, lms, key, kid)
        phases = {"login": 0.0, "launch": 0.0, "first page": 0.0}
        profiler = cProfile.Profile(time.process_time)
        for n in range(args.launches):
            candidate = Candidate(n, run)
            query = urlencode(
                {
                    "iss": f"{lms}/platform",
                    "client_id": CLIENT_ID,
                    "login_hint": candidate.sub,
                    "lti_deployment_id": "1",
                    "target_link_uri": f"{base}/lti/launch",
                }
            )
            measured = n > 0  # the first launch fetches the JWKS and warms the connections
            if args.statements and n == 1:
                statements: list[str] = []
                from sqlalchemy import event

                from lti_tool.extensions import db

                with app.app_context():
                    engine = db.engine

                def remember(conn, cursor, statement, *_rest, statements=statements):  # type: ignore[no-untyped-def]  # noqa: B008
                    import traceback

                    where = [
                        f"{Path(f.filename).name}:{f.lineno}"
                        for f in traceback.extract_stack()
                        if "/lti_tool/" in f.filename and not f.filename.endswith("lean.py")
                    ][-2:]
                    text = " ".join(statement.split())
                    statements.append(text[:90] + "  ← " + " ".join(where))

                event.listen(engine, "before_cursor_execute", remember)
                # The lean path's statements go to psycopg itself (lti_tool/lti/lean.py).
                try:
                    from lti_tool.lti import lean
                except ImportError:  # the code before the lean path
                    lean = None  # type: ignore[assignment]
                if lean is not None:
                    real_connection = lean.connection

                    class Spied:
                        def __init__(self, inner):  # type: ignore[no-untyped-def]
                            self.inner = inner

                        def execute(self, sql, params=None):  # type: ignore[no-untyped-def]
                            remember(None, None, "[psycopg] " + sql)
                            return self.inner.execute(sql, params)

                    def spied(real_connection=real_connection):  # type: ignore[no-untyped-def]
                        raw = real_connection()
                        return None if raw is None else Spied(raw)

                    lean.connection = spied  # type: ignore[assignment]
            t = time.process_time()
            if measured and args.profile:
                profiler.enable()
            login = client.get(f"/lti/login?{query}")
            profiler.disable()
            phases["login"] += (time.process_time() - t) if measured else 0
            assert login.status_code == 302, login.get_data(as_text=True)[:500]
            params = parse_qs(urlsplit(login.headers["Location"]).query)
            token = candidate.id_token(params["nonce"][0])  # the platform's work, not measured
            t = time.process_time()
            if measured and args.profile:
                profiler.enable()
            launched = client.post(
                "/lti/launch", data={"id_token": token, "state": params["state"][0]}
            )
            profiler.disable()
            phases["launch"] += (time.process_time() - t) if measured else 0
            assert launched.status_code == 303, launched.get_data(as_text=True)[:800]
            t = time.process_time()
            if measured and args.profile:
                profiler.enable()
            page = client.get(urlsplit(launched.headers["Location"]).path)
            profiler.disable()
            phases["first page"] += (time.process_time() - t) if measured else 0
            assert page.status_code == 200
            if args.statements and n == 1:
                event.remove(engine, "before_cursor_execute", remember)
                if lean is not None:
                    lean.connection = real_connection  # type: ignore[assignment]
                print(f"{len(statements)} requêtes pour un lancement (login, launch, page) :")
                for statement in statements:
                    print("   ", statement)
        count = max(1, args.launches - 1)
        total = sum(phases.values())
        print(f"{count} lancements mesurés (le premier, qui lit le JWKS, exclu) :")
        for name, seconds in phases.items():
            print(f"  {name:>10} : {seconds / count * 1000:6.2f} ms CPU (processus de l'outil)")
        print(f"  {'total':>10} : {total / count * 1000:6.2f} ms CPU, PostgreSQL non compté")
        if args.profile:
            stats = pstats.Stats(profiler)
            stats.sort_stats("cumulative").print_stats(args.profile)
            stats.sort_stats("tottime").print_stats(args.profile)
    finally:
        pg.destroy()


if __name__ == "__main__":
    main()

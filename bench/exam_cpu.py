"""Server CPU per request of épreuve 1, measured without load (one gunicorn worker, in turn).

    .venv/bin/python bench/exam_cpu.py --candidates 20

The load test (exam_load.py) says whether the targets hold; this one says where a change
moved the CPU: every candidate opens the intro page, then every candidate starts, opens the
paper, saves every item and submits, one request at a time over one kept-alive connection;
the CPU-seconds of the gunicorn worker and of PostgreSQL (from /proc) are read around each
phase and divided by its number of requests.
The database ``bilan_bench`` (``--database``) is dropped and recreated.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from exam_load import ROOT, postmaster_pid, seed, setup_database, tree_cpu  # noqa: E402


def worker_pid(master: int) -> int:
    """The only gunicorn worker of ``master``."""
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == master:
                return int(entry.name)
    raise SystemExit("gunicorn worker introuvable")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--candidates", type=int, default=20)
    parser.add_argument("--port", type=int, default=5098)
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432")
    parser.add_argument("--redis", default=None)
    parser.add_argument(
        "--database", default="bilan_bench", help="base recréée pour la mesure (défaut bilan_bench)"
    )
    parser.add_argument(
        "--gunicorn", default="", help="more gunicorn options, e.g. '-k gthread --threads 4'"
    )
    parser.add_argument(
        "--new-connection", action="store_true", help="one TCP connection per request"
    )
    args = parser.parse_args()

    database_url = setup_database(args.pg, args.database)
    if args.redis:
        import redis

        redis.Redis.from_url(args.redis).flushdb()
    tokens = seed(database_url, args.candidates, args.redis)
    env = dict(
        os.environ,
        BILAN_DATABASE_URL=database_url,
        BILAN_ENV="development",
        BILAN_DEMO_PLATFORM="0",
        # As in production: grades leave from the worker (exam_load.py measures it), not here.
        BILAN_GRADES_SEND_AFTER_COMMIT="0",
    )
    if args.redis:
        env["BILAN_REDIS_URL"] = args.redis
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "-w",
            "1",
            "-b",
            f"127.0.0.1:{args.port}",
            "--log-level",
            "warning",
            *args.gunicorn.split(),
            "lti_tool:create_app()",
        ],
        cwd=ROOT,
        env=env,
    )
    cpu: dict[str, tuple[int, float, float]] = {}
    try:
        for _ in range(100):
            try:
                connection = http.client.HTTPConnection("127.0.0.1", args.port, timeout=1)
                connection.request("GET", "/lti/jwks")
                connection.getresponse().read()
                break
            except OSError:
                time.sleep(0.2)
        worker, pg = worker_pid(server.pid), postmaster_pid()

        kept = http.client.HTTPConnection("127.0.0.1", args.port, timeout=30)

        def call(method: str, path: str, body: str = "", **headers: str) -> str:
            connection = kept
            if args.new_connection:
                connection = http.client.HTTPConnection("127.0.0.1", args.port, timeout=30)
            connection.request(method, path, body=body.encode(), headers=headers)
            response = connection.getresponse()
            text = response.read().decode()
            if response.status >= 400:
                raise SystemExit(f"{method} {path}: HTTP {response.status}\n{text[:2000]}")
            return text

        def phase(kind: str, requests: list[tuple[Any, ...]]) -> list[str]:
            """Run one kind of request for every candidate; CPU measured around the whole run."""
            time.sleep(0.3)  # work left over from the previous phase (grades sent after submit)
            web0, db0 = tree_cpu(worker), tree_cpu(pg)
            answers = [call(*r[:-1], **r[-1]) for r in requests]
            time.sleep(0.3)
            cpu[kind] = (len(requests), tree_cpu(worker) - web0, tree_cpu(pg) - db0)
            return answers

        form = {"Content-Type": "application/x-www-form-urlencoded"}
        prefixes = [f"/s/{token}/examen" for token in tokens]
        intros = phase("intro", [("GET", f"{p}/", {}) for p in prefixes])
        starts = []
        for prefix, intro in zip(prefixes, intros, strict=True):
            field = re.search(r'name="csrf_token" value="([^"]+)"', intro)
            starts.append(
                (
                    "POST",
                    f"{prefix}/commencer",
                    f"csrf_token={field.group(1) if field else ''}",
                    form,
                )
            )
        phase("start", starts)
        pages = phase("page", [("GET", f"{p}/passer", {}) for p in prefixes])
        saves, submits = [], []
        for prefix, html in zip(prefixes, pages, strict=True):
            csrf = re.search(r'name="csrf-token" content="([^"]+)"', html)
            version = re.search(r'data-page-version="(\d+)"', html)
            assert csrf and version
            for seq, item in enumerate(re.findall(r'data-item="([^"]+)"', html), start=1):
                keys = re.findall(
                    r'name="choice" value="([^"]+)" id="p-\d+-' + re.escape(item) + '"', html
                )
                body = {
                    "item_id": item,
                    "choices": keys[:1],
                    "flagged": False,
                    "page_version": int(version.group(1)),
                    "seq": seq,
                }
                headers = {"Content-Type": "application/json", "X-CSRFToken": csrf.group(1)}
                saves.append(("POST", f"{prefix}/enregistrer", json.dumps(body), headers))
            submits.append(("POST", f"{prefix}/remettre", f"csrf_token={csrf.group(1)}", form))
        phase("save", saves)
        phase("submit", submits)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    total = 0.0
    print(f"{args.candidates} candidats, un worker gunicorn, une requête à la fois (CPU en ms)")
    print(f"{'requête':>8} {'n':>5} {'gunicorn':>9} {'PostgreSQL':>11} {'total':>7}")
    for kind, (count, web, base) in cpu.items():
        total += web + base
        print(
            f"{kind:>8} {count:5d} {web / count * 1000:9.2f} {base / count * 1000:11.2f}"
            f" {(web + base) / count * 1000:7.2f}"
        )
    print(f"par candidat : {total / args.candidates:.3f} s de CPU serveur")


if __name__ == "__main__":
    main()

"""Épreuve 1 under load while hostile dossier uploads are analysed (issue 13, point 1).

    .venv/bin/python bench/hostile_uploads.py --candidates 300 --workers 4 --hostile 4

The exam load of ``exam_load.py`` (gunicorn with the production settings, PostgreSQL, the
tool's worker, the demo LMS), and ``--attack-at`` seconds after the first start, ``--hostile``
other candidates upload the hostile files of the issue at once (the 4.6 KB PDF of three pages
sharing one stream of « q Q » × 950 000, and the 167 KB DOCX of 99 headers of empty
paragraphs, alternately). The uploads are analysed by the worker in capped child processes;
the bench prints the upload requests' latency and status, each version's outcome, how long
until the last one was settled, the saves' p95 during that window and over the session, the
failed requests, and the worker's CPU (its analysis children included). Nothing here asserts a
time: it prints figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import exam_load  # noqa: E402 - the bench's shared pieces, next to this file
from exam_load import Stats, candidate, pct, postmaster_pid, seed, setup_database, tree_cpu  # noqa: E402


def seed_attackers(database_url: str, count: int) -> list[str]:
    """Launch sessions of ``count`` more trainees on the dossier activity of the bench course."""
    from sqlalchemy import select

    from lti_tool import create_app
    from lti_tool.clock import system_clock
    from lti_tool.extensions import db
    from lti_tool.launch_session import create_launch_session
    from lti_tool.models import Context, Enrollment, ResourceLink, User

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    tokens = []
    with app.app_context():
        now = system_clock()
        context = db.session.scalar(select(Context).where(Context.lti_context_id == "bench"))
        link = ResourceLink(
            context_id=context.id,
            lti_resource_link_id="dossier",
            target="dossier:checklist",
            created_at=now,
        )
        db.session.add(link)
        db.session.flush()
        issuer = db.session.scalar(select(User.issuer).limit(1))
        for n in range(count):
            user = User(issuer=issuer, sub=f"attacker-{n}", created_at=now)
            db.session.add(user)
            db.session.flush()
            db.session.add(
                Enrollment(
                    context_id=context.id, user_id=user.id, role="trainee", last_launch_at=now
                )
            )
            tokens.append(
                create_launch_session(
                    user_id=user.id,
                    context_id=context.id,
                    role="trainee",
                    resource_link_id=link.id,
                )
            )
        db.session.commit()
    return tokens


def hostile_files(count: int) -> list[tuple[str, bytes]]:
    """The issue's PDF and DOCX, alternately."""
    from tests.unit.hostile_files import empty_headers_docx, shared_stream_pdf

    pdf, docx = shared_stream_pdf(), empty_headers_docx()
    return [("attaque.pdf", pdf) if i % 2 == 0 else ("attaque.docx", docx) for i in range(count)]


class Attack:
    def __init__(self) -> None:
        self.sent_at = 0.0
        self.settled_at = 0.0
        self.requests: list[tuple[int, float]] = []  # status, latency
        self.outcomes: list[tuple[str, str | None]] = []


async def upload(session, base: str, token: str, name: str, data: bytes, attack: Attack) -> None:
    import aiohttp

    prefix = f"{base}/s/{token}/dossier"
    async with session.get(f"{prefix}/") as r:
        page = await r.text()
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    form = aiohttp.FormData()
    form.add_field("csrf_token", csrf)
    form.add_field("file", data, filename=name, content_type="application/octet-stream")
    t = time.perf_counter()
    async with session.post(f"{prefix}/depot", data=form, allow_redirects=False) as r:
        await r.read()
        attack.requests.append((r.status, time.perf_counter() - t))


def settled(database_url: str, users: int) -> list[tuple[str, str | None]] | None:
    """The attackers' versions once none is waiting or being analysed."""
    import psycopg

    conninfo = database_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(conninfo, autocommit=True) as conn:
        rows = conn.execute("select status, error from dossier_upload order by id").fetchall()
    if len(rows) < users or any(status in ("pending", "running") for status, _ in rows):
        return None
    return [(status, error) for status, error in rows]


async def attack_run(
    session, base: str, tokens: list[str], at: float, stats: Stats, database_url: str, a: Attack
) -> None:
    # Built before the attack: building them in the event loop (about 0.2 s of CPU) stalled
    # every simulated candidate's request at that moment, and the stall was counted as latency.
    files = await asyncio.to_thread(hostile_files, len(tokens))
    await asyncio.sleep(at)
    a.sent_at = time.perf_counter() - stats.t0
    await asyncio.gather(
        *(upload(session, base, t, n, d, a) for t, (n, d) in zip(tokens, files, strict=True))
    )
    sent = time.perf_counter()
    while time.perf_counter() - sent < 300:
        outcome = await asyncio.to_thread(settled, database_url, len(tokens))
        if outcome is not None:
            a.outcomes = outcome
            break
        await asyncio.sleep(0.2)  # polling the worker's progress, not a test
    a.settled_at = time.perf_counter() - stats.t0


async def run(args, base: str, tokens: list[str], attackers: list[str], database_url: str):
    import aiohttp

    stats = Stats()
    attack = Attack()
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(
        connector=connector, timeout=aiohttp.ClientTimeout(total=120)
    ) as session:

        async def delayed(i: int, token: str) -> None:
            await asyncio.sleep(args.ramp * i / max(1, len(tokens)))
            await candidate(session, base, token, stats, (args.think_min, args.think_max))

        stats.t0 = time.perf_counter()
        await asyncio.gather(
            *(delayed(i, t) for i, t in enumerate(tokens)),
            attack_run(session, base, attackers, args.attack_at, stats, database_url, attack),
        )
        return stats, attack, time.perf_counter() - stats.t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--candidates", type=int, default=300)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--hostile", type=int, default=4)
    parser.add_argument("--attack-at", type=float, default=10.0, help="secondes après le début")
    parser.add_argument("--ramp", type=float, default=6.0)
    parser.add_argument("--think-min", type=float, default=0.3)
    parser.add_argument("--think-max", type=float, default=1.5)
    parser.add_argument("--port", type=int, default=5097)
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="bilan_bench_hostile", help="dropped and recreated")
    args = parser.parse_args()

    database_url = setup_database(args.pg, args.database)
    lms = f"http://127.0.0.1:{args.port + 1}"
    tokens = seed(database_url, args.candidates, None, lms=lms)
    attackers = seed_attackers(database_url, args.hostile)
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-qc", "CHECKPOINT"],
        check=True,
    )
    env = dict(
        os.environ,
        BILAN_DATABASE_URL=database_url,
        BILAN_ENV="development",
        BILAN_DEMO_PLATFORM="0",
        BILAN_GRADES_SEND_AFTER_COMMIT="0",
    )
    lms_server = subprocess.Popen(
        [sys.executable, str(ROOT / "bench/demo_lms_server.py"), str(args.port + 1), database_url],
        cwd=ROOT,
        env=env,
    )
    worker = subprocess.Popen(
        [str(ROOT / ".venv/bin/flask"), "--app", "lti_tool:create_app", "worker", "run"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "-w",
            str(args.workers),
            "-b",
            f"127.0.0.1:{args.port}",
            "--log-level",
            "warning",
            "lti_tool:create_app()",
        ],
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{args.port}"
    try:
        for url in (f"{base}/lti/jwks", f"{lms}/bench/stats"):
            for _ in range(100):
                try:
                    urllib.request.urlopen(url, timeout=1)  # noqa: S310
                    break
                except Exception:  # noqa: BLE001 - not up yet
                    time.sleep(0.2)
        pg = postmaster_pid()
        web0, db0, work0 = tree_cpu(server.pid), tree_cpu(pg), tree_cpu(worker.pid)
        stats, attack, elapsed = asyncio.run(run(args, base, tokens, attackers, database_url))
        web1, db1 = tree_cpu(server.pid), tree_cpu(pg)
        # The grades too: wait until the outbox is drained, as exam_load.py does.
        drained_after = exam_load.wait_for_grades(database_url, timeout=120)
        work1 = tree_cpu(worker.pid)
        with urllib.request.urlopen(f"{lms}/bench/stats", timeout=5) as answer:  # noqa: S310
            lms_stats = json.loads(answer.read())
    finally:
        for process in (server, worker, lms_server):
            process.send_signal(signal.SIGTERM)
        for process in (server, worker, lms_server):
            process.wait(timeout=30)
    checked, missing = exam_load.verify(database_url, stats)
    print(
        f"candidats : {args.candidates}, workers gunicorn : {args.workers}, durée : {elapsed:.1f} s,"
        f" dépôts hostiles : {args.hostile} à {attack.sent_at:.1f} s"
    )
    for kind in ("start", "save", "submit"):
        lat = stats.latency[kind]
        print(
            f"{kind:>7} : n={len(lat):5d}  p50={pct(lat, 50):7.1f} ms  p95={pct(lat, 95):7.1f} ms"
            f"  p99={pct(lat, 99):7.1f} ms  erreurs={stats.errors[kind]}"
        )
    window = [lat for at, lat in stats.save_log if attack.sent_at <= at <= attack.settled_at]
    # Second by second from one second before the uploads: where the slow saves are.
    for second in range(-1, int(attack.settled_at - attack.sent_at) + 2):
        lats = [lat for at, lat in stats.save_log if 0 <= at - attack.sent_at - second < 1]
        print(
            f"    {second:+3d} s : n={len(lats):4d} p95={pct(lats, 95):7.1f} ms"
            f" >100 ms : {sum(1 for lat in lats if lat > 0.1)}"
        )
    print(
        f"  save pendant l'attaque ({attack.sent_at:.1f}–{attack.settled_at:.1f} s) :"
        f" n={len(window)} p50={pct(window, 50):.1f} ms p95={pct(window, 95):.1f} ms"
        f" p99={pct(window, 99):.1f} ms max={pct(window, 100):.1f} ms"
    )
    print(
        "dépôts hostiles : requêtes "
        + ", ".join(f"{status} en {latency * 1000:.0f} ms" for status, latency in attack.requests)
    )
    print(
        f"  analyses réglées {attack.settled_at - attack.sent_at:.1f} s après l'envoi : "
        + "; ".join(f"{status} ({error})" for status, error in attack.outcomes)
    )
    failed = sum(stats.errors.values()) + sum(1 for s, _ in attack.requests if s != 303)
    print(f"requêtes en échec : {failed}")
    print(
        f"CPU : gunicorn {web1 - web0:.1f} s, PostgreSQL {db1 - db0:.1f} s, worker (analyses"
        f" comprises) {work1 - work0:.1f} s ; notes reçues par le LMS : {lms_stats['grades']}"
        f" (envois {lms_stats['score_posts']}, file vidée {drained_after:.1f} s après la charge)"
    )
    print(f"vérification : {checked} réponses acquittées, {missing} absentes ou différentes")


if __name__ == "__main__":
    main()

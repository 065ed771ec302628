"""Load test of épreuve 1 on loopback against the production setup (gunicorn + PostgreSQL).

    .venv/bin/python bench/exam_load.py --candidates 300 --workers 4

It creates a fresh PostgreSQL database, migrates it, seeds one course with N candidates
(launch sessions created directly: LTI launches are not what is measured), starts gunicorn,
then each simulated candidate starts the exam, answers every item with autosave at a
compressed human rhythm, and submits. It prints p50/p95/p99 latency for start, save and
submit, throughput, errors, server CPU-seconds per candidate session (gunicorn workers plus
PostgreSQL, read from /proc), and checks in the database that every acknowledged answer
is stored. A benchmark, not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CLK_TCK = os.sysconf("SC_CLK_TCK")


def proc_cpu(pid: int, children: bool = True, system_only: bool = False) -> float:
    """CPU seconds of a process (plus its reaped children when asked); kernel time only if asked."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return 0.0
    utime, stime, cutime, cstime = (int(x) for x in fields[11:15])
    if system_only:
        utime = cutime = 0
    total = utime + stime + ((cutime + cstime) if children else 0)
    return total / CLK_TCK


def tree_cpu(root_pid: int, system_only: bool = False) -> float:
    """CPU seconds of a process, its live children and its reaped children (kernel time only)."""
    total = proc_cpu(root_pid, system_only=system_only)
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if int(fields[1]) == root_pid:
            total += proc_cpu(int(entry.name), system_only=system_only)
    return total


def postmaster_pid() -> int:
    """PID of the PostgreSQL server."""
    out = subprocess.run(
        [
            "psql",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-d",
            "postgres",
            "-Atc",
            "select pg_postmaster_start_time()",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    del out
    for pidfile in Path("/var/run/postgresql").glob("*.pid"):
        return int(pidfile.read_text().split()[0])
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmd = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if b"postgres" in cmd and b"-D" in cmd:
                return int(entry.name)
    raise SystemExit("PostgreSQL introuvable")


def setup_database(url_base: str, name: str) -> str:
    subprocess.run(
        [
            "psql",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-d",
            "postgres",
            "-qc",
            f"DROP DATABASE IF EXISTS {name}",
        ],
        check=True,
    )
    subprocess.run(
        [
            "psql",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-d",
            "postgres",
            "-qc",
            f"CREATE DATABASE {name}",
        ],
        check=True,
    )
    return f"{url_base}/{name}"


#: Launch token → user id, for the final check (launch sessions may live in Redis).
USERS: dict[str, int] = {}


def seed(
    database_url: str, candidates: int, redis_url: str | None = None, lms: str | None = None
) -> list[str]:
    """Migrate and create one course with ``candidates`` launched trainees; return tokens."""
    os.environ["BILAN_DATABASE_URL"] = database_url
    from flask_migrate import upgrade

    from lti_tool import create_app
    from lti_tool.clock import system_clock
    from lti_tool.extensions import db
    from lti_tool.launch_session import create_launch_session
    from lti_tool.models import Context, Deployment, Enrollment, Registration, ResourceLink, User

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "REDIS_URL": redis_url})
    tokens = []
    with app.app_context():
        upgrade()
        now = system_clock()
        platform = lms or "https://bench.invalid"
        reg = Registration(
            issuer=f"{platform}/demo",
            client_id="bench",
            name="bench",
            auth_login_url=f"{platform}/demo/auth",
            auth_token_url=f"{platform}/demo/ags/token",
            key_set_url=f"{platform}/demo/jwks",
            platform_profile="moodle",
            created_at=now,
        )
        dep = Deployment(registration=reg, deployment_id="1", created_at=now)
        db.session.add_all([reg, dep])
        db.session.flush()
        ctx = Context(
            registration_id=reg.id,
            deployment_id=dep.id,
            lti_context_id="bench",
            title="bench",
            created_at=now,
        )
        db.session.add(ctx)
        db.session.flush()
        link = ResourceLink(
            context_id=ctx.id,
            lti_resource_link_id="exam",
            target="exam:certification",
            lineitems_url=f"{platform}/demo/ags/bench/lineitems" if lms else None,
            created_at=now,
        )
        db.session.add(link)
        db.session.flush()
        for n in range(candidates):
            user = User(issuer=reg.issuer, sub=f"cand-{n}", created_at=now)
            db.session.add(user)
            db.session.flush()
            db.session.add(
                Enrollment(context_id=ctx.id, user_id=user.id, role="trainee", last_launch_at=now)
            )
            token = create_launch_session(
                user_id=user.id, context_id=ctx.id, role="trainee", resource_link_id=link.id
            )
            tokens.append(token)
            USERS[token] = user.id
        db.session.commit()
        from lti_tool.lti.keys import signing_key

        signing_key()  # the tool's key, registered before several processes want it
    return tokens


class Stats:
    def __init__(self) -> None:
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.acked: dict[str, dict[str, str]] = defaultdict(dict)
        #: perf_counter() at the end of each acknowledged save (sustained throughput).
        self.save_times: list[float] = []
        #: (moment the save was sent, its latency): p95 by period of the session.
        self.save_log: list[tuple[float, float]] = []
        self.start_done: list[float] = []
        self.t0 = time.perf_counter()


CHOICE = re.compile(r'name="choice" value="([^"]+)" id="p-\d+-([^"]+)"')


async def candidate(
    session, base: str, token: str, stats: Stats, think: tuple[float, float]
) -> None:
    import aiohttp

    prefix = f"{base}/s/{token}/examen"
    t0 = time.perf_counter()
    async with session.get(f"{prefix}/") as r:
        intro = await r.text()
    match = re.search(r'name="csrf_token" value="([^"]+)"', intro)
    async with session.post(
        f"{prefix}/commencer",
        data={"csrf_token": match.group(1) if match else ""},
        allow_redirects=False,
    ) as r:
        await r.read()
        ok = r.status == 303
    async with session.get(f"{prefix}/passer") as r:
        html = await r.text()
        ok = ok and r.status == 200
    stats.latency["start"].append(time.perf_counter() - t0)
    stats.start_done.append(time.perf_counter())
    if not ok:
        stats.errors["start"] += 1
        return
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)
    version = int(re.search(r'data-page-version="(\d+)"', html).group(1))
    items = re.findall(r'data-item="([^"]+)"', html)
    # One pass over the ~100 kB page (a pass per item cost the client more CPU than the server
    # spent on the page, on the same two cores).
    keys: dict[str, list[str]] = {}
    for key, item in CHOICE.findall(html):
        keys.setdefault(item, []).append(key)
    seq = 0
    for item in items:
        await asyncio.sleep(random.uniform(*think))
        seq += 1
        choice = random.choice(keys[item] or ["a"])
        t = time.perf_counter()
        try:
            async with session.post(
                f"{prefix}/enregistrer",
                json={
                    "item_id": item,
                    "choices": [choice],
                    "flagged": False,
                    "page_version": version,
                    "seq": seq,
                },
                headers={"X-CSRFToken": csrf},
            ) as r:
                body = await r.json(content_type=None)
                if r.status == 200 and body.get("ok"):
                    stats.acked[token][item] = choice
                    stats.save_times.append(time.perf_counter())
                else:
                    stats.errors["save"] += 1
        except aiohttp.ClientError:
            stats.errors["save"] += 1
        stats.latency["save"].append(time.perf_counter() - t)
        stats.save_log.append((t - stats.t0, time.perf_counter() - t))
    t = time.perf_counter()
    async with session.post(
        f"{prefix}/remettre", data={"csrf_token": csrf}, allow_redirects=False
    ) as r:
        await r.read()
        if r.status != 303:
            stats.errors["submit"] += 1
    stats.latency["submit"].append(time.perf_counter() - t)


async def run_load(
    base: str, tokens: list[str], ramp: float, think: tuple[float, float]
) -> tuple[Stats, float]:
    import aiohttp

    stats = Stats()
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(
        connector=connector, timeout=aiohttp.ClientTimeout(total=120)
    ) as session:

        async def delayed(i: int, token: str) -> None:
            await asyncio.sleep(ramp * i / max(1, len(tokens)))
            await candidate(session, base, token, stats, think)

        t0 = stats.t0 = time.perf_counter()
        await asyncio.gather(*(delayed(i, t) for i, t in enumerate(tokens)))
        return stats, time.perf_counter() - t0


def best_window(times: list[float], seconds: float = 10.0) -> float:
    """The highest rate of events over ``seconds`` (per second)."""
    times = sorted(times)
    best, start = 0, 0
    for end, at in enumerate(times):
        while at - times[start] > seconds:
            start += 1
        best = max(best, end - start + 1)
    return best / seconds


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] * 1000


def wait_for_grades(database_url: str, timeout: float) -> float:
    """Seconds until no grade waits in the outbox (or ``timeout``)."""
    import psycopg

    conninfo = database_url.replace("postgresql+psycopg://", "postgresql://")
    started = time.perf_counter()
    with psycopg.connect(conninfo, autocommit=True) as conn:
        while time.perf_counter() - started < timeout:
            waiting = conn.execute(
                "select count(*) from grade_outbox where state in ('pending', 'sending')"
            ).fetchone()
            if waiting and waiting[0] == 0:
                break
            time.sleep(0.5)  # polling another process's progress, not a test
    return time.perf_counter() - started


def outbox_states(database_url: str) -> dict[str, int]:
    import psycopg

    conninfo = database_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(conninfo) as conn:
        rows = conn.execute("select state, count(*) from grade_outbox group by state").fetchall()
    return dict(rows)


def verify(database_url: str, stats: Stats) -> tuple[int, int]:
    import psycopg

    missing = 0
    checked = 0
    conninfo = database_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(conninfo) as conn:
        rows = conn.execute(
            "select t.user_id, a.item_id, a.choices, t.seed from exam_answer a "
            "join exam_attempt t on t.id=a.attempt_id"
        ).fetchall()

    from grading.exam import choice_id

    # The page shows each candidate's own opaque ids; answers are stored under the keys.
    stored = {
        (user, item): [choice_id(seed, item, key) for key in choices]
        for user, item, choices, seed in rows
    }
    for token, answers in stats.acked.items():
        user = USERS[token]
        for item, choice in answers.items():
            checked += 1
            if stored.get((user, item)) != [choice]:
                missing += 1
    return checked, missing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--candidates", type=int, default=300)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument(
        "--ramp", type=float, default=6.0, help="secondes pour que tous aient commencé"
    )
    parser.add_argument("--think-min", type=float, default=0.3)
    parser.add_argument("--think-max", type=float, default=1.5)
    parser.add_argument("--port", type=int, default=5099)
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432")
    parser.add_argument(
        "--redis", default=None, help="BILAN_REDIS_URL for the server (launch sessions in Redis)"
    )
    parser.add_argument(
        "--grades",
        choices=["worker", "after-commit"],
        default="worker",
        help="who sends grades to the LMS: the worker (production default) or the web request",
    )
    args = parser.parse_args()

    database_url = setup_database(args.pg, "bilan_bench")
    if args.redis:
        import redis

        redis.Redis.from_url(args.redis).flushdb()  # a throwaway database number, like the PG one
    lms = f"http://127.0.0.1:{args.port + 1}"
    tokens = seed(database_url, args.candidates, args.redis, lms=lms)
    # Start from a clean checkpoint: otherwise the one due after the database was recreated
    # and seeded falls somewhere in the session and its full-page writes land on some runs only.
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-qc", "CHECKPOINT"],
        check=True,
    )
    env = dict(
        os.environ,
        BILAN_DATABASE_URL=database_url,
        BILAN_ENV="development",
        BILAN_DEMO_PLATFORM="0",
        BILAN_GRADES_SEND_AFTER_COMMIT="1" if args.grades == "after-commit" else "0",
    )
    if args.redis:
        env["BILAN_REDIS_URL"] = args.redis
    # The LMS that receives the grades (its CPU is not the tool's) and the tool's worker.
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
        import urllib.request

        for url in (f"{base}/lti/jwks", f"{lms}/bench/stats"):
            for _ in range(100):
                try:
                    urllib.request.urlopen(url, timeout=1)  # noqa: S310
                    break
                except Exception:
                    time.sleep(0.2)
        pg = postmaster_pid()
        web0, db0, work0 = tree_cpu(server.pid), tree_cpu(pg), tree_cpu(worker.pid)
        kernel0 = tree_cpu(server.pid, system_only=True), tree_cpu(pg, system_only=True)
        client0 = time.process_time()
        stats, elapsed = asyncio.run(
            run_load(base, tokens, args.ramp, (args.think_min, args.think_max))
        )
        client1 = time.process_time()
        web1, db1 = tree_cpu(server.pid), tree_cpu(pg)
        kernel1 = tree_cpu(server.pid, system_only=True), tree_cpu(pg, system_only=True)
        # Grades: wait until the outbox is drained (the worker polls every 2 s).
        drained_after = wait_for_grades(database_url, timeout=120)
        work1, db2 = tree_cpu(worker.pid), tree_cpu(pg)
        cpu0, cpu1 = web0 + db0, web1 + db1
        with urllib.request.urlopen(f"{lms}/bench/stats", timeout=5) as answer:  # noqa: S310
            lms_stats = json.loads(answer.read())
    finally:
        for process in (server, worker, lms_server):
            process.send_signal(signal.SIGTERM)
        for process in (server, worker, lms_server):
            process.wait(timeout=30)
    checked, missing = verify(database_url, stats)
    saves = len(stats.latency["save"])
    print(
        f"candidats : {args.candidates}, workers gunicorn : {args.workers}, durée : {elapsed:.1f} s"
    )
    for kind in ("start", "save", "submit"):
        lat = stats.latency[kind]
        print(
            f"{kind:>7} : n={len(lat):5d}  p50={pct(lat, 50):7.1f} ms  p95={pct(lat, 95):7.1f} ms  p99={pct(lat, 99):7.1f} ms  erreurs={stats.errors[kind]}"
        )
    last_start = max(stats.start_done, default=stats.t0) - stats.t0
    during = [lat for at, lat in stats.save_log if at <= last_start]
    after = [lat for at, lat in stats.save_log if at > last_start]
    print(
        f"   save pendant les débuts (0–{last_start:.0f} s) : n={len(during)} p95={pct(during, 95):.1f} ms ;"
        f" ensuite : n={len(after)} p50={pct(after, 50):.1f} ms p95={pct(after, 95):.1f} ms"
        f" p99={pct(after, 99):.1f} ms"
    )
    start_span = args.ramp if args.ramp > 0 else elapsed
    print(
        f"débit : {saves / elapsed:.1f} sauvegardes/s en moyenne, {best_window(stats.save_times):.1f}/s"
        f" sur les 10 meilleures secondes ; {args.candidates / max(start_span, 1e-9):.1f} débuts/s demandés,"
        f" {len(stats.latency['start']) / max(max(stats.start_done, default=0) - stats.t0, 1e-9):.1f}/s obtenus"
    )
    print(
        f"CPU serveur (gunicorn + PostgreSQL) : {cpu1 - cpu0:.1f} s, soit {(cpu1 - cpu0) / args.candidates:.3f} s par candidat"
    )
    print(
        f"  dont gunicorn {web1 - web0:.1f} s (noyau {kernel1[0] - kernel0[0]:.1f} s),"
        f" PostgreSQL {db1 - db0:.1f} s (noyau {kernel1[1] - kernel0[1]:.1f} s)"
    )
    print(
        f"notes ({args.grades}) : {lms_stats['score_posts']} envois reçus par le LMS,"
        f" {lms_stats['grades']} notes tenues, {lms_stats['token_requests']} jeton(s) ;"
        f" file vidée {drained_after:.1f} s après la fin de la charge ;"
        f" CPU du worker {work1 - work0:.1f} s (+ PostgreSQL {db2 - db1:.1f} s pendant la vidange)"
    )
    print(f"file des notes par état : {outbox_states(database_url)}")
    print(f"CPU du client de charge (même machine) : {client1 - client0:.1f} s")
    print(
        f"vérification : {checked} réponses acquittées, {missing} absentes ou différentes en base"
    )
    print(
        "médiane des débuts :",
        f"{statistics.median(stats.latency['start']) * 1000:.1f} ms"
        if stats.latency["start"]
        else "-",
    )


if __name__ == "__main__":
    main()

"""A certification session through real launches and our own failures (issue 16).

    make haproxy                                   # the load balancer (Debian package)
    .venv/bin/pip install -e '.[bench]'            # aiohttp
    .venv/bin/python bench/faults.py --candidates 300 --scenarios launch --ramp 60 --nodes 1
    .venv/bin/python bench/faults.py --candidates 300                  # every fault scenario
    .venv/bin/python bench/faults.py --candidates 20 --scenarios node-kill,pg-restart --short

Each scenario starts its own cluster (bench/cluster.py: a private PostgreSQL cluster on a private
port, optionally a private Redis, two tool nodes — gunicorn + worker each — behind HAProxy, and
the LMS in its own process), then simulates the cohort: each candidate goes through the LMS
launch (``/lti/login``, then ``/lti/launch`` with an ``id_token`` signed RS256 by the platform's
key, then the first page), starts the exam, answers every item and submits. The candidate's page
is simulated as ``lti_tool/static/exam.js`` behaves: an answer stays in its queue until the
server acknowledges it; a network error or a 5xx is retried (1 s, doubling, at most 30 s) and the
time it could not save is sent with the next try (``offline_ms``); a 409/410 stops the page; any
other 4xx drops the answer (the candidate would have to answer again: counted as « retyped »).

Scenarios: ``launch`` (no fault: launch burst, CPU), ``node-kill`` (a), ``pg-restart`` (b),
``redis-restart`` (c), ``lms-down`` (e). The network drop of one candidate (d) is the browser
test ``tests/browser/test_exam_browser.py::test_exam_with_keyboard_only_and_a_network_drop``
(the real page offline while the candidate answers several items, every answer sent on its
return; its length is the candidate's typing, not 2 minutes: the page's clock cannot be
injected there); the table lists it as such.

For every scenario: acknowledged answers lost (must be 0), answers retyped (must be 0), attempts
finished, grades delivered exactly once (posts counted by the LMS per learner, column and
timestamp), attempts swept twice, incidents recorded (exam/incidents.py), time to recover. The
exit status is 1 when an acknowledged answer is lost, an answer must be retyped, a grade is sent
twice or an attempt swept twice. A benchmark: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import signal
import sys
import threading
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from cluster import Cluster, running_cluster  # noqa: E402
from exam_load import pct, proc_cpu, tree_cpu  # noqa: E402

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
CLIENT_ID = "bench"
CHOICE = re.compile(r'name="choice" value="([^"]+)" id="p-\d+-([^"]+)"')
SCENARIOS = ["launch", "node-kill", "pg-restart", "redis-restart", "lms-down"]


def platform_key() -> tuple[Any, str, dict[str, Any]]:
    """The platform's own RSA key: (private key, kid, public JWKS)."""
    from cryptography.hazmat.primitives import serialization

    from lti_tool.lti.keys import generate_private_pem, public_jwk, public_pem_of

    pem = generate_private_pem()
    kid = "bench-platform-" + uuid.uuid4().hex[:8]
    private = serialization.load_pem_private_key(pem, password=None)
    return private, kid, {"keys": [public_jwk(public_pem_of(pem), kid)]}


def seed(database_url: str, env: dict[str, str], lms: str) -> None:
    """Migrate; register the platform (its JWKS on the LMS process) and one deployment."""
    saved = dict(os.environ)
    os.environ.update(env)
    os.environ.pop("BILAN_REDIS_URL", None)
    try:
        from flask_migrate import upgrade

        from lti_tool import create_app
        from lti_tool.clock import system_clock
        from lti_tool.extensions import db
        from lti_tool.lti.keys import signing_key
        from lti_tool.models import Deployment, Registration

        app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "REDIS_URL": None})
        with app.app_context():
            upgrade()
            now = system_clock()
            registration = Registration(
                issuer=f"{lms}/platform",
                client_id=CLIENT_ID,
                name="LMS du banc",
                auth_login_url=f"{lms}/platform/auth",
                auth_token_url=f"{lms}/demo/ags/token",
                key_set_url=f"{lms}/platform/jwks",
                platform_profile="moodle",
                active=True,
                created_at=now,
            )
            db.session.add_all(
                [
                    registration,
                    Deployment(
                        registration=registration, deployment_id="1", active=True, created_at=now
                    ),
                ]
            )
            db.session.commit()
            signing_key()  # the tool's key, made once before several processes want it
            db.session.commit()
            db.session.remove()
            db.engine.dispose()
    finally:
        os.environ.clear()
        os.environ.update(saved)


@dataclass
class Tally:
    """What the simulated cohort saw."""

    t0: float = field(default_factory=time.perf_counter)
    launch_latency: list[float] = field(default_factory=list)
    launch_done: list[float] = field(default_factory=list)
    relaunches: int = 0
    launch_failed: int = 0
    save_latency: list[float] = field(default_factory=list)
    acked: dict[tuple[str, str], str] = field(default_factory=dict)
    retyped: int = 0
    stopped_pages: int = 0
    failed_tries: int = 0
    #: (start, end) of each period a page could not save (perf_counter).
    outages: list[tuple[float, float]] = field(default_factory=list)
    submitted: int = 0
    submit_failed: int = 0
    abandoned: list[str] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    #: candidate -> kind of request (launch, save, submit) -> the nodes that answered it
    #: (HAProxy's X-Served-By header): shows that nothing depends on the node.
    served: dict[str, dict[str, set[str]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(set))
    )

    def served_by(self, sub: str, kind: str, node: str | None) -> None:
        if node:
            self.served[sub][kind].add(node)


def node_account(served: dict[str, dict[str, set[str]]]) -> dict[str, Any]:
    """Per node, the candidates it launched, saved for and took the submission of; and how many
    candidates were launched on one node and saved or submitted on another."""
    per_node: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    elsewhere = 0
    for kinds in served.values():
        for kind, nodes in kinds.items():
            for node in nodes:
                per_node[node][kind] += 1
        launched = kinds.get("launch", set())
        later = kinds.get("save", set()) | kinds.get("submit", set())
        if launched and later - launched:
            elsewhere += 1
    return {
        "per_node": {n: dict(k) for n, k in sorted(per_node.items())},
        "launched_here_served_there": elsewhere,
        "candidates": len(served),
    }


def _cookie_header(response: Any) -> str:
    jar: SimpleCookie = SimpleCookie()
    for value in response.headers.getall("Set-Cookie", []):
        jar.load(value)
    return "; ".join(f"{k}={m.value}" for k, m in jar.items())


class Candidate:
    """One candidate: a browser launched from the LMS, then the exam page and its save queue."""

    def __init__(self, n: int, run: Run) -> None:
        self.n = n
        self.sub = f"cand-{n}"
        self.run = run
        self.base = run.base
        self.queue: dict[str, dict[str, Any]] = {}
        self.wake = asyncio.Event()
        self.closing = False
        self.stopped = False
        self.offline_since: float | None = None
        self.retry_delay = 1.0
        self.prefix = ""
        self.csrf = ""
        #: The node that answered the last request (HAProxy's X-Served-By).
        self.last_node: str | None = None

    def id_token(self, nonce: str) -> str:
        import jwt

        issued = int(time.time())
        lms = self.run.lms
        claims = {
            "iss": f"{lms}/platform",
            "aud": CLIENT_ID,
            "sub": self.sub,
            "iat": issued,
            "exp": issued + 300,
            "nonce": nonce,
            "name": f"Candidat {self.n}",
            LTI + "version": "1.3.0",
            LTI + "message_type": "LtiResourceLinkRequest",
            LTI + "deployment_id": "1",
            LTI + "roles": [LEARNER],
            LTI + "target_link_uri": f"{self.base}/lti/launch",
            LTI + "resource_link": {"id": "epreuve-1", "title": "Épreuve 1"},
            LTI + "context": {"id": "session-bench", "title": "Session du banc"},
            LTI + "custom": {"target": "exam:certification"},
            AGS: {
                "scope": [
                    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
                    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
                ],
                "lineitems": f"{lms}/demo/ags/bench/lineitems",
            },
        }
        token: str = jwt.encode(
            claims, self.run.key, algorithm="RS256", headers={"kid": self.run.kid}
        )
        return token

    async def launch_once(self, http: Any) -> str | None:
        """OIDC login, launch, first page: the intro page's HTML (None if refused)."""
        query = urlencode(
            {
                "iss": f"{self.run.lms}/platform",
                "client_id": CLIENT_ID,
                "login_hint": self.sub,
                "lti_deployment_id": "1",
                "target_link_uri": f"{self.base}/lti/launch",
            }
        )
        async with http.get(f"{self.base}/lti/login?{query}", allow_redirects=False) as r:
            await r.read()
            if r.status != 302:
                self.run.tally.errors[f"login {r.status}"] += 1
                return None
            location = r.headers["Location"]
            cookie = _cookie_header(r)
        params = parse_qs(urlsplit(location).query)
        # The platform signs the id_token (the simulator's CPU, not the tool's).
        form = {"id_token": self.id_token(params["nonce"][0]), "state": params["state"][0]}
        async with http.post(
            f"{self.base}/lti/launch", data=form, headers={"Cookie": cookie}, allow_redirects=False
        ) as r:
            await r.read()
            if r.status != 303:
                self.run.tally.errors[f"launch {r.status}"] += 1
                return None
            landing = r.headers["Location"]
            self.run.tally.served_by(self.sub, "launch", r.headers.get("X-Served-By"))
        if landing.startswith("/"):
            landing = self.base + landing
        self.prefix = landing.rstrip("/")
        async with http.get(landing) as r:
            page = await r.text()
            if r.status != 200:
                self.run.tally.errors[f"first page {r.status}"] += 1
                return None
        return page

    async def launch(self, http: Any) -> str | None:
        """The launch, repeated as a candidate reloads the LMS page after a failure."""
        tally = self.run.tally
        for attempt in range(20):
            started = time.perf_counter()
            try:
                page = await self.launch_once(http)
            except Exception as error:  # a node gone mid-launch: the candidate reloads
                tally.errors[f"launch {type(error).__name__}"] += 1
                page = None
            if page is not None:
                tally.launch_latency.append(time.perf_counter() - started)
                tally.launch_done.append(time.perf_counter())
                return page
            tally.relaunches += 1 if attempt == 0 else 0
            await asyncio.sleep(1 + attempt)
        tally.launch_failed += 1
        return None

    async def request(self, http: Any, method: str, url: str, **kwargs: Any) -> tuple[int, Any]:
        """(status, body) or (0, None) on a network error; retried on 5xx like a reload."""
        try:
            async with http.request(method, url, allow_redirects=False, **kwargs) as r:
                text = await r.text()
                self.last_node = r.headers.get("X-Served-By")
                return r.status, text
        except Exception:
            return 0, None

    async def persistent(self, http: Any, method: str, url: str, ok: int, **kwargs: Any) -> Any:
        """A page load or form the candidate repeats until it works (bounded)."""
        for attempt in range(40):
            status, text = await self.request(http, method, url, **kwargs)
            if status == ok:
                return text
            self.run.tally.errors[f"{url.rsplit('/', 1)[-1] or 'intro'} {status}"] += 1
            await asyncio.sleep(min(1 + attempt, 5))
        return None

    async def flusher(self, http: Any) -> None:
        """The page's save queue (exam.js): ordered, retried, nothing dropped on a 5xx."""
        tally = self.run.tally
        while True:
            if self.stopped:
                return
            if not self.queue:
                if self.closing:
                    return
                self.wake.clear()
                await self.wake.wait()
                continue
            item, payload = next(iter(self.queue.items()))
            sent = dict(payload)
            if self.offline_since is not None:
                sent["offline_ms"] = round((time.perf_counter() - self.offline_since) * 1000)
            started = time.perf_counter()
            status, text = await self.request(
                http,
                "POST",
                f"{self.prefix}/enregistrer",
                json=sent,
                headers={"X-CSRFToken": self.csrf},
            )
            tally.save_latency.append(time.perf_counter() - started)
            body: dict[str, Any] = {}
            if text:
                try:
                    import json

                    body = json.loads(text)
                except ValueError:
                    body = {}
            if 0 < status < 500 and self.offline_since is not None:
                tally.outages.append((self.offline_since, time.perf_counter()))
                self.offline_since = None
            if status == 200 and body.get("ok"):
                tally.acked[(self.sub, item)] = payload["choices"][0]
                tally.served_by(self.sub, "save", self.last_node)
                if self.queue.get(item) is payload:
                    del self.queue[item]
                self.retry_delay = 1.0
            elif status in (409, 410):
                tally.stopped_pages += 1
                tally.retyped += len(self.queue)
                tally.errors[f"save {status} {body.get('error')}"] += 1
                self.queue.clear()
                self.stopped = True
                return
            elif 400 <= status < 500 and body.get("final") is True:
                # The server says this answer can never be saved: the only drop (exam.js).
                tally.retyped += 1
                tally.errors[f"save {status} {body.get('error')}"] += 1
                del self.queue[item]
            else:
                tally.failed_tries += 1
                tally.errors[f"save {status or 'réseau'}"] += 1
                if self.offline_since is None:
                    self.offline_since = started
                await asyncio.sleep(self.retry_delay)
                self.retry_delay = min(self.retry_delay * 2, 30.0)

    async def sit(self, think: tuple[float, float], abandon: bool) -> None:
        import aiohttp

        tally = self.run.tally
        # Each candidate from an address of its own (the login is counted per address).
        local = (f"127.0.{1 + self.n // 250}.{1 + self.n % 250}", 0)
        connector = aiohttp.TCPConnector(limit=4, local_addr=local)
        async with aiohttp.ClientSession(
            connector=connector, timeout=aiohttp.ClientTimeout(total=60)
        ) as http:
            intro = await self.launch(http)
            if intro is None or self.run.launch_only:
                return
            found = re.search(r'name="csrf_token" value="([^"]+)"', intro)
            started = await self.persistent(
                http,
                "POST",
                f"{self.prefix}/commencer",
                303,
                data={"csrf_token": found.group(1) if found else ""},
            )
            html = await self.persistent(http, "GET", f"{self.prefix}/passer", 200)
            if started is None or html is None:
                tally.errors["start failed"] += 1
                return
            self.csrf = re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)  # type: ignore[union-attr]
            version = int(re.search(r'data-page-version="(\d+)"', html).group(1))  # type: ignore[union-attr]
            items = re.findall(r'data-item="([^"]+)"', html)
            keys: dict[str, list[str]] = {}
            for key, item in CHOICE.findall(html):
                keys.setdefault(item, []).append(key)
            flusher = asyncio.create_task(self.flusher(http))
            seq = int(time.time() * 1000)
            last = len(items) // 2 if abandon else len(items)
            for item in items[:last]:
                await asyncio.sleep(random.uniform(*think))
                if self.stopped:
                    break
                seq += 1
                self.queue[item] = {
                    "item_id": item,
                    "choices": [random.choice(keys.get(item) or ["a"])],
                    "flagged": False,
                    "page_version": version,
                    "seq": seq,
                }
                self.wake.set()
            self.closing = True
            self.wake.set()
            try:
                await asyncio.wait_for(flusher, timeout=240)
            except TimeoutError:
                tally.errors["queue not empty after 240 s"] += 1
            tally.retyped += len(self.queue)  # still unsent: the candidate would retype them
            if abandon:
                tally.abandoned.append(self.sub)
                return
            if await self.persistent(
                http, "POST", f"{self.prefix}/remettre", 303, data={"csrf_token": self.csrf}
            ):
                tally.submitted += 1
                tally.served_by(self.sub, "submit", self.last_node)
            else:
                tally.submit_failed += 1


@dataclass
class Run:
    base: str
    lms: str
    key: Any
    kid: str
    tally: Tally = field(default_factory=Tally)
    #: The candidates only get in (login, launch, first page): the launch's own capacity.
    launch_only: bool = False


async def cohort(
    run: Run, candidates: int, ramp: float, think: tuple[float, float], abandon: int
) -> float:
    async def one(n: int) -> None:
        await asyncio.sleep(ramp * n / max(1, candidates))
        await Candidate(n, run).sit(think, abandon=n < abandon)

    run.tally.t0 = time.perf_counter()
    await asyncio.gather(*(one(n) for n in range(candidates)))
    return time.perf_counter() - run.tally.t0


# --- Checks in the database --------------------------------------------------------------------


def _connect(url: str) -> Any:
    import psycopg

    return psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True)


def verify_answers(database_url: str, tally: Tally) -> tuple[int, int]:
    from grading.exam import choice_id

    with _connect(database_url) as conn:
        rows = conn.execute(
            "select u.sub, a.item_id, a.choices, t.seed from exam_answer a "
            "join exam_attempt t on t.id = a.attempt_id join app_user u on u.id = t.user_id"
        ).fetchall()
    stored = {
        (sub, item): [choice_id(seed, item, key) for key in choices]
        for sub, item, choices, seed in rows
    }
    lost = sum(1 for key, choice in tally.acked.items() if stored.get(key) != [choice])
    return len(tally.acked), lost


def expire_abandoned(database_url: str, subs: list[str]) -> None:
    """The abandoned candidates' deadline passes (both workers' sweeps then race for them)."""
    if not subs:
        return
    with _connect(database_url) as conn:
        conn.execute(
            "update exam_attempt set deadline_at = now() - interval '1 minute' "
            "where status = 'in_progress' and user_id in "
            "(select id from app_user where sub = any(%s))",
            (subs,),
        )


def wait_settled(database_url: str, timeout: float) -> float:
    """Seconds until no attempt is in progress and no grade waits (or ``timeout``)."""
    started = time.perf_counter()
    with _connect(database_url) as conn:
        while time.perf_counter() - started < timeout:
            left = conn.execute(
                "select (select count(*) from exam_attempt where status = 'in_progress')"
                " + (select count(*) from grade_outbox where state in ('pending', 'sending'))"
            ).fetchone()
            if left and left[0] == 0:
                break
            time.sleep(0.5)  # polling other processes' progress, not a test
    return time.perf_counter() - started


def database_report(database_url: str) -> dict[str, Any]:
    with _connect(database_url) as conn:
        one = lambda sql: conn.execute(sql).fetchone()[0]  # noqa: E731
        return {
            "finished": one("select count(*) from exam_attempt where status = 'submitted'"),
            "attempts": one("select count(*) from exam_attempt"),
            "swept": one("select count(*) from exam_attempt where submit_reason = 'sweep'"),
            "submitted_twice": one(
                "select count(*) from (select attempt_id from exam_event where kind = 'submit'"
                " group by attempt_id having count(*) > 1) t"
            ),
            "outbox": dict(
                conn.execute("select state, count(*) from grade_outbox group by state").fetchall()
            ),
            "incidents": one("select count(*) from exam_incident"),
            "incident_seconds": one("select coalesce(sum(seconds_lost), 0) from exam_incident"),
            "users": one("select count(*) from app_user"),
        }


# --- Scenarios ----------------------------------------------------------------------------------


def fault_plan(
    name: str, cluster: Cluster, at: float, log: list[str], tally: Tally, candidates: int
) -> tuple[float, float]:
    """Run the scenario's fault (in a thread); return (start, end) in perf_counter time.

    The fault comes ``at`` seconds after the first launch, and not before the cohort has
    saved ten answers per candidate on average (mid-session, whatever the machine's speed).
    """
    time.sleep(at)  # the fault's moment in the session (the benchmark's schedule, not a test)
    waited = time.perf_counter()
    while len(tally.acked) < 10 * candidates and time.perf_counter() - waited < 180:
        time.sleep(0.1)
    start = time.perf_counter()
    if name == "node-kill":
        cluster.nodes[0].kill9()
        log.append(f"kill -9 de {cluster.nodes[0].name} (gunicorn et son worker)")
    elif name == "pg-restart":
        assert cluster.pg is not None
        cluster.pg.stop("fast")
        time.sleep(5)  # ~5 s down, as `pg_ctlcluster … restart` on a loaded server
        cluster.pg.start()
        log.append("PostgreSQL arrêté (fast) puis redémarré, 5 s d'arrêt")
    elif name == "redis-restart":
        assert cluster.rd is not None
        cluster.rd.stop()
        time.sleep(2)
        cluster.rd.start()
        log.append("Redis arrêté (SHUTDOWN, fichier AOF) puis redémarré, 2 s d'arrêt")
    return start, time.perf_counter()


def wait_idle(pids: list[int], limit: float = 90.0) -> float:
    """Wait until the tool's workers have started (≈ 8 s of CPU in their first 25 s: imports,
    models loaded by their tasks), a process start and not the session: the CPU is measured
    from then on. Returns the CPU seconds they spent starting."""
    first = last = sum(tree_cpu(pid) for pid in pids)
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        time.sleep(2.0)  # the benchmark's schedule, not a test's clock
        now_cpu = sum(tree_cpu(pid) for pid in pids)
        if now_cpu - last < 0.1:
            break
        last = now_cpu
    return last - first


def _process_kind(pid: int, parent_kind: str) -> str:
    """What a process of the tool is, for the CPU breakdown (gunicorn master or worker, the
    tool's worker, PostgreSQL's postmaster, backends and each background process)."""
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return "?"
    if command.startswith("postgres:"):
        words = command.split(":", 1)[1].split()
        if words and words[0] == "autovacuum":
            return "PostgreSQL autovacuum " + (words[1] if len(words) > 1 else "")
        if len(words) > 1 and "(" in " ".join(words[2:3]):
            return "PostgreSQL backends"
        return "PostgreSQL " + " ".join(words[:2])
    if "postgres" in command:
        return "PostgreSQL postmaster"
    if "gunicorn" in command:
        return "gunicorn worker" if parent_kind == "gunicorn master" else "gunicorn master"
    if "worker run" in command:
        return "tool worker"
    return command[:40]


def cpu_by_process(roots: list[int]) -> dict[int, tuple[str, float, float]]:
    """pid → (kind, its own CPU, its reaped children's CPU), for the roots and their children."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int(
                    (entry / "stat").read_text().rsplit(")", 1)[1].split()[1]
                )
            except (OSError, ValueError):
                continue
    found: dict[int, tuple[str, float, float]] = {}
    kinds: dict[int, str] = {}
    for root in roots:
        kinds[root] = _process_kind(root, "")
    for pid, parent in parents.items():
        if parent in kinds and pid not in kinds:
            kinds[pid] = _process_kind(pid, kinds[parent])
    for pid, kind in kinds.items():
        own = proc_cpu(pid, children=False)
        found[pid] = (kind, own, proc_cpu(pid) - own)
    return found


def cpu_breakdown(
    before: dict[int, tuple[str, float, float]], after: dict[int, tuple[str, float, float]]
) -> dict[str, float]:
    """CPU seconds per kind of process between two ``cpu_by_process`` readings (a process
    that ended in between is counted in its parent's reaped children)."""
    kinds: dict[str, float] = defaultdict(float)
    for pid, (kind, own, reaped) in after.items():
        own0, reaped0 = before.get(pid, (kind, 0.0, 0.0))[1:]
        kinds[kind] += own - own0
        if reaped - reaped0 > 0:
            kinds[f"{kind} (ended children)"] += reaped - reaped0
    return dict(sorted(kinds.items(), key=lambda kv: -kv[1]))


def run_scenario(name: str, args: argparse.Namespace) -> dict[str, Any]:
    key, kid, jwks = platform_key()
    nodes = args.nodes if name == "launch" else 2
    extra = {"BILAN_EXAM_INCIDENT_SECONDS": str(args.incident_seconds)}
    abandon = 0 if name == "launch" else max(1, args.candidates // 20)
    with running_cluster(
        nodes=nodes,
        workers_per_node=args.workers,
        redis=name == "redis-restart" or args.redis,
        platform_jwks=jwks,
        seed=seed,
        extra_env=extra,
    ) as cluster:
        assert cluster.balancer is not None and cluster.platform is not None and cluster.pg
        run = Run(
            cluster.balancer.url,
            cluster.platform.url,
            key,
            kid,
            launch_only=bool(args.launch_only) and name == "launch",
        )
        tool_pids = [pid for node in cluster.nodes for pid in node.pids()]
        pg_pid = cluster.pg.pid()
        worker_pids = [n.worker.pid for n in cluster.nodes if n.worker is not None]
        started = 0.0 if args.short else wait_idle(worker_pids)  # CI asserts no CPU figure
        pg0 = tree_cpu(pg_pid)
        workers0 = sum(tree_cpu(pid) for pid in worker_pids)
        cpu0 = sum(tree_cpu(pid) for pid in tool_pids) + pg0
        processes0 = cpu_by_process([*tool_pids, pg_pid])
        log: list[str] = []
        fault: list[tuple[float, float]] = []
        thread = None
        if name in ("node-kill", "pg-restart", "redis-restart"):
            thread = threading.Thread(
                target=lambda: fault.append(
                    fault_plan(name, cluster, args.fault_at, log, run.tally, args.candidates)
                ),
                daemon=True,
            )
            thread.start()
        if name == "lms-down":
            # Once everyone is in (the launches need the platform's JWKS), the LMS stops
            # answering until the end of the session: SIGSTOP, as a hung server (timeouts).
            def lms_down() -> None:
                time.sleep(args.ramp + 3)  # the benchmark's schedule, not a test's clock
                assert cluster.platform is not None and cluster.platform.process is not None
                cluster.platform.process.send_signal(signal.SIGSTOP)
                log.append("LMS figé (SIGSTOP) après les lancements, jusqu'à la fin de la session")
                fault.append((time.perf_counter(), time.perf_counter()))

            thread = threading.Thread(target=lms_down, daemon=True)
            thread.start()
        elapsed = asyncio.run(
            cohort(run, args.candidates, args.ramp, (args.think_min, args.think_max), abandon)
        )
        if thread is not None:
            thread.join(timeout=120)
        pg1 = tree_cpu(pg_pid) if cluster.pg.pid() == pg_pid else pg0
        workers1 = sum(tree_cpu(pid) for pid in worker_pids)
        cpu1 = sum(tree_cpu(pid) for pid in tool_pids) + pg1
        expire_abandoned(cluster.pg.url, run.tally.abandoned)
        if name == "lms-down":
            time.sleep(5)  # the outbox holds the grades while the LMS is away (not a test)
            held = database_report(cluster.pg.url)["outbox"]
            assert cluster.platform.process is not None
            cluster.platform.process.send_signal(signal.SIGCONT)
            log.append(
                f"LMS de retour après la session ; file des notes pendant l'absence : {held}"
            )
        settled = wait_settled(cluster.pg.url, timeout=args.settle_timeout)
        # The workers' CPU once the grades are out (both nodes' workers, alive ones).
        cpu2 = sum(tree_cpu(pid) for pid in tool_pids) + (
            tree_cpu(pg_pid) if cluster.pg.pid() == pg_pid else 0.0
        )
        processes2 = cpu_by_process([*tool_pids, pg_pid]) if cluster.pg.pid() == pg_pid else {}
        stats = cluster.platform.stats()
        checked, lost = verify_answers(cluster.pg.url, run.tally)
        report = database_report(cluster.pg.url)
    tally = run.tally
    fault_start = fault[0][0] if fault else None
    after = [end for start, end in tally.outages if fault_start is None or end >= fault_start]
    recover = (max(after) - fault_start) if (after and fault_start is not None) else 0.0
    outage_lengths = [end - start for start, end in tally.outages]
    span = (max(tally.launch_done) - tally.t0) if tally.launch_done else float("nan")
    return {
        "name": name,
        "launch_only": run.launch_only,
        "candidates": args.candidates,
        "nodes": nodes,
        "elapsed": elapsed,
        "log": log,
        "launches": len(tally.launch_latency),
        "launch_p50": pct(tally.launch_latency, 50),
        "launch_p95": pct(tally.launch_latency, 95),
        "launch_rate": len(tally.launch_latency) / span if span and span > 0 else float("nan"),
        "relaunches": tally.relaunches,
        "launch_failed": tally.launch_failed,
        "save_p50": pct(tally.save_latency, 50),
        "save_p95": pct(tally.save_latency, 95),
        "acked": checked,
        "lost": lost,
        "retyped": tally.retyped,
        "stopped_pages": tally.stopped_pages,
        "failed_tries": tally.failed_tries,
        "outages": len(tally.outages),
        "outage_max": max(outage_lengths, default=0.0),
        "recover": recover,
        "submitted": tally.submitted,
        "submit_failed": tally.submit_failed,
        "abandoned": len(tally.abandoned),
        "settled": settled,
        "cpu_session": cpu1 - cpu0,
        "cpu_pg_session": pg1 - pg0,
        "cpu_worker_session": workers1 - workers0,
        "cpu_worker_start": started,
        "cpu_total": cpu2 - cpu0,
        "cpu_by_process": cpu_breakdown(processes0, processes2) if processes2 else {},
        "lms": stats,
        "db": report,
        "errors": dict(tally.errors),
        "nodes_account": node_account(tally.served),
    }


def verdict(r: dict[str, Any]) -> list[str]:
    """What makes the run fail: loss, retyping, a grade twice, an attempt swept twice."""
    problems = []
    if r["launch_only"]:
        if r["launches"] != r["candidates"]:
            problems.append(f"{r['launches']} lancements réussis sur {r['candidates']}")
        return problems
    if r["lost"]:
        problems.append(f"{r['lost']} réponses acquittées perdues")
    if r["retyped"]:
        problems.append(f"{r['retyped']} réponses à ressaisir")
    if r["lms"].get("duplicate_posts"):
        problems.append(f"{r['lms']['duplicate_posts']} notes envoyées deux fois")
    if r["db"]["submitted_twice"]:
        problems.append(f"{r['db']['submitted_twice']} copies remises deux fois")
    expected = r["candidates"]
    if r["db"]["finished"] != expected:
        problems.append(f"{r['db']['finished']} copies finies sur {expected}")
    if r["db"]["outbox"].get("pending") or r["db"]["outbox"].get("sending"):
        problems.append(f"notes non envoyées : {r['db']['outbox']}")
    return problems


def print_details(results: list[dict[str, Any]], args: argparse.Namespace) -> None:
    for r in results:
        print(
            f"== {r['name']} : {r['candidates']} candidats, {r['nodes']} nœud(s), {r['elapsed']:.1f} s"
        )
        for line in r["log"]:
            print(f"   panne : {line}")
        print(
            f"   lancements : {r['launches']} réussis, {r['launch_rate']:.1f}/s, p50 {r['launch_p50']:.0f} ms,"
            f" p95 {r['launch_p95']:.0f} ms ; relancés depuis le LMS : {r['relaunches']}, échoués : {r['launch_failed']}"
        )
        if r["launch_only"]:
            print(
                f"   lancements seuls : CPU outil (gunicorn + PostgreSQL) {r['cpu_session']:.1f} s,"
                f" soit {r['cpu_session'] / max(1, r['launches']) * 1000:.1f} ms par lancement"
                f" (login, launch, première page), dont PostgreSQL {r['cpu_pg_session']:.1f} s"
                f" et le worker de l'outil {r['cpu_worker_session']:.1f} s"
            )
            continue
        print(
            f"   sauvegardes : p50 {r['save_p50']:.1f} ms, p95 {r['save_p95']:.1f} ms ;"
            f" essais échoués puis repris : {r['failed_tries']} ; coupures vues par les pages : {r['outages']},"
            f" la plus longue {r['outage_max']:.1f} s ; rétablissement {r['recover']:.1f} s après la panne"
        )
        print(
            f"   CPU outil (gunicorn + worker des nœuds + PostgreSQL) : {r['cpu_session']:.1f} s pendant la session,"
            f" {r['cpu_total']:.1f} s notes comprises, soit {r['cpu_total'] / r['candidates']:.3f} s par candidat"
            f" ; dont PostgreSQL {r['cpu_pg_session']:.1f} s et le worker de l'outil {r['cpu_worker_session']:.1f} s"
            f" (démarrage du worker avant la session, non compté : {r['cpu_worker_start']:.1f} s)"
        )
        if r["cpu_by_process"]:
            print(
                "   CPU par processus, notes comprises : "
                + " ; ".join(f"{k} {v:.1f} s" for k, v in r["cpu_by_process"].items() if v >= 0.05)
            )
        print(
            f"   copies : {r['db']['finished']} finies sur {r['candidates']} ({r['submitted']} remises,"
            f" {r['db']['swept']} closes par le worker, {r['db']['submitted_twice']} remises deux fois) ;"
            f" notes : {r['lms'].get('grades')} tenues par le LMS, {r['lms'].get('score_posts')} envois,"
            f" {r['lms'].get('duplicate_posts')} en double ; file : {r['db']['outbox']} ({r['settled']:.1f} s)"
        )
        print(
            f"   incidents enregistrés (> {args.incident_seconds} s sans pouvoir enregistrer) :"
            f" {r['db']['incidents']}, {r['db']['incident_seconds']} s au total"
        )
        account = r["nodes_account"]
        per_node = " ; ".join(
            f"{node} : {k.get('launch', 0)} lancements, {k.get('save', 0)} candidats"
            f" enregistrés, {k.get('submit', 0)} remises"
            for node, k in account["per_node"].items()
        )
        print(
            f"   nœuds (en-tête X-Served-By de HAProxy) : {per_node or '—'} ;"
            f" candidats lancés sur un nœud et servis ensuite par un autre :"
            f" {account['launched_here_served_there']} sur {account['candidates']}"
        )
        if r["errors"]:
            print(f"   réponses non acquittées, par cause : {dict(sorted(r['errors'].items()))}")


def print_table(results: list[dict[str, Any]]) -> None:
    print()
    header = (
        "| scénario | réponses acquittées | perdues | à ressaisir | copies finies | notes (une fois) |"
        " remises en double | incidents | rétablissement |"
    )
    print(header)
    print("|" + "---|" * 9)
    for r in results:
        grades_once = "oui" if not r["lms"].get("duplicate_posts") else "NON"
        print(
            f"| {r['name']} | {r['acked']} | {r['lost']} | {r['retyped']} |"
            f" {r['db']['finished']}/{r['candidates']} | {r['lms'].get('grades')} ({grades_once}) |"
            f" {r['db']['submitted_twice']} | {r['db']['incidents']} | {r['recover']:.1f} s |"
        )
    print(
        "| network-drop (d) | tests/browser/test_exam_browser.py::test_exam_with_keyboard_only_and_a_network_drop : la page réelle hors ligne"
        " le temps de plusieurs réponses, toutes envoyées au retour | 0 | 0 | — | — | — | — | — |"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--candidates", type=int, default=300)
    parser.add_argument("--scenarios", default=",".join(SCENARIOS[1:]))
    parser.add_argument("--nodes", type=int, default=2, help="nœuds du scénario launch")
    parser.add_argument("--workers", type=int, default=2, help="workers gunicorn par nœud")
    parser.add_argument(
        "--ramp", type=float, default=60.0, help="secondes pour que tous soient lancés"
    )
    parser.add_argument("--think-min", type=float, default=0.3)
    parser.add_argument("--think-max", type=float, default=1.5)
    parser.add_argument("--fault-at", type=float, default=None, help="secondes après le début")
    parser.add_argument("--incident-seconds", type=int, default=3)
    parser.add_argument("--redis", action="store_true", help="sessions de lancement dans Redis")
    parser.add_argument("--settle-timeout", type=float, default=120.0)
    parser.add_argument(
        "--short", action="store_true", help="version courte (CI) : réponses plus rapides"
    )
    parser.add_argument(
        "--launch-only",
        action="store_true",
        help="scénario launch : les candidats entrent seulement (login, launch, première page),"
        " sans passer l'épreuve : la capacité du lancement et son CPU par lancement",
    )
    args = parser.parse_args(argv)
    if args.short:
        args.ramp, args.think_min, args.think_max = min(args.ramp, 4.0), 0.1, 0.3
    if args.fault_at is None:
        args.fault_at = args.ramp + 2.0 if not args.short else args.ramp + 1.0
    results = []
    for name in [s.strip() for s in args.scenarios.split(",") if s.strip()]:
        if name not in SCENARIOS:
            raise SystemExit(f"scénario inconnu : {name} ({', '.join(SCENARIOS)})")
        print(f"… {name}", flush=True)
        results.append(run_scenario(name, args))
        print_details(results[-1:], args)
    print_table(results)
    failed = [(r["name"], verdict(r)) for r in results if verdict(r)]
    for name, problems in failed:
        print(f"ÉCHEC {name} : {'; '.join(problems)}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())

"""A private production-like cluster on loopback, for bench/faults.py and its CI test.

Everything here is started by the benchmark and stopped by it; nothing shared is touched:

- ``PrivatePostgres``: its own cluster (``initdb`` in a temporary directory, its own port, run as
  the ``postgres`` user when we are root), which a scenario may stop and start;
- ``PrivateRedis``: its own ``redis-server`` (append-only file, like a Redis « kept on disk »);
- ``Node``: one tool node, gunicorn (``gunicorn.conf.py``) and ``flask worker run``, each in its
  own process group so that ``kill -9`` takes the whole node;
- ``Balancer``: HAProxy (Debian package, ``make haproxy``) in front of the nodes: round robin,
  TCP health checks every 0.5 s, a request whose connection is refused retried on the other node;
- ``Platform``: the LMS in its own process (``bench/demo_lms_server.py``): the platform's JWKS for
  the launches (the simulated browsers sign with its key), the AGS gradebook for the grades.

Only loopback addresses are used (127.0.0.1, and 127.0.x.y as the candidates' own addresses).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_port(port: int, timeout: float = 30.0, host: str = "127.0.0.1") -> bool:
    """True once something accepts connections on ``port`` (False after ``timeout``)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.1)  # polling another process's start-up, not a test's clock
    return False


def _pg_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not found:
        raise SystemExit("PostgreSQL absent : installez le paquet Debian postgresql")
    return found[-1].parent


def _as_postgres(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


class PrivatePostgres:
    """A PostgreSQL cluster of our own: a temporary directory, a private port."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="bilan-bench-pg-"))
        self.data = self.dir / "data"
        self.bin = _pg_bin()
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        subprocess.run(
            _as_postgres(
                [str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres"]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/bilan"

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c max_connections=200"
        )
        subprocess.run(
            _as_postgres(
                [
                    str(self.bin / "pg_ctl"),
                    "-D",
                    str(self.data),
                    "-o",
                    options,
                    "-l",
                    str(self.dir / "log"),
                    "-w",
                    "-t",
                    "60",
                    "start",
                ]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def stop(self, mode: str = "fast") -> None:
        subprocess.run(
            _as_postgres(
                [str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop"]
            ),
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def pid(self) -> int:
        try:
            return int((self.data / "postmaster.pid").read_text().split()[0])
        except (FileNotFoundError, ValueError, IndexError):
            return 0

    def psql(self, sql: str, database: str = "postgres") -> str:
        out = subprocess.run(
            ["psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", database]
            + ["-Atqc", sql],
            capture_output=True,
            text=True,
            check=True,
        )
        return out.stdout

    def destroy(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)


class PrivateRedis:
    """A redis-server of our own, its data appended to a file (survives a restart)."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="bilan-bench-redis-"))
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.dir),
            ]
            + ["--save", "", "--appendonly", "yes", "--appendfsync", "everysec"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        if not wait_port(self.port, 20):
            raise SystemExit("redis-server ne démarre pas")

    def stop(self) -> None:
        """A clean stop, as `systemctl restart redis` does (the append-only file is flushed)."""
        if self.process is None:
            return
        subprocess.run(
            ["redis-cli", "-p", str(self.port), "shutdown"],
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=20,
        )
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None

    def destroy(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None
        shutil.rmtree(self.dir, ignore_errors=True)


@dataclass
class Node:
    """One tool node: gunicorn and the tool's worker, each in its own process group."""

    name: str
    port: int
    env: dict[str, str]
    workers: int = 2
    gunicorn: subprocess.Popen[bytes] | None = None
    worker: subprocess.Popen[bytes] | None = None
    log: Path | None = None

    def start(self) -> None:
        self.log = Path(tempfile.mkstemp(prefix=f"bilan-bench-{self.name}-", suffix=".log")[1])
        handle = self.log.open("ab")
        self.worker = subprocess.Popen(
            [str(ROOT / ".venv/bin/flask"), "--app", "lti_tool:create_app", "worker", "run"],
            cwd=ROOT,
            env=self.env,
            stdout=handle,
            stderr=handle,
            start_new_session=True,
        )
        self.gunicorn = subprocess.Popen(
            [
                str(ROOT / ".venv/bin/gunicorn"),
                "-w",
                str(self.workers),
                "-b",
                f"127.0.0.1:{self.port}",
                "--log-level",
                "warning",
                "lti_tool:create_app()",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=handle,
            stderr=handle,
            start_new_session=True,
        )

    def alive(self) -> bool:
        return self.gunicorn is not None and self.gunicorn.poll() is None

    def kill9(self) -> None:
        """kill -9 of the whole node: gunicorn's master and workers, and the tool's worker."""
        for process in (self.gunicorn, self.worker):
            if process is not None and process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
        for process in (self.gunicorn, self.worker):
            if process is not None:
                process.wait(timeout=30)

    def stop(self) -> None:
        for process in (self.gunicorn, self.worker):
            if process is not None and process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in (self.gunicorn, self.worker):
            if process is None:
                continue
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)

    def pids(self) -> list[int]:
        return [p.pid for p in (self.gunicorn, self.worker) if p is not None and p.poll() is None]


HAPROXY_CONFIG = """global
    maxconn 4096
defaults
    mode http
    timeout connect 1s
    timeout client 120s
    timeout server 120s
    timeout queue 30s
    # A connection refused by a dead node is retried on the other one.
    retries 3
    option redispatch
    option forwardfor
    option http-server-close
frontend tool
    bind 127.0.0.1:{port}
    default_backend nodes
backend nodes
    balance roundrobin
    # TCP health checks (not an HTTP page): a node whose database is away still answers its
    # refusals itself; a node that is gone stops receiving requests within a second.
    default-server inter 500ms fall 2 rise 2
    # Which node answered, for the benchmark's per-candidate account (bench/faults.py).
    http-response set-header X-Served-By %[srv_name]
{servers}
"""


@dataclass
class Balancer:
    """HAProxy in front of the nodes (round robin, health checks)."""

    port: int
    nodes: list[Node]
    process: subprocess.Popen[bytes] | None = None
    config: Path | None = None

    def start(self) -> None:
        haproxy = shutil.which("haproxy") or "/usr/sbin/haproxy"
        if not Path(haproxy).exists():
            raise SystemExit("HAProxy absent : lancez `make haproxy` (paquet Debian haproxy)")
        servers = "\n".join(
            f"    server {node.name} 127.0.0.1:{node.port} check" for node in self.nodes
        )
        self.config = Path(tempfile.mkstemp(prefix="bilan-bench-haproxy-", suffix=".cfg")[1])
        self.config.write_text(HAPROXY_CONFIG.format(port=self.port, servers=servers))
        self.process = subprocess.Popen(
            [haproxy, "-db", "-f", str(self.config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        if not wait_port(self.port, 20):
            raise SystemExit("HAProxy ne démarre pas")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class Platform:
    """The LMS process: the platform's JWKS (launches) and the gradebook (grades)."""

    port: int
    database_url: str
    jwks: dict[str, object]
    env: dict[str, str]
    process: subprocess.Popen[bytes] | None = None
    jwks_file: Path | None = None
    log: Path | None = None

    def start(self) -> None:
        self.jwks_file = Path(tempfile.mkstemp(prefix="bilan-bench-jwks-", suffix=".json")[1])
        self.jwks_file.write_text(json.dumps(self.jwks))
        self.log = Path(tempfile.mkstemp(prefix="bilan-bench-lms-", suffix=".log")[1])
        handle = self.log.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "bench/demo_lms_server.py"), str(self.port)]
            + [self.database_url, str(self.jwks_file)],
            cwd=ROOT,
            env=self.env,
            stdout=handle,
            stderr=handle,
        )
        if not wait_port(self.port, 60):
            raise SystemExit("LMS de démonstration : ne démarre pas")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stats(self) -> dict[str, int]:
        with urllib.request.urlopen(f"{self.url}/bench/stats", timeout=10) as answer:  # noqa: S310
            data: dict[str, int] = json.loads(answer.read())
        return data

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)


@dataclass
class Cluster:
    """PostgreSQL, optional Redis, N nodes, HAProxy, the LMS: started together, stopped together."""

    nodes_count: int = 2
    workers_per_node: int = 2
    redis: bool = False
    extra_env: dict[str, str] = field(default_factory=dict)
    pg: PrivatePostgres | None = None
    rd: PrivateRedis | None = None
    nodes: list[Node] = field(default_factory=list)
    balancer: Balancer | None = None
    platform: Platform | None = None

    def env(self) -> dict[str, str]:
        assert self.pg is not None and self.balancer is not None
        env = dict(
            os.environ,
            BILAN_DATABASE_URL=self.pg.url,
            BILAN_ENV="development",
            BILAN_DEMO_PLATFORM="0",
            BILAN_GRADES_SEND_AFTER_COMMIT="0",
            BILAN_BASE_URL=self.balancer.url,
            BILAN_TRUST_PROXY="1",
            BILAN_SECRET_KEY="bench-" + "k" * 40 + "-faults-secret",
            BILAN_COOKIE_SECURE="0",
            **self.extra_env,
        )
        env.pop("BILAN_REDIS_URL", None)
        if self.rd is not None:
            env["BILAN_REDIS_URL"] = self.rd.url
        return env


@contextmanager
def running_cluster(
    *,
    nodes: int = 2,
    workers_per_node: int = 2,
    redis: bool = False,
    platform_jwks: dict[str, object],
    seed: object,
    extra_env: dict[str, str] | None = None,
) -> Iterator[Cluster]:
    """Start everything (the database seeded by ``seed(database_url, env)``), stop it all after."""
    cluster = Cluster(nodes, workers_per_node, redis, dict(extra_env or {}))
    try:
        cluster.pg = PrivatePostgres()
        cluster.pg.start()
        cluster.pg.psql("CREATE DATABASE bilan")
        if redis:
            cluster.rd = PrivateRedis()
            cluster.rd.start()
        ports = [free_port() for _ in range(nodes + 2)]
        cluster.nodes = [Node(f"node{i + 1}", ports[i], {}, workers_per_node) for i in range(nodes)]
        cluster.balancer = Balancer(ports[nodes], cluster.nodes)
        env = cluster.env()
        seed(cluster.pg.url, env, f"http://127.0.0.1:{ports[nodes + 1]}")  # type: ignore[operator]
        cluster.pg.psql("CHECKPOINT")
        cluster.platform = Platform(ports[nodes + 1], cluster.pg.url, platform_jwks, env)
        cluster.platform.start()
        for node in cluster.nodes:
            node.env = env
            node.start()
        for node in cluster.nodes:
            if not wait_port(node.port, 90):
                raise SystemExit(f"{node.name} ne démarre pas (journal : {node.log})")
        cluster.balancer.start()
        yield cluster
    finally:
        if cluster.balancer is not None:
            cluster.balancer.stop()
        for node in cluster.nodes:
            node.stop()
        if cluster.platform is not None:
            cluster.platform.stop()
        if cluster.rd is not None:
            cluster.rd.destroy()
        if cluster.pg is not None:
            cluster.pg.destroy()

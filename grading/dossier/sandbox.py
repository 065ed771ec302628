"""The analysis of one upload in a child process whose CPU time and memory are capped.

The parent (the background worker) starts ``python -m grading.dossier.sandbox CPU MEMORY`` with
a minimal environment, writes one JSON line (requirements, size limit) then the file's bytes to
its standard input, and reads one JSON object on its standard output: ``{"report": …}`` or
``{"error": {"code": …, "message": …}}``. The limits are set before anything of the file is
read; past the CPU limit the kernel ends the process (SIGXCPU), past the memory limit the
analysis gets a MemoryError, reported as « trop de traitement ».

``python -m grading.dossier.sandbox --server CPU MEMORY WALL`` is the same analysis with the
French NLP model loaded once: the server (started by the worker with the same minimal
environment) preloads the model and the readers, then for each request (a JSON header line
with ``size``, then that many bytes) forks a child that applies the limits and analyses; the
model's memory is shared with the child (copy on write) and the child's address-space limit is
the server's size plus MEMORY. One JSON answer line per request. ``AnalysisServer`` drives it.
"""

from __future__ import annotations

import json
import os
import resource
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from grading.dossier.report import Report

#: Soft CPU limit reached: SIGXCPU; one second later the hard limit is SIGKILL.
_HARD_MARGIN = 1


def apply_limits(cpu_seconds: int, memory_bytes: int) -> None:
    """Cap this process: CPU seconds, address space, no core file, no file written."""
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + _HARD_MARGIN))
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))


def serve(analyse: Callable[[bytes, dict[str, Any]], dict[str, Any]]) -> int:
    """Read the request from stdin, run ``analyse`` and write its JSON answer to stdout."""
    header = json.loads(sys.stdin.buffer.readline())
    data = sys.stdin.buffer.read()
    answer = _answer(analyse, data, header)
    sys.stdout.write(json.dumps(answer))
    sys.stdout.flush()
    return 0


def analyse_request(data: bytes, header: dict[str, Any]) -> dict[str, Any]:
    """The real analysis: the same ``analyse`` the web request used to run."""
    from grading.dossier.checks import DossierRequirement, analyse

    requirements = [
        DossierRequirement(
            item["id"],
            item["title"],
            tuple(item["headings"]),
            tuple(item["checks"]),
            item.get("min_words"),
        )
        for item in header["requirements"]
    ]
    pseudonyms = tuple(str(p) for p in header.get("pseudonyms", ()))
    return analyse(
        data, requirements, max_bytes=int(header["max_bytes"]), pseudonyms=pseudonyms
    ).to_json()


TOO_COMPLEX_ANSWER = "too_complex"


def _answer(
    analyse: Callable[[bytes, dict[str, Any]], dict[str, Any]], data: bytes, header: dict[str, Any]
) -> dict[str, Any]:
    from grading.dossier.errors import TOO_COMPLEX, DossierFileError

    try:
        return {"report": analyse(data, header)}
    except DossierFileError as error:
        return {"error": {"code": error.code, "message": error.message_fr}}
    except MemoryError:
        return {"error": {"code": TOO_COMPLEX_ANSWER, "message": TOO_COMPLEX}}


def _address_space() -> int:
    """This process's virtual size in bytes (what RLIMIT_AS counts)."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def _read_all(fd: int, deadline: float) -> bytes | None:
    """Everything the child writes until it closes the pipe; None past the deadline."""
    chunks: list[bytes] = []
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            return None
        chunk = os.read(fd, 65536)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def fork_one(
    data: bytes,
    header: dict[str, Any],
    cpu_seconds: int,
    memory_bytes: int,
    wall_seconds: float,
    analyse: Callable[[bytes, dict[str, Any]], dict[str, Any]] = analyse_request,
    reap_later: list[int] | None = None,
) -> dict[str, Any]:
    """Analyse in a forked child with the limits; the answer, or too_complex past a limit.

    With ``reap_later``, a child that wrote a whole answer is not waited for: its pid is added
    to the list, for the caller to reap (``reap``) once the answer is sent. The child's exit
    (unmapping its copy of the server's ≈ 200 MB) took 15–20 ms of the answer's wall time."""
    from grading.dossier.errors import TOO_COMPLEX

    too_complex = {"error": {"code": TOO_COMPLEX_ANSWER, "message": TOO_COMPLEX}}
    limit = _address_space() + memory_bytes
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: limits first, then the candidate's bytes
        status = 1
        try:
            os.close(read_end)
            apply_limits(cpu_seconds, limit)
            payload = json.dumps(_answer(analyse, data, header)).encode()
            with os.fdopen(write_end, "wb") as out:
                out.write(payload)
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    try:
        raw = _read_all(read_end, time.monotonic() + wall_seconds)
    finally:
        os.close(read_end)
    if raw is None:
        os.kill(pid, signal.SIGKILL)
    try:
        answer: dict[str, Any] | None = json.loads(raw) if raw else None
    except ValueError:
        answer = None
    whole = isinstance(answer, dict) and ("report" in answer or "error" in answer)
    if whole and reap_later is not None:
        reap_later.append(pid)  # the pipe is closed once the whole answer is written
        return answer  # type: ignore[return-value]
    _, status = os.waitpid(pid, 0)
    if not whole or status != 0:
        return too_complex
    return answer  # type: ignore[return-value]


def reap(pids: list[int]) -> None:
    """Wait for the children ``fork_one`` left to the caller."""
    while pids:
        try:
            os.waitpid(pids.pop(), 0)
        except ChildProcessError:
            pass


#: A small dossier analysed once by the server before it serves (``warm_up``).
_WARM_UP = """# Cadre de l'accompagnement

J'exerce au sein de Trajectoires Conseil. Mme D. a donné son consentement écrit. Quand j'ai
rencontré Thomas, il travaillait chez Transports Giraud depuis 2010 ; sa fille Linh l'aide.

| Date | Durée | Phase |
|---|---|---|
| 03/03/2025 | 2 h | Préliminaire |
| 10/03/2025 | 1 h 30 | Investigation |

## Outils

Ligne de vie : proposée afin de relier les étapes de son parcours. Il souffre d'une lombalgie.

## Plan d'action

Formation avant le 30/06/2025. Un entretien de suivi est prévu à six mois.
"""


def warm_up() -> Report:
    """Analyse a small dossier once, so that what the first analysis of a process initialises
    (the model's first call, lazily compiled expressions, imports inside functions) is done
    in the server, before it forks, and not again in every child (median 184 → 64 ms of
    analysis per upload in the child, bench/README.md)."""
    from grading.dossier.checks import CHECKS, DossierRequirement, analyse

    requirement = DossierRequirement(
        "cadre", "Cadre", ("Cadre de l'accompagnement",), tuple(CHECKS)
    )
    return analyse(_WARM_UP.encode(), [requirement], max_bytes=1 << 20, pseudonyms=("Mme D.",))


def serve_forever(cpu_seconds: int, memory_bytes: int, wall_seconds: float) -> int:
    """The analysis server: model loaded once, one forked child per request."""
    from grading.dossier import ner
    from grading.dossier.checks import analyse  # noqa: F401 - imported once, shared by the children
    from grading.dossier.read_pdf import read_pdf  # noqa: F401

    ner.preload()
    warm_up()
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    children: list[int] = []
    while True:
        line = stdin.readline()
        if not line:
            return 0
        header = json.loads(line)
        data = stdin.read(int(header.pop("size")))
        answer = fork_one(
            data, header, cpu_seconds, memory_bytes, wall_seconds, reap_later=children
        )
        stdout.write(json.dumps(answer).encode() + b"\n")
        stdout.flush()
        reap(children)  # after the answer: the child's exit is not the candidate's wait


class ServerGone(Exception):
    """The analysis server died or did not answer in time (it is stopped; the next call restarts it)."""


class AnalysisServer:
    """A long-lived ``sandbox --server`` process, started on first use, one request at a time."""

    def __init__(
        self, command: Sequence[str], env: Mapping[str, str], cwd: str, answer_seconds: float
    ) -> None:
        self.command = list(command)
        self.env = dict(env)
        self.cwd = cwd
        self.answer_seconds = answer_seconds
        self._process: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()

    def start(self) -> None:
        """Start the server now (it loads the model while the caller goes on)."""
        with self._lock:
            self._ensure()

    def _ensure(self) -> subprocess.Popen[bytes]:
        if self._process is None or self._process.poll() is not None:
            self._process = subprocess.Popen(  # noqa: S603 - fixed command: this interpreter, a module of ours
                self.command,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,  # a traceback could quote the candidate's text
                env=self.env,
                cwd=self.cwd,
                start_new_session=True,
            )
        return self._process

    def request(
        self, data: bytes, header: dict[str, Any], first_answer_seconds: float
    ) -> dict[str, Any]:
        """One analysis; ServerGone if the server dies or stays silent past the deadline."""
        with self._lock:
            starting = self._process is None or self._process.poll() is not None
            process = self._ensure()
            stdin, stdout = process.stdin, process.stdout
            assert stdin is not None and stdout is not None
            try:
                stdin.write(json.dumps({**header, "size": len(data)}).encode() + b"\n" + data)
                stdin.flush()
            except OSError as error:
                self._stop()
                raise ServerGone("write") from error
            wait = self.answer_seconds + (first_answer_seconds if starting else 0)
            line = _read_line(stdout, time.monotonic() + wait)
            if line is None:
                self._stop()
                raise ServerGone("no answer")
            try:
                answer: dict[str, Any] = json.loads(line)
            except ValueError as error:
                self._stop()
                raise ServerGone("unreadable") from error
            return answer

    def stop(self) -> None:
        """Stop the server (tests, shutdown)."""
        with self._lock:
            self._stop()

    def _stop(self) -> None:
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.kill()
            process.wait()
        if process is not None:
            for stream in (process.stdin, process.stdout):
                if stream is not None:
                    stream.close()


def _read_line(stream: IO[bytes], deadline: float) -> bytes | None:
    """One line from the server's output; None past the deadline or at its end."""
    fd = stream.fileno()
    chunks: list[bytes] = []
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            return None
        chunk = os.read(fd, 65536)
        if not chunk:
            return None
        chunks.append(chunk)
        if chunk.endswith(b"\n"):
            return b"".join(chunks)


def main(argv: list[str]) -> int:
    """``sandbox CPU_SECONDS MEMORY_BYTES``: limits first, then the analysis;
    ``sandbox --server CPU_SECONDS MEMORY_BYTES WALL_SECONDS``: the analysis server."""
    if argv[1] == "--server":
        return serve_forever(int(argv[2]), int(argv[3]), float(argv[4]))
    apply_limits(int(argv[1]), int(argv[2]))
    return serve(analyse_request)


if __name__ == "__main__":
    sys.exit(main(sys.argv))

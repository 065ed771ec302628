"""The analysis of one upload in a child process whose CPU time and memory are capped.

The parent (the background worker) starts ``python -m grading.dossier.sandbox CPU MEMORY`` with
a minimal environment, writes one JSON line (requirements, size limit) then the file's bytes to
its standard input, and reads one JSON object on its standard output: ``{"report": …}`` or
``{"error": {"code": …, "message": …}}``. The limits are set before anything of the file is
read; past the CPU limit the kernel ends the process (SIGXCPU), past the memory limit the
analysis gets a MemoryError, reported as « trop de traitement ».
"""

from __future__ import annotations

import json
import resource
import sys
from collections.abc import Callable
from typing import Any

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
    from grading.dossier.errors import DossierFileError

    header = json.loads(sys.stdin.buffer.readline())
    data = sys.stdin.buffer.read()
    try:
        answer: dict[str, Any] = {"report": analyse(data, header)}
    except DossierFileError as error:
        answer = {"error": {"code": error.code, "message": error.message_fr}}
    except MemoryError:
        from grading.dossier.errors import TOO_COMPLEX

        answer = {"error": {"code": "too_complex", "message": TOO_COMPLEX}}
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
    return analyse(data, requirements, max_bytes=int(header["max_bytes"])).to_json()


def main(argv: list[str]) -> int:
    """``sandbox CPU_SECONDS MEMORY_BYTES``: limits first, then the analysis."""
    apply_limits(int(argv[1]), int(argv[2]))
    return serve(analyse_request)


if __name__ == "__main__":
    sys.exit(main(sys.argv))

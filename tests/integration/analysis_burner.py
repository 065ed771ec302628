"""A stand-in for the analysis child (tests only): same limits and protocol, hostile work.

``python -m tests.integration.analysis_burner CPU MEMORY`` applies the sandbox's limits, then
does what the header's ``burn`` asks: spin on the CPU, grow memory, or hang without CPU.
"""

from __future__ import annotations

import sys
import threading
from typing import Any

from grading.dossier.sandbox import apply_limits, serve


def burn(data: bytes, header: dict[str, Any]) -> dict[str, Any]:
    """Never finishes within the budget."""
    kind = header.get("burn", "cpu")
    if kind == "memory":
        hoard = []
        while True:
            hoard.append(bytearray(64 * 1024 * 1024))
    if kind == "hang":
        threading.Event().wait()  # blocked, no CPU used: only the wall-clock timeout ends it
    total = 0
    while True:
        total += 1


if __name__ == "__main__":
    apply_limits(int(sys.argv[1]), int(sys.argv[2]))
    sys.exit(serve(burn))

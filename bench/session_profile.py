"""Where a whole exam session's CPU goes, per kind of request, in one process (profiled).

    .venv/bin/python bench/session_profile.py --candidates 40
    .venv/bin/python bench/session_profile.py --candidates 40 --profile save --top 30

A private PostgreSQL cluster (bench/cluster.py), the platform registered as bench/faults.py
does; the tool runs in this process, called as gunicorn calls it (its WSGI callable, with the
lean autosave in front, ProxyFix as behind HAProxy), without HTTP: every candidate launches
(login, launch, first page), then every candidate starts, opens the paper, saves its 46
answers and submits. Per kind of request: CPU of this process and of PostgreSQL (its whole
process tree, background processes included), and the statements sent. ``--profile KIND``
runs cProfile over that kind only. The id_tokens are signed outside the measured time. A
benchmark: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import re
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from cluster import PrivatePostgres  # noqa: E402
from exam_load import tree_cpu  # noqa: E402
from faults import CHOICE, CLIENT_ID, Candidate, Run, platform_key  # noqa: E402
from launch_profile import in_process_app  # noqa: E402


def call(
    app: Any, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    """One request through the WSGI callable, as gunicorn makes it (behind HAProxy)."""
    path, _, query = path.partition("?")
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1:8000",
        "HTTP_X_FORWARDED_FOR": "127.0.1.7",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "CONTENT_LENGTH": str(len(body)) if body else "",
    }
    for name, value in (headers or {}).items():
        key = name.upper().replace("-", "_")
        if key == "CONTENT_TYPE":
            environ["CONTENT_TYPE"] = value
        else:
            environ["HTTP_" + key] = value
    answer: dict[str, Any] = {}

    def start_response(status: str, response_headers: list[tuple[str, str]], exc_info=None):  # type: ignore[no-untyped-def]
        answer["status"] = int(status.split()[0])
        answer["headers"] = dict(response_headers)
        return lambda data: None

    chunks = app(environ, start_response)
    try:
        data = b"".join(chunks)
    finally:
        if hasattr(chunks, "close"):
            chunks.close()
    return answer["status"], answer["headers"], data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--candidates", type=int, default=40)
    parser.add_argument(
        "--profile", default="", help="login, launch, intro, start, page, save, submit"
    )
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--statements", action="store_true", help="compter les requêtes SQL")
    args = parser.parse_args()
    key, kid, jwks = platform_key()
    pg = PrivatePostgres()
    pg.start()
    try:
        pg.psql("CREATE DATABASE bilan")
        base, lms = "http://127.0.0.1:8000", "http://127.0.0.1:8"
        app = in_process_app(pg, base, lms, jwks, BILAN_TRUST_PROXY="1")
        wsgi = app  # Flask's __call__: its wsgi_app, the lean autosave and ProxyFix in front
        run = Run(base, lms, key, kid)
        pg_pid = pg.pid()
        cpu: dict[str, list[float]] = {}
        profiler = cProfile.Profile(time.process_time)

        def measured(
            kind: str, requests: list[tuple[Any, ...]]
        ) -> list[tuple[int, dict[str, str], bytes]]:
            time.sleep(0.2)
            own0, pg0 = time.process_time(), tree_cpu(pg_pid)
            if args.profile == kind:
                profiler.enable()
            answers = [call(wsgi, *r) for r in requests]
            profiler.disable()
            time.sleep(0.2)
            entry = cpu.setdefault(kind, [0, 0.0, 0.0])
            entry[0] += len(requests)
            entry[1] += time.process_time() - own0
            entry[2] += tree_cpu(pg_pid) - pg0
            for (method, path, *_), (status, _, data) in zip(requests, answers, strict=True):
                if status >= 400:
                    raise SystemExit(f"{method} {path}: {status} {data[:500]!r}")
            return answers

        # Warm-up candidate (first JWKS read, connections), not measured.
        candidates = [Candidate(n, run) for n in range(args.candidates + 1)]
        prefixes: list[str] = []
        cookies: list[str] = []
        logins = []
        for c in candidates:
            query = urlencode(
                {
                    "iss": f"{lms}/platform",
                    "client_id": CLIENT_ID,
                    "login_hint": c.sub,
                    "lti_deployment_id": "1",
                    "target_link_uri": f"{base}/lti/launch",
                }
            )
            logins.append(("GET", f"/lti/login?{query}"))
        call(wsgi, *logins[0])
        answers = measured("login", logins[1:])
        forms = []
        for c, (_status, headers, _) in zip(candidates[1:], answers, strict=True):
            params = parse_qs(urlsplit(headers["Location"]).query)
            cookie = headers.get("Set-Cookie", "").split(";")[0]
            cookies.append(cookie)
            form = urlencode(
                {"id_token": c.id_token(params["nonce"][0]), "state": params["state"][0]}
            )
            forms.append(
                (
                    "POST",
                    "/lti/launch",
                    form.encode(),
                    {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
                )
            )
        answers = measured("launch", forms)
        prefixes = [urlsplit(h["Location"]).path.rstrip("/") for _, h, _ in answers]
        intros = measured("intro", [("GET", p + "/") for p in prefixes])
        starts = []
        for prefix, (_, _, html) in zip(prefixes, intros, strict=True):
            found = re.search(r'name="csrf_token" value="([^"]+)"', html.decode())
            body = urlencode({"csrf_token": found.group(1) if found else ""}).encode()
            starts.append(
                (
                    "POST",
                    f"{prefix}/commencer",
                    body,
                    {"Content-Type": "application/x-www-form-urlencoded"},
                )
            )
        measured("start", starts)
        pages = measured("page", [("GET", f"{p}/passer") for p in prefixes])
        saves, submits = [], []
        seq = int(time.time() * 1000)
        for prefix, (_, _, raw) in zip(prefixes, pages, strict=True):
            html = raw.decode()
            csrf = re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)  # type: ignore[union-attr]
            version = int(re.search(r'data-page-version="(\d+)"', html).group(1))  # type: ignore[union-attr]
            keys: dict[str, list[str]] = {}
            for choice, item in CHOICE.findall(html):
                keys.setdefault(item, []).append(choice)
            for item in re.findall(r'data-item="([^"]+)"', html):
                seq += 1
                body = json.dumps(
                    {
                        "item_id": item,
                        "choices": (keys.get(item) or ["a"])[:1],
                        "flagged": False,
                        "page_version": version,
                        "seq": seq,
                    }
                ).encode()
                saves.append(
                    (
                        "POST",
                        f"{prefix}/enregistrer",
                        body,
                        {"Content-Type": "application/json", "X-CSRFToken": csrf},
                    )
                )
            submits.append(
                (
                    "POST",
                    f"{prefix}/remettre",
                    urlencode({"csrf_token": csrf}).encode(),
                    {"Content-Type": "application/x-www-form-urlencoded"},
                )
            )
        # Saves interleaved across candidates, as a cohort sends them.
        per = len(saves) // len(prefixes)
        saves = [saves[c * per + i] for i in range(per) for c in range(len(prefixes))]
        measured("save", saves)
        measured("submit", submits)
        n = args.candidates
        print(f"{n} candidats, dans ce processus (sans HTTP), CPU en ms par requête")
        print(f"{'requête':>8} {'n':>6} {'outil':>8} {'PostgreSQL':>11} {'total':>8}")
        total = 0.0
        for kind, (count, own, base_cpu) in cpu.items():
            total += own + base_cpu
            print(
                f"{kind:>8} {int(count):6d} {own / count * 1000:8.2f} {base_cpu / count * 1000:11.2f}"
                f" {(own + base_cpu) / count * 1000:8.2f}"
            )
        print(f"par candidat : {total / n:.4f} s (outil + PostgreSQL, sans le worker ni HTTP)")
        if args.profile:
            stats = pstats.Stats(profiler)
            stats.sort_stats("cumulative").print_stats(args.top)
            stats.sort_stats("tottime").print_stats(args.top)
    finally:
        pg.destroy()


if __name__ == "__main__":
    main()

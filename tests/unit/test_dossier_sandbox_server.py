"""Issue 17: the analysis server loads the NLP model once and forks a capped child per upload."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from grading.dossier import sandbox

ROOT = Path(__file__).resolve().parents[2]
MEGA = 1024 * 1024
pytestmark = pytest.mark.timeout(180)


def _spin(data, header):
    total = 0
    while True:
        total += 1


def _hoard(data, header):
    hoard = []
    while True:
        hoard.append(bytearray(32 * MEGA))


def _echo(data, header):
    return {"bytes": len(data), "pid": os.getpid()}


def test_a_forked_child_answers_and_the_server_survives_it():
    answer = sandbox.fork_one(b"abc", {}, 5, 256 * MEGA, 30, analyse=_echo)
    assert answer["report"]["bytes"] == 3 and answer["report"]["pid"] != os.getpid()


@pytest.mark.parametrize("hostile", [_spin, _hoard])
def test_a_child_past_its_cpu_or_memory_limit_is_too_complex(hostile):
    answer = sandbox.fork_one(b"x", {}, 1, 128 * MEGA, 60, analyse=hostile)
    assert answer["error"]["code"] == "too_complex"


def header() -> dict:
    from tests.unit.dossier_fixtures import requirements

    return {
        "requirements": [
            {"id": r.id, "title": r.title, "headings": list(r.headings), "checks": list(r.checks),
             "min_words": r.min_words}
            for r in requirements()
        ],
        "max_bytes": 5 * MEGA,
        "pseudonyms": ["Karim"],
    }  # fmt: skip


def test_the_server_answers_every_upload_from_one_process():
    server = sandbox.AnalysisServer(
        [sys.executable, "-m", "grading.dossier.sandbox", "--server", "20", str(512 * MEGA), "60"],
        {"PATH": os.defpath, "PYTHONPATH": str(ROOT), "LANG": "C.UTF-8"},
        str(ROOT),
        65,
    )
    try:
        text = "# Annexes\n\nKarim et Thomas ont signé. Tél. 06 12 34 56 78.\n".encode()
        first = server.request(text, header(), 120)
        process = server._process
        second = server.request(b"\x89PNG\r\n\x1a\n" + bytes(50), header(), 120)
        third = server.request(text, header(), 120)
        assert server._process is process and process is not None and process.poll() is None
    finally:
        server.stop()
    assert second["error"]["code"] == "type"
    assert first == third
    found = [
        (f["code"], f["excerpt"])
        for item in first["report"]["items"]
        for f in item["findings"]
        if f["check"] == "anonymisation"
    ]
    assert ("name", "Thomas") in found and ("phone", "06 12 34 56 78") in found
    assert not any("Karim" in excerpt for _, excerpt in found)
    json.dumps(first)  # plain data


def test_a_child_that_answered_is_reaped_after_the_answer():
    """The server sends the answer first and waits for the child's exit afterwards."""
    children: list[int] = []
    answer = sandbox.fork_one(b"abc", {}, 5, 256 * MEGA, 30, analyse=_echo, reap_later=children)
    pid = answer["report"]["pid"]
    assert answer["report"]["bytes"] == 3 and children == [pid]
    sandbox.reap(children)
    assert children == []
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # already reaped: no zombie left


def test_a_child_past_its_limit_is_waited_for_and_not_left_to_the_caller():
    children: list[int] = []
    answer = sandbox.fork_one(b"x", {}, 1, 128 * MEGA, 60, analyse=_spin, reap_later=children)
    assert answer["error"]["code"] == "too_complex" and children == []


def test_the_warm_up_dossier_goes_through_every_check_the_children_will_run():
    """What the server analyses before forking: names (a listed first name, one of INSEE's
    file, an employer), health, sessions, tools, follow-up, consent."""
    report = sandbox.warm_up()
    found = {(f.check, f.code, f.excerpt) for item in report.items for f in item.findings}
    assert {
        ("anonymisation", "name", "Thomas"),
        ("anonymisation", "name", "Linh"),
        ("anonymisation", "employer", "Transports Giraud"),
        ("health_terms", "health", "lombalgie"),
        ("tool_justification", "justified", "ligne de vie"),
        ("follow_up", "planned", ""),
        ("consent", "found", ""),
    } <= found
    assert any(check == "session_hours" for check, _, _ in found)

"""`make run` installs only what running needs and prints the demo address first (issue 15, point 17)."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def dry_run(target: str, tmp_path: Path) -> list[str]:
    """The commands make would run for ``target`` in a fresh checkout (no virtualenv yet)."""
    out = subprocess.run(
        ["make", "-n", target, f"VENV={tmp_path / 'venv'}", "HOST=localhost", "PORT=5200"],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=True,
    ).stdout
    return out.splitlines()


def test_make_run_installs_no_test_extra(tmp_path):
    lines = dry_run("run", tmp_path)
    installs = [x for x in lines if "pip install" in x and "-e" in x]
    assert installs, lines
    assert all("[test]" not in x for x in installs), installs


def test_make_test_still_installs_the_test_extra(tmp_path):
    lines = dry_run("test", tmp_path)
    assert any("pip install" in x and "'.[test]'" in x for x in lines)


def test_make_run_prints_the_demo_address_first(tmp_path):
    echoes = [x for x in dry_run("run", tmp_path) if x.startswith("echo ")]
    assert "http://localhost:5200/demo/" in echoes[0]

"""The registration URL names the address the server listens on (issue 15, point 1)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from lti_tool import listening

ROOT = Path(__file__).resolve().parents[2]


def test_warns_when_the_port_is_not_the_served_one():
    warning = listening.base_url_warning("http://127.0.0.1:5000", [("localhost", 5200)])
    assert warning is not None
    assert "127.0.0.1:5000" in warning and "localhost:5200" in warning


def test_warns_when_the_host_is_another_loopback_name():
    # Cookies are kept per host name: 127.0.0.1 and localhost are two sites for the browser.
    assert listening.base_url_warning("http://127.0.0.1:5200", [("localhost", 5200)])


def test_no_warning_for_the_served_address_or_every_interface():
    assert listening.base_url_warning("http://localhost:5200", [("localhost", 5200)]) is None
    assert listening.base_url_warning("http://localhost:5200", [("0.0.0.0", 5200)]) is None  # noqa: S104
    assert listening.base_url_warning("http://127.0.0.1:5000", None) is None


def test_no_warning_for_a_public_name_behind_a_proxy():
    assert (
        listening.base_url_warning("https://bilan.example.org", [("127.0.0.1", 8000)]) is None
    )


def test_record_round_trip(tmp_path):
    listening.write_record(tmp_path, [("localhost", 5200)])
    assert listening.read_record(tmp_path) == [("localhost", 5200)]
    listening.remove_record(tmp_path)
    assert listening.read_record(tmp_path) is None


def test_cli_warns_on_stderr_and_prints_the_url(app, runner, tmp_path):
    app.config["TOOL_BASE_URL"] = "http://127.0.0.1:5000"
    app.config["LISTENING_RECORD_DIR"] = str(tmp_path)
    listening.write_record(tmp_path, [("localhost", 5200)])
    result = runner.invoke(args=["lti", "registration-url"])
    assert result.exit_code == 0
    assert result.stdout.strip().startswith("http://127.0.0.1:5000/lti/register?invite=")
    assert "localhost:5200" in result.stderr


def test_cli_silent_when_the_address_is_served(app, runner, tmp_path):
    app.config["TOOL_BASE_URL"] = "http://localhost:5200"
    app.config["LISTENING_RECORD_DIR"] = str(tmp_path)
    listening.write_record(tmp_path, [("localhost", 5200)])
    result = runner.invoke(args=["lti", "registration-url"])
    assert result.stderr == ""
    assert result.stdout.startswith("http://localhost:5200/lti/register?invite=")


def test_make_registration_url_uses_make_run_host_and_port():
    """`make registration-url` passes the same HOST and PORT as `make run` to the CLI."""
    out = subprocess.run(
        ["make", "-n", "registration-url", "HOST=localhost", "PORT=5200"],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=True,
    ).stdout
    line = next(x for x in out.splitlines() if "lti registration-url" in x)
    assert "http://localhost:5200" in line


def test_gunicorn_config_records_and_removes_its_addresses(tmp_path, monkeypatch):
    import runpy

    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    conf["when_ready"].__globals__["INSTANCE"] = tmp_path

    class Cfg:
        address = [("localhost", 5200)]
        preload_app = False

    class Server:
        cfg = Cfg()

    conf["when_ready"](Server())
    assert listening.read_record(tmp_path) == [("localhost", 5200)]
    conf["on_exit"](Server())
    assert listening.read_record(tmp_path) is None

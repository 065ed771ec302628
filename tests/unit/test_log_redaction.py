"""Launch tokens never reach a log (issue 13, point 12): the redaction, the gunicorn logger class
that ``make run`` and ``gunicorn.conf.py`` both name, and the Python loggers (Flask, werkzeug).
"""

from __future__ import annotations

import logging
import re
import runpy
import shlex
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from gunicorn.config import Config

from lti_tool import log_redaction
from lti_tool.log_redaction import RedactingLogger, redact_tokens

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "tnWe1p8qIH9pxZUfkp2-NeoaxtaClDdykTg9kCzBYB8"  # secrets.token_urlsafe(32)
CLASS = "lti_tool.log_redaction.RedactingLogger"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"/s/{TOKEN}/examen/enregistrer", "/s/…/examen/enregistrer"),
        (f"/s/{TOKEN}", "/s/…"),
        (f"GET /s/{TOKEN}/?x=1 HTTP/1.1", "GET /s/…/?x=1 HTTP/1.1"),
        (f"https://outil.example.fr/s/{TOKEN}/dossier/", "https://outil.example.fr/s/…/dossier/"),
        (f'"/s/{TOKEN}/a" "/s/{TOKEN}_x/b"', '"/s/…/a" "/s/…/b"'),
        ("/s/short/examen", "/s/short/examen"),
        ("/lti/launch /static/app.css /demo/", "/lti/launch /static/app.css /demo/"),
        # Dynamic registration (seen in a real Moodle 4.4's request line and Referer): the
        # one-time invite and the platform's registration bearer token.
        (
            f"GET /lti/register?invite={TOKEN[:32]}&openid_configuration=https%3A%2F%2Fm.example"
            f"%2Fmod%2Flti%2Fopenid-configuration.php&registration_token=eyJ0.eyJz.c2ln HTTP/1.1",
            "GET /lti/register?invite=…&openid_configuration=https%3A%2F%2Fm.example"
            "%2Fmod%2Flti%2Fopenid-configuration.php&registration_token=… HTTP/1.1",
        ),
        (
            f'"https://outil.example.fr/lti/register?registration_token=eyJ0.eyJz.c2ln&invite={TOKEN}"',
            '"https://outil.example.fr/lti/register?registration_token=…&invite=…"',
        ),
        # gunicorn's %(q)s atom: the query string without its « ? ».
        ("invite=abcdef&openid_configuration=x", "invite=…&openid_configuration=x"),
        ("/exam?invited=1&my_registration_token_count=2", "/exam?invited=1&my_registration_token_count=2"),
    ],
)
def test_redaction(text, expected):
    assert redact_tokens(text) == expected


def _access_and_error_lines(cfg, tmp_path):
    """Log one request and one request error with gunicorn's configured logger class."""
    access, errors = tmp_path / "access.log", tmp_path / "error.log"
    cfg.set("accesslog", str(access))
    cfg.set("errorlog", str(errors))
    logger = cfg.logger_class(cfg)
    path = f"/s/{TOKEN}/examen/enregistrer"
    environ = {
        "REQUEST_METHOD": "POST",
        "RAW_URI": path,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "203.0.113.7",
        "HTTP_REFERER": f"https://outil.example.fr/s/{TOKEN}/examen/passer",
        "HTTP_USER_AGENT": "Mozilla/5.0",
    }
    response = SimpleNamespace(
        status="303 See Other",
        sent=12,
        headers=[("Location", f"/s/{TOKEN}/examen/resultat")],
    )
    request = SimpleNamespace(headers=[("REFERER", environ["HTTP_REFERER"])])
    logger.access(response, request, environ, timedelta(milliseconds=4))
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        logger.exception("Error handling request %s", path)  # what gunicorn's workers log
    for handler in [*logger.access_log.handlers, *logger.error_log.handlers]:
        handler.flush()
    return access.read_text(), errors.read_text()


def _check(cfg, tmp_path):
    assert cfg.logger_class is RedactingLogger
    cfg.set("access_log_format", '%(r)s %(s)s "%(f)s" %({location}o)s %(U)s %({referer}i)s')
    access, errors = _access_and_error_lines(cfg, tmp_path)
    assert TOKEN not in access and TOKEN not in errors
    assert "POST /s/…/examen/enregistrer HTTP/1.1 303" in access
    assert "https://outil.example.fr/s/…/examen/passer" in access
    assert "/s/…/examen/resultat" in access
    assert "Error handling request /s/…/examen/enregistrer" in errors


def test_production_gunicorn_conf_uses_the_redacting_logger(tmp_path):
    cfg = Config()
    # As gunicorn reads its configuration file: every known setting it defines.
    for name, value in runpy.run_path(str(ROOT / "gunicorn.conf.py")).items():
        if name in cfg.settings:
            cfg.set(name, value)
    _check(cfg, tmp_path)


def test_make_run_uses_the_redacting_logger(tmp_path):
    makefile = (ROOT / "Makefile").read_text()
    line = next(ln for ln in makefile.splitlines() if "bin/gunicorn " in ln)
    command = line.split("bin/gunicorn ", 1)[1].replace("$(HOST)", "127.0.0.1")
    command = command.replace("$(PORT)", "5000")
    cfg = Config()
    args = cfg.parser().parse_args(shlex.split(command))
    for name, value in vars(args).items():
        if name in cfg.settings and value is not None:
            cfg.set(name, value)
    assert cfg.accesslog == "-"  # make run does log every request...
    _check(cfg, tmp_path)  # ...through the redacting logger


def test_flask_werkzeug_and_the_tools_loggers_never_print_a_token(app, caplog):
    caplog.set_level(logging.INFO)
    # werkzeug's development server logs each request line this way.
    logging.getLogger("werkzeug").info(
        '%s - - [%s] "%s" %s %s', "127.0.0.1", "07/Dec/2026", f"GET /s/{TOKEN}/ HTTP/1.1", 200, "-"
    )
    app.logger.warning("page %s", f"http://localhost/s/{TOKEN}/notes/")
    logging.getLogger("bilan.test").info(f"launch to /s/{TOKEN}/examen/")
    messages = [record.getMessage() for record in caplog.records]
    assert len(messages) == 3 and all("/s/…/" in m for m in messages)
    assert TOKEN not in caplog.text
    assert not re.search(r"/s/[A-Za-z0-9_-]{32}", caplog.text)


def test_tracebacks_never_print_a_token(app, caplog):
    try:
        raise ValueError(f"bad page /s/{TOKEN}/examen/")
    except ValueError:
        logging.getLogger("bilan.test").exception("unexpected_error")
    assert "ValueError: bad page /s/…/examen/" in caplog.text
    handler = logging.StreamHandler()
    assert TOKEN not in handler.format(caplog.records[-1])


def test_installing_twice_changes_nothing():
    log_redaction.install()
    log_redaction.install()
    assert logging.getLogRecordFactory() is log_redaction.RedactingRecord


def test_make_runs_gunicorn_writes_no_token(tmp_path):
    """The real thing: gunicorn started with ``make run``'s options, one request, its log."""
    import os
    import socket
    import subprocess
    import sys
    import time

    (tmp_path / "tiny_wsgi.py").write_text(
        "def app(environ, start_response):\n"
        "    start_response('303 See Other', [('Location', environ['PATH_INFO'] + 'suite'),"
        " ('Content-Length', '0')])\n"
        "    return [b'']\n"
    )
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    makefile = (ROOT / "Makefile").read_text()
    line = next(ln for ln in makefile.splitlines() if "bin/gunicorn " in ln)
    options = shlex.split(line.split("bin/gunicorn ", 1)[1])[:-1]  # without the app
    options = [o.replace("$(HOST)", "127.0.0.1").replace("$(PORT)", str(port)) for o in options]
    gunicorn = Path(sys.executable).with_name("gunicorn")
    env = {**os.environ, "PYTHONPATH": f"{tmp_path}{os.pathsep}{ROOT}", "BILAN_PRELOAD": "0"}
    server = subprocess.Popen(  # noqa: S603  (our own command line)
        [str(gunicorn), "--no-control-socket", *options, "tiny_wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        answer = b""
        for _ in range(100):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=2) as conn:
                    conn.sendall(
                        f"GET /s/{TOKEN}/examen/ HTTP/1.1\r\nHost: x\r\n"
                        f"Referer: http://x/s/{TOKEN}/examen/passer\r\n"
                        "Connection: close\r\n\r\n".encode()
                    )
                    answer = conn.recv(200)
                break
            except OSError:
                time.sleep(0.1)
        assert answer.startswith(b"HTTP/1.1 303")
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0].decode()
    assert '"GET /s/…/examen/ HTTP/1.1" 303' in output, output
    assert "http://x/s/…/examen/passer" in output
    assert TOKEN not in output

"""The LTI 1.3 tool: Flask application factory."""

from __future__ import annotations

import logging
import secrets
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from lti_tool import config as config_module
from lti_tool import log_redaction
from lti_tool.extensions import csrf, db, migrate

#: Blueprints, as "module:attribute"; each feature package adds itself here.
BLUEPRINTS = [
    "lti_tool.home.views:bp",
    "lti_tool.home.views:public",
    "lti_tool.exam.views:bp",
    "lti_tool.lti.views:bp",
    "lti_tool.lti.views:pages",
    "lti_tool.lti.registration:bp",
    "lti_tool.demo.views:bp",
    "lti_tool.grades.views:bp",
    "lti_tool.grades.demo_lms:bp",
    "lti_tool.modules.views:bp",
    "lti_tool.cases.views:bp",
    "lti_tool.dossier.views:bp",
    "lti_tool.authoring.views:bp",
    "lti_tool.certification.views:bp",
    "lti_tool.certification.views:public",
]

#: CLI groups, as "module:attribute".
CLI_GROUPS = [
    "lti_tool.cli:db_tools",
    "lti_tool.worker:worker",
    "lti_tool.lti.cli:lti_cli",
    "lti_tool.course_cli:course_cli",
    "lti_tool.grades.cli:grades_cli",
    "lti_tool.exam.cli:exam_cli",
    "lti_tool.dossier.cli:dossier_cli",
    "lti_tool.certification.cli:certif_cli",
]


def _import(path: str) -> Any:
    module_name, attribute = path.split(":")
    module = __import__(module_name, fromlist=[attribute])
    return getattr(module, attribute)


def _development_secret(instance: Path) -> str:
    """Return a secret key kept in the instance folder (development only, never committed)."""
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Create and configure the application."""
    app = Flask(__name__, instance_relative_config=True)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.update(config_module.from_environment(app.instance_path))
    if test_config:
        app.config.update(test_config)
    config_module.check_production(app.config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _development_secret(Path(app.instance_path))

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    log_redaction.install()  # no launch token in any log line

    db.init_app(app)
    import lti_tool.models  # noqa: F401  (register every table)

    migrate.init_app(
        app,
        db,
        directory=str(Path(__file__).parent / "migrations"),
        render_as_batch=True,
        compare_type=True,
    )
    csrf.init_app(app)

    from lti_tool import i18n, launch_session, security, web_errors
    from lti_tool.exam import passback  # noqa: F401  (grades of submitted attempts, sweep task)
    from lti_tool.grades import hooks as grade_hooks

    i18n.init_app(app)
    launch_session.init_app(app)
    security.init_app(app)
    web_errors.init_app(app)
    grade_hooks.init_app(app)

    for path in BLUEPRINTS:
        app.register_blueprint(_import(path))
    for path in CLI_GROUPS:
        app.cli.add_command(_import(path))

    # Outermost, after the blueprints' own WSGI layers (the exam's lean autosave): every layer
    # sees the client's scheme and host.
    if app.config.get("TRUST_PROXY"):
        hops = int(app.config["TRUST_PROXY"])
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops
        )

    @app.teardown_request
    def rollback_on_error(exc: BaseException | None) -> None:
        if exc is not None:
            db.session.rollback()

    return app


def warm_caches(app: Flask) -> None:
    """Build what every worker would otherwise build on its first requests.

    Called by gunicorn's master before it forks its workers (``preload_app``): the course and
    the exam bank with its rendered items (≈ 1.3 s of CPU) are built once and shared by the
    forked workers instead of once per worker, in the middle of an exam's first starts. A bank
    with errors is left for the first request to report.
    """
    from lti_tool.exam import bank
    from lti_tool.web_errors import UserFacingError

    with app.app_context():
        try:
            bank.display_content()
        except UserFacingError:
            logging.getLogger("bilan").warning("exam_bank_unavailable_at_start")
        else:
            _warm_exam_pages(app)
        for name in ("base.html", "exam/intro.html", "exam/take.html", "exam/result.html"):
            app.jinja_env.get_template(name)  # compiled once, here
        # Connections opened by the master must not be shared by the forked workers.
        for engine in db.engines.values():
            engine.dispose()


def _warm_exam_pages(app: Flask, papers: int = 12) -> None:
    """Render the items' HTML pieces (lti_tool/exam/page.py) of a dozen drawn papers, in both
    languages: most of the bank, so the workers' first candidates do not render them each."""
    from flask import g
    from flask_babel import force_locale

    from grading.exam import draw_paper
    from lti_tool.exam import bank
    from lti_tool.exam.page import item_fragments

    current, content = bank.current_bank(), bank.display_content()
    for lang in ("fr", "en"):
        with app.test_request_context("/"), force_locale(lang):
            g.lt = "warm"  # the save URL is built with a launch token, replaced per page
            for n in range(papers):
                drawn = draw_paper(current.items, current.cases, current.rules, f"warm-{n}")
                item_fragments(
                    [p.to_json() for p in drawn], {}, content, current.version, f"warm-{n}"
                )


def after_fork(app: Flask) -> None:
    """In a forked worker: drop the pool inherited from the master without closing its sockets."""
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)

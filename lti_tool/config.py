"""Configuration read from environment variables (prefix ``BILAN_``)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit


class ConfigError(RuntimeError):
    """The configuration is not safe to start with."""


#: The only values ``BILAN_ENV`` may take (any case); anything else stops the start, so that a
#: typo such as ``prod`` never starts the development mode (demo platform, generated secret).
ENV_MODES = ("development", "production")
#: Shortest ``BILAN_SECRET_KEY`` accepted in production (it signs the session cookies).
MIN_SECRET_LENGTH = 32
#: Fewest distinct characters in that secret (refuses ``xxxx…`` and other placeholders).
MIN_SECRET_DISTINCT = 8


def environment_mode(value: str | None) -> str:
    """The mode named by ``BILAN_ENV``: ``development`` when unset; an unknown value is an error."""
    if value is None:
        return "development"
    mode = value.strip().lower()
    if mode not in ENV_MODES:
        raise ConfigError(
            f"Démarrage refusé : BILAN_ENV={value!r} est inconnu ; valeurs admises : "
            + ", ".join(ENV_MODES)
            + "."
        )
    return mode


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "oui"}


def cookies_can_be_secure(mode: str, base_url: str) -> bool:
    """Whether the tool's cookies can be ``Secure; SameSite=None`` (needed inside an LMS iframe).

    Always in production; otherwise when the tool is served over HTTPS or on a loopback host
    (browsers treat http://localhost and http://127.0.0.1 as secure contexts), so that a local
    Moodle on another host or port can launch the tool in development too. A plain-HTTP tool on
    another host gets ``SameSite=Lax`` cookies, the only ones a browser keeps there.
    """
    if mode == "production":
        return True
    parts = urlsplit(base_url)
    return parts.scheme == "https" or (parts.hostname or "") in {"localhost", "127.0.0.1", "::1"}


def from_environment(instance_path: str) -> dict[str, Any]:
    """Build the configuration mapping from ``os.environ``."""
    env = os.environ
    mode = environment_mode(env.get("BILAN_ENV"))
    instance = Path(instance_path)
    # SQLite only as the development default: production names its database explicitly.
    default_db = None if mode == "production" else f"sqlite:///{instance / 'bilan.sqlite3'}"
    base_url = env.get("BILAN_BASE_URL", "http://127.0.0.1:5000").rstrip("/")
    secure = _bool(env.get("BILAN_COOKIE_SECURE"), default=cookies_can_be_secure(mode, base_url))
    return {
        "ENV_MODE": mode,
        "SECRET_KEY": env.get("BILAN_SECRET_KEY"),
        "SQLALCHEMY_DATABASE_URI": env.get("BILAN_DATABASE_URL", default_db),
        "REDIS_URL": env.get("BILAN_REDIS_URL") or None,
        "TOOL_PRIVATE_KEY_FILE": env.get("BILAN_TOOL_PRIVATE_KEY_FILE"),
        "TOOL_BASE_URL": base_url,
        "DEMO_PLATFORM": _bool(env.get("BILAN_DEMO_PLATFORM"), default=mode != "production"),
        # Dynamic registration may call private, loopback and link-local addresses (a Moodle on
        # the same machine or LAN): by default in development only (lti_tool/lti/outbound.py).
        "REGISTRATION_ALLOW_PRIVATE": _bool(
            env.get("BILAN_REGISTRATION_ALLOW_PRIVATE"), default=mode != "production"
        ),
        "TRUST_PROXY": int(env.get("BILAN_TRUST_PROXY", "0")),
        # OIDC logins per client address and minute (0: no limit); see lti_tool/lti/throttle.py.
        "LOGIN_RATE_LIMIT": int(env.get("BILAN_LOGIN_RATE_LIMIT", "600")),
        "COURSE_ROOT": env.get(
            "BILAN_COURSE_ROOT", str(Path(__file__).resolve().parent.parent / "course")
        ),
        "UPLOAD_ROOT": env.get("BILAN_UPLOAD_ROOT", str(instance / "uploads")),
        "DOSSIER_MAX_BYTES": int(env.get("BILAN_DOSSIER_MAX_BYTES", str(15 * 1024 * 1024))),
        "DOSSIER_RETENTION_DAYS": int(env.get("BILAN_DOSSIER_RETENTION_DAYS", "365")),
        # Budget of one upload's analysis (a child process of the worker, never the web request).
        "DOSSIER_ANALYSIS_CPU_SECONDS": int(env.get("BILAN_DOSSIER_ANALYSIS_CPU_SECONDS", "10")),
        "DOSSIER_ANALYSIS_MEMORY_MB": int(env.get("BILAN_DOSSIER_ANALYSIS_MEMORY_MB", "512")),
        "DOSSIER_ANALYSIS_WALL_SECONDS": int(env.get("BILAN_DOSSIER_ANALYSIS_WALL_SECONDS", "60")),
        "LAUNCH_SESSION_HOURS": int(env.get("BILAN_LAUNCH_SESSION_HOURS", "12")),
        "EXAM_GRACE_SECONDS": int(env.get("BILAN_EXAM_GRACE_SECONDS", "10")),
        # In production grades leave from the worker only (within its 2 s poll): a web worker
        # never waits on the LMS, even a slow one, while a cohort is saving answers.
        "GRADES_SEND_AFTER_COMMIT": _bool(
            env.get("BILAN_GRADES_SEND_AFTER_COMMIT"), default=mode != "production"
        ),
        # Certification: the CPF export (accrochage) identifiers given by the Caisse des Dépôts,
        # the certification's code (e.g. RS followed by its number), the NIR's encryption key
        # (Fernet; derived from the secret key when unset) and how long a NIR is kept.
        "CPF_ID_CLIENT": env.get("BILAN_CPF_ID_CLIENT", ""),
        "CPF_ID_CONTRAT": env.get("BILAN_CPF_ID_CONTRAT", ""),
        "CPF_CERTIFICATION_TYPE": env.get("BILAN_CPF_CERTIFICATION_TYPE", "RS"),
        "CPF_CERTIFICATION_CODE": env.get("BILAN_CPF_CERTIFICATION_CODE", ""),
        "CPF_NIR_KEY": env.get("BILAN_CPF_NIR_KEY") or None,
        "CPF_NIR_RETENTION_DAYS": int(env.get("BILAN_CPF_NIR_RETENTION_DAYS", "120")),
        "BABEL_DEFAULT_LOCALE": "fr",
        # Times are stored and exported in UTC; pages show them in the browser's own zone
        # (lti_tool/formatting.py ``localtime``, static/localtime.js), UTC without script.
        "BABEL_DEFAULT_TIMEZONE": "UTC",
        "SESSION_COOKIE_SECURE": secure,
        "SESSION_COOKIE_SAMESITE": "None" if secure else "Lax",
        "SESSION_COOKIE_NAME": "bilan_session",
        "WTF_CSRF_TIME_LIMIT": None,
        "MAX_CONTENT_LENGTH": int(env.get("BILAN_MAX_REQUEST_BYTES", str(20 * 1024 * 1024))),
    }


def check_production(config: dict[str, Any]) -> None:
    """Refuse to start in production with anything the development mode would tolerate.

    A secret key of at least ``MIN_SECRET_LENGTH`` varied characters, the tool's private key,
    an explicit non-SQLite database and no demo platform (it lets anyone launch as a trainer).
    """
    if config.get("ENV_MODE") != "production":
        return
    missing = []
    secret = str(config.get("SECRET_KEY") or "")
    if not secret:
        missing.append("BILAN_SECRET_KEY")
    elif len(secret) < MIN_SECRET_LENGTH or len(set(secret)) < MIN_SECRET_DISTINCT:
        missing.append(
            f"BILAN_SECRET_KEY (au moins {MIN_SECRET_LENGTH} caractères aléatoires, "
            "par exemple « python -c 'import secrets; print(secrets.token_hex(32))' »)"
        )
    key_file = config.get("TOOL_PRIVATE_KEY_FILE")
    if not key_file or not Path(key_file).is_file():
        missing.append("BILAN_TOOL_PRIVATE_KEY_FILE (fichier de clé privée PEM existant)")
    database = str(config.get("SQLALCHEMY_DATABASE_URI") or "")
    if not database or database.startswith("sqlite"):
        missing.append("BILAN_DATABASE_URL (PostgreSQL en production)")
    if config.get("DEMO_PLATFORM"):
        missing.append("BILAN_DEMO_PLATFORM (la plateforme de démonstration est interdite)")
    if missing:
        raise ConfigError(
            "Démarrage refusé en production : variables manquantes ou invalides : "
            + ", ".join(missing)
        )

"""Where the web server listens, recorded by gunicorn, so that the CLI's addresses match it.

``make run`` and production both start gunicorn, which records its listening addresses in
``instance/listening.json`` when it is ready (``gunicorn.conf.py``) and removes the record when
it stops. ``flask lti registration-url`` compares the tool's public address (``BILAN_BASE_URL``)
with that record and warns when a platform would be sent to a host or port nobody answers on.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

#: Hosts that accept connections on every interface: any host name reaches them.
WILDCARD_HOSTS = {"0.0.0.0", "::", ""}  # noqa: S104  (compared with, never bound)
#: Names of the loopback interface: one of them reaches a server bound to another.
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


def record_path(instance_path: str | Path) -> Path:
    return Path(instance_path) / "listening.json"


def write_record(instance_path: str | Path, addresses: list[tuple[str, int]]) -> None:
    """Record ``(host, port)`` pairs the server listens on (gunicorn's ``when_ready``)."""
    path = record_path(instance_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps([[host, int(port)] for host, port in addresses]))


def remove_record(instance_path: str | Path) -> None:
    record_path(instance_path).unlink(missing_ok=True)


def read_record(instance_path: str | Path) -> list[tuple[str, int]] | None:
    """The recorded addresses, or None when no server recorded any (or the record is unreadable)."""
    try:
        data = json.loads(record_path(instance_path).read_text())
        return [(str(host), int(port)) for host, port in data]
    except (OSError, ValueError, TypeError):
        return None


def base_url_warning(base_url: str, listening: list[tuple[str, int]] | None) -> str | None:
    """A French warning when ``base_url`` names a host or port the server does not listen on.

    Only checked when the base URL names this machine (a loopback host, or exactly a listening
    host): a public name in front of a proxy (production) cannot be checked from here and gives
    no warning. The host must be the very one served: cookies are kept per host name, and a
    Moodle on 127.0.0.1 needs the tool on ``localhost``.
    """
    if not listening:
        return None
    parts = urlsplit(base_url)
    host = (parts.hostname or "").lower()
    port = parts.port or (443 if parts.scheme == "https" else 80)
    listened_hosts = {h.lower().strip("[]") for h, _ in listening}
    if host not in LOOPBACK_HOSTS and host not in listened_hosts:
        return None  # a public name, served through a proxy or on every interface
    for lhost, lport in listening:
        lhost = lhost.lower().strip("[]")
        if lport == port and (lhost in WILDCARD_HOSTS or lhost == host):
            return None
    shown = ", ".join(f"{h}:{p}" for h, p in listening)
    return (
        f"Attention : cette adresse vise {host}:{port}, mais le serveur écoute sur {shown}. "
        f"Une plateforme qui suit cette adresse n'atteindra pas l'outil (ou ses cookies ne "
        f"seront pas ceux du lancement) : relancez avec la même adresse que « make run », par "
        f"exemple « make registration-url HOST=… PORT=… », ou réglez BILAN_BASE_URL."
    )

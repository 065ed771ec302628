"""HTTP calls to addresses a platform (or whoever holds an invite) chose.

Dynamic registration fetches a URL given in the browser's query string: without care the tool
becomes a probe of its own network. So every call here:

- goes only to ``http``/``https`` targets whose every resolved address is public, unless the
  administrator allows private, loopback and link-local ones (``BILAN_REGISTRATION_ALLOW_PRIVATE``,
  on by default in development for a local Moodle, off in production);
- checks the address actually connected to as well (a name that resolves to a public address for
  the check and to a private one for the connection is refused at the socket);
- follows at most ``MAX_REDIRECTS`` redirects itself, checking every hop, and drops the bearer
  token when a redirect leaves the first origin; POSTs are never redirected;
- reads at most ``MAX_BYTES`` of body within ``DEADLINE_SECONDS`` in all.

Failures raise ``OutboundError`` with a detail for the log (never for the browser) and whether
an HTTP answer was received at all (``reached``).
"""

from __future__ import annotations

import ipaddress
import json
import socket
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

#: Largest body read from a platform (its configuration or registration answer is a few KB).
MAX_BYTES = 1024 * 1024
#: Redirects followed for a GET (each hop checked); a POST is never redirected.
MAX_REDIRECTS = 3
#: Connect and per-read timeouts, and the wall-time budget of one call with its redirects.
TIMEOUT = (5, 10)
DEADLINE_SECONDS = 20.0
REDIRECT_STATUSES = {301, 302, 303, 307, 308}


class OutboundError(Exception):
    """A call failed; ``detail`` is for the log only, ``reached`` says an HTTP answer came back."""

    def __init__(self, detail: str, *, reached: bool) -> None:
        super().__init__(detail)
        self.detail = detail
        self.reached = reached


class ForbiddenAddress(Exception):
    """The socket connected to an address the policy forbids (raised inside urllib3)."""


def address_allowed(address: str, allow_private: bool) -> bool:
    """Whether the tool may connect to this IP address."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_multicast or ip.is_unspecified:
        return False
    return allow_private or ip.is_global


def _resolve(host: str, port: int) -> list[str]:
    return sorted(
        {str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)}
    )


#: Name resolution (replaced in tests): host, port -> IP addresses.
RESOLVE: list[Callable[[str, int], list[str]]] = [_resolve]


def check_url(url: str, allow_private: bool, *, reached: bool = False) -> None:
    """Refuse a URL that is not http(s) or whose host resolves to a forbidden address."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise OutboundError(f"adresse refusée (schéma ou hôte) : {url!r}", reached=reached)
    if parts.username or parts.password:
        raise OutboundError(f"adresse refusée (identifiants dans l'URL) : {url!r}", reached=reached)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        addresses = RESOLVE[0](parts.hostname, port)
    except (OSError, ValueError, UnicodeError) as error:
        raise OutboundError(
            f"résolution impossible de {parts.hostname!r} : {error}", reached=reached
        ) from error
    if not addresses:
        raise OutboundError(f"aucune adresse pour {parts.hostname!r}", reached=reached)
    forbidden = [a for a in addresses if not address_allowed(a, allow_private)]
    if forbidden:
        raise OutboundError(
            f"cible interne refusée : {parts.hostname!r} -> {', '.join(forbidden)} "
            "(BILAN_REGISTRATION_ALLOW_PRIVATE=1 pour l'autoriser)",
            reached=reached,
        )


def _check_peer(sock: socket.socket) -> None:
    address = str(sock.getpeername()[0])
    if not address_allowed(address, allow_private=False):
        sock.close()
        raise ForbiddenAddress(address)


class _GuardedHTTPConnection(HTTPConnection):
    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        _check_peer(sock)
        return sock


class _GuardedHTTPSConnection(HTTPSConnection):
    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        _check_peer(sock)
        return sock


class _GuardedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _GuardedHTTPConnection


class _GuardedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _GuardedHTTPSConnection


class PublicOnlyAdapter(HTTPAdapter):
    """A requests adapter whose sockets refuse non-public peers after connecting."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _GuardedHTTPPool,
            "https": _GuardedHTTPSPool,
        }


def _session(allow_private: bool) -> Any:
    session = requests.Session()
    # No proxy, .netrc or CA bundle from the environment: the checked address is the one used.
    session.trust_env = False
    if not allow_private:
        adapter = PublicOnlyAdapter(max_retries=0)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
    return session


#: The HTTP transport (replaced by fake platforms in tests): allow_private -> object with
#: ``request(method, url, headers=, json=, timeout=, stream=, allow_redirects=)`` and ``close()``.
TRANSPORT: list[Callable[[bool], Any]] = [_session]


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    return parts.scheme, (parts.hostname or "").lower(), parts.port


def _read_capped(response: Any, max_bytes: int, deadline: float) -> bytes:
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise OutboundError(f"réponse trop grande annoncée ({declared} octets)", reached=True)
    body = bytearray()
    for chunk in response.iter_content(chunk_size=64 * 1024):
        body.extend(chunk)
        if len(body) > max_bytes:
            raise OutboundError(f"réponse de plus de {max_bytes} octets", reached=True)
        if time.monotonic() > deadline:
            raise OutboundError("réponse trop lente (délai total dépassé)", reached=True)
    return bytes(body)


def fetch_json(
    method: str,
    url: str,
    *,
    headers: dict[str, str],
    allow_private: bool,
    body: dict[str, Any] | None = None,
    max_bytes: int = MAX_BYTES,
) -> dict[str, Any]:
    """Send one request (GET follows checked redirects) and return the JSON object answered."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    transport = TRANSPORT[0](allow_private)
    current, current_headers, reached = url, dict(headers), False
    try:
        for _hop in range(MAX_REDIRECTS + 1):
            check_url(current, allow_private, reached=reached)
            try:
                response = transport.request(
                    method,
                    current,
                    headers=current_headers,
                    json=body,
                    timeout=TIMEOUT,
                    stream=True,
                    allow_redirects=False,
                )
            except ForbiddenAddress as error:
                raise OutboundError(
                    f"connexion à une adresse interne refusée : {current} -> {error}",
                    reached=reached,
                ) from error
            except requests.RequestException as error:
                raise OutboundError(
                    f"{type(error).__name__} vers {current} : {error}", reached=reached
                ) from error
            reached = True
            try:
                status = int(response.status_code)
                if status in REDIRECT_STATUSES and method == "GET":
                    location = response.headers.get("Location")
                    if not location:
                        raise OutboundError(f"redirection {status} sans Location", reached=True)
                    following = urljoin(current, location)
                    if _origin(following) != _origin(url):
                        current_headers.pop("Authorization", None)
                    current = following
                    continue
                if not 200 <= status < 300:
                    raise OutboundError(f"HTTP {status} de {current}", reached=True)
                raw = _read_capped(response, max_bytes, deadline)
            except requests.RequestException as error:
                raise OutboundError(
                    f"{type(error).__name__} en lisant {current} : {error}", reached=True
                ) from error
            finally:
                response.close()
            try:
                data = json.loads(raw)
            except ValueError as error:
                raise OutboundError(f"réponse non JSON de {current}", reached=True) from error
            if not isinstance(data, dict):
                raise OutboundError(
                    f"réponse JSON qui n'est pas un objet de {current}", reached=True
                )
            return data
        raise OutboundError(f"plus de {MAX_REDIRECTS} redirections depuis {url}", reached=True)
    finally:
        close = getattr(transport, "close", None)
        if close is not None:
            close()

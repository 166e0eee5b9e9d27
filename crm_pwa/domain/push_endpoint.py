"""Only real push services may receive our requests.

A subscription endpoint is an address the browser hands us and the server later
POSTs to. Accepting any URL would let a client point the server at internal
hosts, so the endpoint must be https on a known push service host, or on a host
the operator listed explicitly (a test or on-premise push service).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence
from urllib.parse import SplitResult, urlsplit

MAX_ENDPOINT_LENGTH = 2048

_KNOWN_HOSTS = frozenset(
    {
        "fcm.googleapis.com",
        "android.googleapis.com",
        "updates.push.services.mozilla.com",
        "web.push.apple.com",
    }
)
_DEFAULT_PORTS = {"https": 443, "http": 80}
_KNOWN_HOST_SUFFIXES = (".push.services.mozilla.com", ".push.apple.com", ".notify.windows.com")
# Anything outside RFC 3986's characters (spaces, backslashes, non-ASCII) is
# refused outright: parsers disagree on such URLs, and the host we check must be
# the host the HTTP client connects to.
_URL_CHARACTERS = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")
_HOST_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?")


def check_push_endpoint(endpoint: str, extra_hosts: Sequence[str] = ()) -> str:
    """Return `endpoint` unchanged when it may be contacted, else raise ValueError.

    `extra_hosts` entries are "host" (any port) or "host:port"; they may use
    http or https.
    """
    allowed_extras = [_parse_extra_host(entry) for entry in extra_hosts]
    parts = _split_endpoint(endpoint)
    host = parts.hostname or ""
    port = _port_of(parts)
    effective_port = port if port is not None else _DEFAULT_PORTS[parts.scheme]
    for extra_host, extra_port in allowed_extras:
        if extra_host == host and extra_port in (None, effective_port):
            return endpoint
    if _is_ip_literal(host):
        raise ValueError(f"push endpoint host {host} is an IP address, not a push service")
    if not _is_known_push_host(host):
        raise ValueError(f"push endpoint host {host} is not a known push service")
    if parts.scheme != "https":
        raise ValueError("push endpoint must use https")
    if port not in (None, 443):
        raise ValueError(f"push endpoint port {port} is not the push service's port")
    return endpoint


def _split_endpoint(endpoint: str) -> SplitResult:
    if not endpoint:
        raise ValueError("push endpoint is empty")
    if len(endpoint) > MAX_ENDPOINT_LENGTH:
        raise ValueError(f"push endpoint is longer than {MAX_ENDPOINT_LENGTH} characters")
    if not _URL_CHARACTERS.fullmatch(endpoint):
        raise ValueError("push endpoint contains characters that are not allowed in a URL")
    parts = urlsplit(endpoint)
    if parts.scheme not in ("https", "http"):
        raise ValueError("push endpoint must be an https URL")
    if "@" in parts.netloc:
        raise ValueError("push endpoint must not carry a user name or password")
    if not parts.hostname:
        raise ValueError("push endpoint has no host")
    if "#" in endpoint:
        raise ValueError("push endpoint must not have a fragment")
    return parts


def _port_of(parts: SplitResult) -> int | None:
    try:
        return parts.port
    except ValueError as exc:
        raise ValueError("push endpoint has an invalid port") from exc


def _parse_extra_host(entry: str) -> tuple[str, int | None]:
    allowed = urlsplit(f"//{entry.strip()}")
    if (
        not allowed.hostname
        or "@" in allowed.netloc
        or allowed.path
        or allowed.query
        or allowed.fragment
    ):
        raise ValueError(f"extra push host {entry!r} is not a host or host:port")
    try:
        return allowed.hostname, allowed.port
    except ValueError as exc:
        raise ValueError(f"extra push host {entry!r} has an invalid port") from exc


def _is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _is_known_push_host(host: str) -> bool:
    if host in _KNOWN_HOSTS:
        return True
    for suffix in _KNOWN_HOST_SUFFIXES:
        if host.endswith(suffix):
            labels = host[: -len(suffix)].split(".")
            return all(_HOST_LABEL.fullmatch(label) for label in labels)
    return False

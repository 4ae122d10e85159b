"""HTTP helpers shared by the sources: URL splitting, timestamps, client and request id.

They are written for the hot path (one call per transaction at tens of thousands per second),
so URLs are split with one compiled regex rather than ``urllib.parse.urlsplit``, which does the
same job several times slower and accepts things (no host, relative URLs) we must reject.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from tracehound.model import Headers

DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}

_URL_RE = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*)://([^/?#]*)([^?#]*)(?:\?([^#]*))?")
_BAD_HOST_RE = re.compile(r"[\s<>\"'`{}|\\^/]")


MAX_ORIGINS = 4096
"""Origins (``scheme://authority``) whose split is remembered; the memo empties when full."""
MAX_ORIGIN = 256
_ORIGINS: dict[str, tuple[str, str]] = {}


def split_url(url: str) -> tuple[str, str, str, str]:
    """``(scheme, host, path, query)`` of an absolute URL.

    The host is lower-cased and keeps a non-default port (``api.example.com:8443``); the path is
    raw (still percent-encoded) and at least ``/``; the query is raw, without ``?``; a fragment
    is dropped. Raises ``ValueError`` with a short reason for anything else.
    """
    m = _URL_RE.match(url)
    if m is None:
        raise ValueError("not an absolute URL")
    # A source sees few origins: their checked (scheme, host) is remembered.
    origin = url[: m.end(2)]
    known = _ORIGINS.get(origin)
    if known is None:
        known = _split_origin(m.group(1), m.group(2))
        if len(origin) <= MAX_ORIGIN:
            if len(_ORIGINS) >= MAX_ORIGINS:
                _ORIGINS.clear()
            _ORIGINS[origin] = known
    path, query = m.group(3, 4)
    return known[0], known[1], path or "/", query or ""


def _split_origin(scheme: str, authority: str) -> tuple[str, str]:
    """``(scheme, host)`` of a URL's scheme and authority, as `split_url` returns them."""
    scheme = scheme.lower()
    if "@" in authority:
        authority = authority.rpartition("@")[2]
    port = ""
    if authority.startswith("["):
        end = authority.find("]")
        if end < 0:
            raise ValueError("unterminated IPv6 address in host")
        hostname, rest = authority[: end + 1], authority[end + 1 :]
        if rest:
            if rest[0] != ":":
                raise ValueError("junk after IPv6 address in host")
            port = rest[1:]
    else:
        hostname, _, port = authority.partition(":")
        if ":" in port:
            raise ValueError("more than one ':' in host")
    if not hostname:
        raise ValueError("URL has no host")
    if _BAD_HOST_RE.search(hostname):
        raise ValueError("invalid character in host")
    host = hostname.lower()
    if port:
        if not (port.isascii() and port.isdigit()) or int(port) > 65535:
            raise ValueError(f"invalid port {port[:20]!r}")
        number = int(port)
        if DEFAULT_PORTS.get(scheme) != number:
            host = f"{host}:{number}"
    return scheme, host


def parse_time(value: str | float | int | None) -> float | None:
    """Unix seconds from an ISO 8601 timestamp (``Z`` or offset; naive means UTC) or a number."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
        return number if number == number and abs(number) != float("inf") else None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    try:
        return when.timestamp()
    except (OverflowError, OSError, ValueError):
        return None


def duration(value: float | int | str | None) -> float | None:
    """A non-negative duration in ms, or None (HAR uses -1 for "unknown")."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    if number >= 0 and number != float("inf"):
        return number
    return None


def header(headers: Headers, name: str) -> str | None:
    """The first value of a (lower-case) header, or None."""
    for key, value in headers:
        if key == name:
            return value
    return None


def forwarded_client(headers: Headers) -> str | None:
    """The first address of ``x-forwarded-for`` (the original client), or None."""
    value = header(headers, "x-forwarded-for")
    if value is None:
        return None
    first = value.split(",", 1)[0].strip()
    return first or None

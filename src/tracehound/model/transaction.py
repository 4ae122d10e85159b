"""Transactions: the one thing that crosses the bus, as read from a source and as normalized.

These are ``msgspec.Struct`` types rather than dataclasses: they are frozen like dataclasses, but
encode to JSON/MessagePack for the bus without a hand-written codec and cost a fraction of a
dataclass to build, which matters at tens of thousands of transactions per second.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import msgspec

Headers = tuple[tuple[str, str], ...]
"""Header (name, value) pairs in order; names lower-cased by the source."""


class Transaction(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """One request/response pair as a source read it, bodies still content-encoded."""

    seq: int
    """0-based position in the run's input, across all input files."""
    source: str
    """Where it came from: a file name, a sensor name, a collector batch."""
    method: str
    scheme: str
    host: str
    """Host without the default port for the scheme; this names the service."""
    path: str
    """The raw (percent-encoded) path, starting with ``/``."""
    query: str = ""
    """The raw query string, without ``?``."""
    request_headers: Headers = ()
    request_body: bytes = b""
    status: int = 0
    response_headers: Headers = ()
    response_body: bytes = b""
    started: float | None = None
    """Start time as Unix seconds, or None when the source has none."""
    duration_ms: float | None = None
    client: str | None = None
    """The client's address, when the source knows it."""
    request_id: str | None = None


class BodyKind(StrEnum):
    EMPTY = "empty"
    JSON = "json"
    FORM = "form"
    MULTIPART = "multipart"
    XML = "xml"
    TEXT = "text"
    BINARY = "binary"


class Body(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """A decoded body: what it is, its parsed value, and why it could not be parsed, if so."""

    kind: BodyKind = BodyKind.EMPTY
    value: Any = None
    """JSON value, ``dict[str, list[str]]`` for forms and multipart, ``str`` for XML/text."""
    media_type: str = ""
    size: int = 0
    """Decoded size in bytes (before the cap)."""
    truncated: bool = False
    error: str | None = None
    """Why decoding stopped early (bad encoding, over a cap); the body is still counted."""
    already_decoded: bool = False
    """``Content-Encoding`` was declared but the bytes were plain text, not encoded (browsers export
    HAR bodies decoded and keep the header): taken as they are, without an error."""


class Exchange(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """A normalized transaction: decoded path, parameters and bodies, ready for every stage."""

    seq: int
    service: str
    method: str
    segments: tuple[str, ...]
    """Percent-decoded path segments; ``/users/42/`` is ``("users", "42")``."""
    raw_path: str
    query: tuple[tuple[str, str], ...]
    headers: dict[str, str]
    """Request headers by lower-case name; repeated headers joined with ``, ``."""
    cookies: tuple[tuple[str, str], ...]
    request_body: Body
    status: int
    response_headers: dict[str, str]
    response_body: Body
    started: float | None
    duration_ms: float | None
    client: str | None
    request_id: str | None
    scheme: str = "https"
    raw_query: str = ""

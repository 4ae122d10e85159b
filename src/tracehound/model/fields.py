"""Locations, and the walk over every input and output value of an exchange.

Classifiers and detectors see a transaction as ``(location, value)`` pairs named as in
REPORT_FORMAT.md (``request.query.id``, ``response.body.items[].email``). Path segments are named
by position (``request.path.#2``) because parameter names exist only once templates are known;
the report renames them (``request.path.userId``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tracehound.model.redaction import KEY_NAMES, key_name
from tracehound.model.transaction import Body, BodyKind, Exchange

MAX_FIELDS = 4096
"""Cap on values yielded per body, so a hostile body cannot make a stage loop for long."""

SAMPLED_ITEMS = 8
"""Items of each response array that are walked: arrays are homogeneous collections, and what
their first items carry is what the location carries; this bounds the work per response."""

PATH_PREFIX = "request.path.#"


def path_location(index: int) -> str:
    return f"{PATH_PREFIX}{index}"


def path_index(location: str) -> int | None:
    """The segment index of a ``request.path.#N`` location, else None."""
    if location.startswith(PATH_PREFIX):
        tail = location[len(PATH_PREFIX) :]
        if tail.isdigit():
            return int(tail)
    return None


def walk_json(
    value: Any, prefix: str, out: list[tuple[str, Any]], limit: int = MAX_FIELDS, items: int | None = None
) -> None:
    """Append ``(location, scalar)`` for every scalar under ``value``; arrays step with ``[]``.

    ``items`` caps how many items of each array are walked (None: all, up to ``limit`` fields).
    """
    stack: list[tuple[str, Any]] = [(prefix, value)]
    while stack and len(out) < limit:
        loc, node = stack.pop()
        if isinstance(node, dict):
            names = KEY_NAMES
            for key, child in node.items():
                stack.append((f"{loc}.{names.get(key) or key_name(key)}", child))
        elif isinstance(node, list):
            step = f"{loc}[]"
            for child in node if items is None else node[:items]:
                stack.append((step, child))
        else:
            out.append((loc, node))


def body_fields(body: Body, prefix: str, items: int | None = None) -> list[tuple[str, Any]]:
    """Scalars of a body with their locations; a non-structured body is one value at ``prefix``."""
    out: list[tuple[str, Any]] = []
    if body.kind is BodyKind.JSON:
        walk_json(body.value, prefix, out, items=items)
    elif body.kind in (BodyKind.FORM, BodyKind.MULTIPART) and isinstance(body.value, dict):
        for key, values in body.value.items():
            location = f"{prefix}.{key_name(key)}"
            for v in values:
                out.append((location, v))
                if len(out) >= MAX_FIELDS:
                    return out
    elif body.kind in (BodyKind.XML, BodyKind.TEXT) and isinstance(body.value, str):
        out.append((prefix, body.value))
    return out


MAX_NAMED_LOCATIONS = 4096
"""Location strings remembered per prefix (``request.header.`` + name); the memo empties when full."""
_PATH_LOCATIONS = tuple(f"{PATH_PREFIX}{i}" for i in range(64))
_QUERY_LOCATIONS: dict[str, str] = {}
_HEADER_LOCATIONS: dict[str, str] = {}
_COOKIE_LOCATIONS: dict[str, str] = {}
_RESPONSE_HEADER_LOCATIONS: dict[str, str] = {}


def _named(memo: dict[str, str], prefix: str, name: str) -> str:
    """``prefix + name``, remembered: the same names recur in every transaction, and a reused
    string keeps its hash, which every later stage's dictionaries look up."""
    if len(memo) >= MAX_NAMED_LOCATIONS:
        memo.clear()
    location = memo[name] = prefix + name
    return location


def request_head_fields(ex: Exchange) -> list[tuple[str, Any]]:
    """The request values outside the body (path, query, headers, cookies), in `request_fields` order."""
    paths = _PATH_LOCATIONS
    segments = ex.segments
    if len(segments) <= len(paths):
        out: list[tuple[str, Any]] = list(zip(paths, segments))
    else:
        out = [(path_location(i), seg) for i, seg in enumerate(segments)]
    if ex.query:
        memo = _QUERY_LOCATIONS
        out += [(memo.get(n) or _named(memo, "request.query.", n), v) for n, v in ex.query]
    memo = _HEADER_LOCATIONS
    out += [(memo.get(n) or _named(memo, "request.header.", n), v) for n, v in ex.headers.items() if n != "cookie"]
    if ex.cookies:
        memo = _COOKIE_LOCATIONS
        out += [(memo.get(n) or _named(memo, "request.cookie.", n), v) for n, v in ex.cookies]
    return out


def request_fields(ex: Exchange) -> Iterator[tuple[str, Any]]:
    """Every request value an attacker controls, with its location."""
    yield from request_head_fields(ex)
    yield from body_fields(ex.request_body, "request.body")


def response_header_fields(ex: Exchange) -> list[tuple[str, Any]]:
    """The response headers as fields, in `response_fields` order."""
    memo = _RESPONSE_HEADER_LOCATIONS
    return [(memo.get(n) or _named(memo, "response.header.", n), v) for n, v in ex.response_headers.items()]


def response_fields(ex: Exchange, body: bool = True) -> Iterator[tuple[str, Any]]:
    """Response values with their locations; of each array only the first `SAMPLED_ITEMS` items.

    Request values are all walked (an attacker chooses where to put a payload); responses are
    the service's own output, where a collection's first items say what its location holds.
    """
    yield from response_header_fields(ex)
    if body:
        yield from body_fields(ex.response_body, "response.body", items=SAMPLED_ITEMS)

"""The profile stage: fold one normalized exchange into its endpoint's profile.

Pure with respect to everything but the profile it is given, so a worker can fold any subset of
the traffic and flush the result as a delta.
"""

from __future__ import annotations

import re
from collections import _count_elements  # type: ignore[attr-defined]  # Counter's C helper
from collections.abc import Iterable, Sequence
from typing import Any

from tracehound.analyzer.assets import request_kind
from tracehound.model import BodyKind, Exchange, SensitiveHit
from tracehound.model.redaction import names_a_secret
from tracehound.pipeline.auth import API_KEY_QUERY, auth_schemes, credential_headers
from tracehound.pipeline.segments import is_placeholder
from tracehound.profiles.endpoint import EndpointProfile, SensitiveStat
from tracehound.profiles.schema import SchemaNode

STANDARD_HEADERS = frozenset(
    {
        "host",
        "user-agent",
        "accept",
        "accept-encoding",
        "accept-language",
        "accept-charset",
        "content-type",
        "content-length",
        "content-encoding",
        "connection",
        "cookie",
        "authorization",
        "proxy-authorization",
        "cache-control",
        "pragma",
        "origin",
        "referer",
        "te",
        "upgrade",
        "via",
        "dnt",
        "forwarded",
        "keep-alive",
        "expect",
        "range",
        "priority",
        "x-forwarded-for",
        "x-forwarded-proto",
        "x-forwarded-host",
        "x-forwarded-port",
        "x-real-ip",
        "x-request-id",
        "x-correlation-id",
        "x-amzn-trace-id",
        "traceparent",
        "tracestate",
        "upgrade-insecure-requests",
        "transfer-encoding",
        "date",
    }
)
_STANDARD_PREFIXES = ("sec-", "if-", "x-b3-", "accept-", "access-control-request-")
_INT = re.compile(r"-?\d{1,18}")
_FLOAT = re.compile(r"-?\d+\.\d+(?:[eE][-+]?\d+)?")


def coerce_scalar(value: str) -> Any:
    """A query, form or path value as the JSON scalar it spells: ``"42"`` is 42, ``"true"`` True."""
    if not value:
        return value
    c = value[0]
    if c.isdigit() or c == "-":
        if _INT.fullmatch(value) and not (len(value) > 1 and value[0] == "0"):
            return int(value)
        if _FLOAT.fullmatch(value):
            return float(value)
        return value
    if value in ("true", "false"):
        return value == "true"
    return value


def is_secret_name(name: str) -> bool:
    """A parameter whose name says it carries a credential: its values are never kept."""
    return name.lower() in API_KEY_QUERY or names_a_secret(name)


def _count_only(node: SchemaNode) -> None:
    node.count += 1
    node.types["string"] = node.types.get("string", 0) + 1
    node.enum = None


_SECRET_NAMES: dict[str, bool] = {}


def _secret_name(name: str) -> bool:
    """`is_secret_name`, memoized (pure, and parameter names recur in every request)."""
    secret = is_secret_name(name)
    if len(_SECRET_NAMES) >= MAX_HEADER_KINDS:
        _SECRET_NAMES.clear()
    _SECRET_NAMES[name] = secret
    return secret


def is_parameter_header(name: str) -> bool:
    return name not in STANDARD_HEADERS and not name.startswith(_STANDARD_PREFIXES)


_PLAIN_HEADER, _SECRET_HEADER = 1, 2
_HEADER_KINDS: dict[str, int] = {}
MAX_HEADER_KINDS = 4096


def _header_kind(name: str) -> int:
    """0: not a parameter header; else whether its name says it is secret (memoized: pure)."""
    kind = 0
    if is_parameter_header(name):
        kind = _SECRET_HEADER if is_secret_name(name) else _PLAIN_HEADER
    if len(_HEADER_KINDS) >= MAX_HEADER_KINDS:
        _HEADER_KINDS.clear()
    _HEADER_KINDS[name] = kind
    return kind


def _node(nodes: dict[str, SchemaNode], key: str) -> SchemaNode:
    node = nodes.get(key)
    if node is None:
        node = nodes[key] = SchemaNode()
    return node


def fold(
    profile: EndpointProfile,
    ex: Exchange,
    template: tuple[str, ...],
    hits: Sequence[SensitiveHit] = (),
    locations: Iterable[str] = (),
    deep: bool = True,
) -> None:
    """Fold ``ex`` (matched to provisional ``template``) into ``profile``.

    ``hits`` are this sample's sensitive-data hits and ``locations`` every location that carried
    a value in it where a hit was possible (once per value), so per-location hit ratios can be
    kept. With ``deep=False`` the bodies are counted by media type but their schemas are not
    folded (see `runner.Sampling`).
    """
    profile.count += 1
    if deep:
        profile.deep += 1
    status = str(ex.status)
    profile.statuses[status] = profile.statuses.get(status, 0) + 1
    if ex.duration_ms is not None:
        profile.latency.add(ex.duration_ms)
    when = ex.started
    if when is not None:
        if profile.first_seen is None or when < profile.first_seen:
            profile.first_seen = when
        if profile.last_seen is None or when > profile.last_seen:
            profile.last_seen = when

    segments = ex.segments
    rkind = request_kind(ex)
    profile.kinds[rkind] = profile.kinds.get(rkind, 0) + 1
    if ex.response_body.size:
        profile.kind_bytes[rkind] = profile.kind_bytes.get(rkind, 0) + ex.response_body.size
    for i, seg in enumerate(template):
        if seg[:1] == "{" and is_placeholder(seg) and i < len(segments):
            value = segments[i]
            node = _node(profile.path_params, str(i))
            node.observe(int(value) if seg == "{int}" and value.isdigit() else value)
            node.enum = None  # ids, never an enumeration; and they may be personal

    if ex.query:
        seen_names: set[str] = set()
        for name, value in ex.query:
            if name in seen_names:
                profile.query_repeats[name] = profile.query_repeats.get(name, 0) + 1
            seen_names.add(name)
            node = _node(profile.query, name)
            secret = _SECRET_NAMES.get(name)
            if secret is None:
                secret = _secret_name(name)
            if secret:
                _count_only(node)
            elif deep:
                node.observe(coerce_scalar(value))
            else:
                node.count += 1

    secret_headers: list[str] | None = None  # only parameter headers need it: most requests have none
    for name, value in ex.headers.items():
        kind = _HEADER_KINDS.get(name)
        if kind is None:
            kind = _header_kind(name)
        if kind:
            node = _node(profile.headers, name)
            if secret_headers is None:
                secret_headers = credential_headers(ex.headers)
            if kind == _SECRET_HEADER or name in secret_headers:
                _count_only(node)
            elif deep:
                node.observe(value)
            else:
                node.count += 1
    for name, _ in ex.cookies:
        profile.cookies[name] = profile.cookies.get(name, 0) + 1
    for scheme in auth_schemes(ex):
        profile.auth[scheme] = profile.auth.get(scheme, 0) + 1

    response = _node(profile.responses, status)
    _fold_body(profile.request_media, profile.request_body, ex.request_body.kind, ex.request_body, deep)
    _fold_body(profile.response_media, response, ex.response_body.kind, ex.response_body, deep)

    _fold_sensitive(profile, hits, locations, status)


def _forget(profile: EndpointProfile, location: str, status: str) -> None:
    """Where a sensitive value was found, the profile keeps no values (enum candidates)."""
    part, _, rest = location.partition(".")
    area, _, name = rest.partition(".")
    if area == "query" and name in profile.query:
        profile.query[name].enum = None
    elif area == "header" and name in profile.headers:
        profile.headers[name].enum = None
    elif rest.startswith("body"):
        path = rest[len("body") :].lstrip(".")
        if part == "request":
            profile.request_body.forget_at(path)
        elif status in profile.responses:
            profile.responses[status].forget_at(path)


def _fold_body(media: dict[str, int], node: SchemaNode, kind: BodyKind, body: Any, deep: bool) -> None:
    if kind is BodyKind.EMPTY:
        return
    mt = body.media_type or kind.value
    media[mt] = media.get(mt, 0) + 1
    if not deep:
        return
    if kind is BodyKind.JSON and body.error is None:
        node.observe(body.value)
    elif kind in (BodyKind.FORM, BodyKind.MULTIPART) and isinstance(body.value, dict):
        node.observe({k: coerce_scalar(v[0]) if len(v) == 1 else v for k, v in body.value.items()})


def _fold_sensitive(
    profile: EndpointProfile, hits: Sequence[SensitiveHit], locations: Iterable[str], status: str
) -> None:
    """Count hits and values per location, value by value.

    Outside arrays a location holds one value per sample, so this is a share of samples; in an
    array (``items[].name``) it is the share of the items: a list where one name in three is a
    person's name is not a list of names, though most samples contain one.
    """
    _count_elements(profile.location_seen, locations)  # C loop over every value's location
    if not hits:
        return
    sensitive = profile.sensitive
    for hit in hits:
        key = f"{hit.location}|{hit.type}"
        stat = sensitive.get(key)
        if stat is None:
            stat = sensitive[key] = SensitiveStat()
        stat.hits += 1
        stat.confidence_milli += round(hit.confidence * 1000)
        stat.add_mask(hit.masked)
    for loc in {hit.location for hit in hits}:
        _forget(profile, loc, status)

"""The signature engine: every enabled request detector, compiled into one multi-pattern pass.

Per value, the engine builds the normalized views (``_decode.views``), runs a single ``re2.Set``
holding the signatures of all enabled families at the chosen sensitivity, and only for the
signatures the set reported runs the individual pattern (for the span) and the family's
``confirm``. A family raises at most one detection per location. A detector that raises is
contained: the error is counted in ``errors`` under its registry id and the run goes on.

Severity per family (each detector's ``severity``):

========================  ========  ==================================================================
family                    severity  why
========================  ========  ==================================================================
command_injection         critical  code execution on the server (shell, PHP, Java, Node, Perl, Ruby)
insecure_deserialization  critical  a deserialized gadget chain runs code on the server (PHP: high)
log4shell                 critical  remote code execution through a JNDI lookup in any logged value
sqli                      high      read/alter the database, often the whole data set
nosqli                    high      query-operator injection: authentication bypass, data extraction
ssrf                      high      reaches internal services and cloud credentials (metadata)
xxe                       high      file disclosure and SSRF through the XML parser
ssti                      high      template engines usually lead to code execution
path_traversal            high      reads files outside the web root
file_inclusion            high      includes remote or wrapper-supplied code or files
ldap_injection            high      directory filter bypass (authentication, enumeration)
xss                       medium    runs in another user's browser, not on the server
crlf_injection            medium    header injection and response splitting; impact depends on a sink
open_redirect             medium    phishing under the site's name, OAuth codes sent off-site
========================  ========  ==================================================================

Sensitivity 1-4 works like CRS paranoia levels: each signature declares the lowest level at which
it is active. The default (3) was chosen with ``bench/bench_signatures.py``: it is the highest
level whose false-positive rate on CSIC 2010 normal traffic stays at 0.0%, and the first at which
every CRS 3.3.4 family reaches 95% typed recall.

Locations follow ``tracehound.model.fields``; parameter, cookie and JSON key *names* are scanned
as well as values (NoSQL operators and Java gadget class names are sent as keys), and a text body
that looks URL-encoded is split into its fields so that ``+`` and ``&`` mean what the server reads.

Context before verdict: each location also has a role (``_roles``). In free-form fields
(passwords, secrets, the Authorization header, prose and search text) any character may occur,
so only level-1 signatures that do not rest on one character (``Signature.free_text``) apply
there; families also read the field's name in ``confirm`` (a URL in ``callbackUrl`` is normal,
in ``page`` it is inclusion). ``confirm_request`` also hands the family the exchange, for verdicts
that compare a value with the request itself (an open redirect's target host with the request's).

The path is scanned twice: each decoded segment, and, when the raw target holds something that
splitting and decoding would hide (a dot segment, ``%2f``, ``%5c``, double or overlong encoding,
a backslash), the raw target whole, for traversal (``_scan_raw_target``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

import re2

import tracehound.detectors
from tracehound._registry import discover
from tracehound.detectors._decode import views
from tracehound.detectors._evidence import evidence
from tracehound.detectors._roles import Role, role_of
from tracehound.detectors.base import (
    DEFAULT_SENSITIVITY,
    MAX_SENSITIVITY,
    MIN_SENSITIVITY,
    Part,
    RequestDetector,
    Signature,
)
from tracehound.model import BodyKind, Detection, DetectionType, Exchange
from tracehound.model.fields import path_location

__all__ = ["DEFAULT_SENSITIVITY", "SignatureEngine", "registered_detectors"]

SKIPPED_HEADERS = frozenset(
    {
        "accept",
        "accept-charset",
        "accept-encoding",
        "accept-language",
        "cache-control",
        "connection",
        "content-length",
        "content-type",
        "date",
        "host",
        "if-modified-since",
        "if-none-match",
        "keep-alive",
        "pragma",
        "proxy-connection",
        "te",
        "upgrade-insecure-requests",
        "x-request-id",
    }
)
"""Headers with a fixed grammar (media ranges, q-values, dates) that signatures would misread."""

_PREFIX_PART = (
    ("request.path.", Part.PATH),
    ("request.query.", Part.QUERY),
    ("request.header.", Part.HEADER),
    ("request.cookie.", Part.COOKIE),
    ("request.body", Part.BODY),
)
_FORM_LIKE = re.compile(r"[^=&\s<>{}\[\]\"]*=[^&]*(?:&[^=&]*=?[^&]*)*")
_MAX_FORM_FIELDS = 256
_RAW_TARGET_HINT = re.compile(r"(?i)\.\.|%(?:2e|2f|5c|25|c0|c1|e0|f0|u)|\\")
"""What segment splitting can hide from a traversal signature: dot segments, encoded separators
and dots, double encoding, overlong UTF-8 and backslashes."""


def registered_detectors() -> dict[str, type[RequestDetector]]:
    """Registry id -> request detector class, for every module of the package."""
    base: type[RequestDetector] = RequestDetector  # type: ignore[type-abstract]
    return discover(tracehound.detectors, base)


@dataclass(frozen=True, slots=True)
class _Entry:
    detector_id: str
    detector: RequestDetector
    signature: Signature
    regex: Any


MEMO_ENTRIES = 65_536
"""Distinct values whose prefilter result is remembered; the memo is emptied when full."""
MEMO_VALUE_CHARS = 256
"""Longer values (bodies, free text) rarely repeat and are not remembered."""


class SignatureEngine:
    """Runs every enabled request detector over the request fields of an exchange."""

    def __init__(self, sensitivity: int = DEFAULT_SENSITIVITY, enabled: Collection[str] | None = None) -> None:
        if not MIN_SENSITIVITY <= sensitivity <= MAX_SENSITIVITY:
            raise ValueError(f"sensitivity must be between {MIN_SENSITIVITY} and {MAX_SENSITIVITY}, got {sensitivity}")
        registry = registered_detectors()
        if enabled is not None:
            unknown = sorted(set(enabled) - set(registry))
            if unknown:
                raise ValueError(f"unknown detector(s) {', '.join(unknown)}; known: {', '.join(sorted(registry))}")
            registry = {k: v for k, v in registry.items() if k in enabled}
        self.sensitivity = sensitivity
        self.detector_ids: tuple[str, ...] = tuple(sorted(registry))
        self.errors: Counter[str] = Counter()
        """Exceptions raised by a detector's ``confirm``, by registry id."""
        self._entries: list[_Entry] = []
        self._memo: dict[str, tuple[int, ...]] = {}
        self._roles: dict[str, tuple[Part | None, str, bool]] = {}
        self._strong: list[bool] = []
        """Per entry: whether it also fires in free-form fields (``_roles.Role.FREE``)."""
        options = re2.Options()
        options.max_mem = 256 << 20
        self._set = re2.Set.SearchSet(options)
        for det_id in self.detector_ids:
            detector = registry[det_id]()
            for sig in detector.signatures():
                if sig.level > sensitivity:
                    continue
                pattern = sig.pattern if sig.case_sensitive else f"(?i:{sig.pattern})"
                index = self._set.Add(pattern)
                assert index == len(self._entries)
                self._entries.append(_Entry(det_id, detector, sig, re2.compile(pattern, options)))
                self._strong.append(sig.level <= 1 and sig.free_text)
        self._set.Compile()

    def inspect(self, ex: Exchange, fields: Sequence[tuple[str, Any]]) -> list[Detection]:
        """Detections over ``fields`` (``list(model.fields.request_fields(ex))``), one per type and location."""
        found: dict[tuple[str, str], Detection] = {}
        seen_keys: set[str] = set()
        split_body = ex.request_body.kind is BodyKind.TEXT
        roles = self._roles
        memo = self._memo
        scan = self._scan
        for location, value in fields:
            role = roles.get(location)
            if role is None:
                role = self._role(location)
            part, key, free = role
            if part is None:
                continue
            if key and key not in seen_keys:
                seen_keys.add(key)
                scan(key, Part.KEY, location, found, False)
            if not isinstance(value, str) or not value:
                continue
            if part is Part.RAW_BODY and split_body and len(value) < 65536 and _FORM_LIKE.fullmatch(value):
                for name, field_value in _form_pairs(value):
                    sub = f"request.body.{name}"
                    if name and name not in seen_keys:
                        seen_keys.add(name)
                        scan(name, Part.KEY, sub, found, False)
                    scan(field_value, Part.BODY, sub, found, role_of(sub) is Role.FREE, ex)
                continue
            # Most values are remembered to fire no signature: skip the call.
            if memo.get(value) != ():
                scan(value, part, location, found, free, ex)
        if _RAW_TARGET_HINT.search(ex.raw_path):
            self._scan_raw_target(ex, found)
        return list(found.values())

    def _scan_raw_target(self, ex: Exchange, found: dict[tuple[str, str], Detection]) -> None:
        """Traversal judged on the request target as it arrived, before it was split into segments.

        Splitting on ``/`` and decoding each segment loses what a server's path resolution acts on:
        raw dot segments (``/static/../../windows.ini`` is six harmless-looking segments), and bytes
        that percent-decoding with replacement turns into noise (overlong ``%c0%ae``). The whole raw
        path is scanned in every view, and a traversal found there is reported at the first segment
        that carries the hint, unless a segment already raised one.
        """
        if any(dtype is DetectionType.PATH_TRAVERSAL and loc.startswith("request.path.") for dtype, loc in found):
            return
        segments = [s for s in ex.raw_path.split("/") if s]
        index = next((i for i, s in enumerate(segments) if _RAW_TARGET_HINT.search(s)), 0)
        location = path_location(index)
        raw: dict[tuple[str, str], Detection] = {}
        self._scan(ex.raw_path, Part.PATH, location, raw, False, ex)
        key = (DetectionType.PATH_TRAVERSAL, location)
        if key in raw:
            found[key] = raw[key]

    def _role(self, location: str) -> tuple[Part | None, str, bool]:
        """``(part, key, free)`` of a location, memoized (a pure function of it): the part it is
        scanned as (``RAW_BODY`` for the whole body; None for a skipped header), the
        attacker-chosen name in it (``_key_of``), and whether it is a free-form field (a password
        or prose, ``_roles.Role.FREE``) where only high-confidence signatures count."""
        part = _part_of(location)
        role: tuple[Part | None, str, bool] = (part, _key_of(location, part), role_of(location) is Role.FREE)
        if part is Part.HEADER and location[15:] in SKIPPED_HEADERS:
            role = (None, "", False)
        elif part is Part.BODY and location == "request.body":
            role = (Part.RAW_BODY, "", False)
        if len(self._roles) >= MEMO_ENTRIES:
            self._roles.clear()
        self._roles[location] = role
        return role

    def _scan(
        self,
        value: str,
        part: Part,
        location: str,
        found: dict[tuple[str, str], Detection],
        free: bool,
        ex: Exchange | None = None,
    ) -> None:
        # Values repeat across requests (user agents, ids, enum-like parameters): the prefilter's
        # answer depends on the value alone, so it is remembered in a bounded memo.
        hits = self._memo.get(value)
        texts: list[str] | None = None
        if hits is None:
            texts = views(value)
            found_hits: set[int] = set()
            for text in texts:
                found_hits.update(self._set.Match(text) or ())
            hits = tuple(sorted(found_hits))
            if len(value) <= MEMO_VALUE_CHARS:
                if len(self._memo) >= MEMO_ENTRIES:
                    self._memo.clear()
                self._memo[value] = hits
        if not hits:
            return
        if texts is None:
            texts = views(value)
        strong = self._strong
        for index in hits:
            if free and not strong[index]:
                continue
            entry = self._entries[index]
            sig = entry.signature
            dtype = entry.detector.type
            if part not in sig.parts or (dtype, location) in found:
                continue
            try:
                detection = self._confirm(entry, texts, location, ex)
            except Exception:
                self.errors[entry.detector_id] += 1
                continue
            if detection is not None:
                found[(dtype, location)] = detection

    @staticmethod
    def _confirm(entry: _Entry, texts: Iterable[str], location: str, ex: Exchange | None) -> Detection | None:
        for text in texts:
            m = entry.regex.search(text)
            if m is None:
                continue
            if entry.detector.confirm_request(entry.signature, m.group(), text, location, ex):
                return Detection(
                    type=entry.detector.type,
                    location=location,
                    severity=entry.signature.severity or entry.detector.severity,
                    detector=entry.detector_id,
                    evidence=evidence(text, m.start(), m.end()),
                    confidence=1.0 if entry.signature.level <= 1 else 0.8 if entry.signature.level == 2 else 0.6,
                )
        return None


def _part_of(location: str) -> Part:
    for prefix, part in _PREFIX_PART:
        if location.startswith(prefix):
            return part
    return Part.BODY


def _key_of(location: str, part: Part) -> str:
    """The attacker-chosen name inside a location: parameter, cookie or JSON key path."""
    if part is Part.QUERY:
        return location[14:]
    if part is Part.COOKIE:
        return location[15:]
    if part is Part.BODY and location.startswith("request.body."):
        return location[13:].replace("[]", "")
    return ""


def _form_pairs(text: str) -> list[tuple[str, str]]:
    pairs = parse_qsl(text, keep_blank_values=True, encoding="latin-1")
    return pairs[:_MAX_FORM_FIELDS]

"""``schema_violation`` and ``unknown_parameter``: requests judged against the learned positive model.

Signatures know what attacks look like; this family knows what *this* API's traffic looks like.
Per endpoint and parameter location the engine learns kinds (integer, number, boolean, string),
character classes and the length range (``profiles.behaviour.ParamStats``), and the endpoint
profile holds enumerations. Once a location has ``MIN_SAMPLES`` samples in the baseline the store
held when the run started, a value is a violation when it has the wrong kind (a string where only
numbers were seen), is far longer than anything seen, carries a syntax-bearing character class the
location never had (quotes, angle brackets, semicolons, parentheses, backticks, pipes, braces,
control characters), or is outside a well-established enumeration. A query or body parameter
name never seen once the endpoint has ``MIN_SAMPLES`` requests is an unknown parameter.

Only syntax-bearing classes count: a space or a dash appearing in a new place is ordinary drift,
a quote where there never was one is how injections start. The workflow is a learning run, then
detection runs with ``--no-learn`` (README, "Learned baselines").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, ClassVar

from tracehound.detectors._behaviour_base import MIN_SAMPLES, BehaviourDetector, Param, Seen, Verdict
from tracehound.model import Detection, DetectionType, SensitiveHit, SensitiveType, Severity
from tracehound.model.redaction import mask, mask_digit_runs, redact_text
from tracehound.profiles.behaviour import (
    CONTROL_BIT,
    KIND_BOOLEAN,
    KIND_INTEGER,
    KIND_NULL,
    KIND_NUMBER,
    KIND_STRING,
    MAX_PARAMS,
    PUNCTUATION,
    EndpointBehaviour,
    describe_classes,
)
from tracehound.profiles.endpoint import EndpointProfile
from tracehound.profiles.schema import SchemaNode

SUSPICIOUS = CONTROL_BIT
for _ch in "'\"<>;()`|{}\\$":
    SUSPICIOUS |= 1 << PUNCTUATION.index(_ch)
"""Character classes that carry syntax in SQL, shells, HTML, templates and paths."""
LENGTH_FACTOR = 2
LENGTH_SLACK = 16
"""A value longer than ``max(LENGTH_FACTOR × learned max, learned max + LENGTH_SLACK)`` is far outside."""
ENUM_EVIDENCE = 20
"""An enumeration judges only after this many samples per member (a rare member may be unseen)."""
MAX_ENUM_SIZE = 12
_KIND_NAMES = {
    KIND_STRING: "string",
    KIND_INTEGER: "integer",
    KIND_NUMBER: "number",
    KIND_BOOLEAN: "boolean",
    KIND_NULL: "null",
}
MAX_EVIDENCE_VALUE = 60
MAX_REDACTED = 8192
"""Characters of a value redacted for an excerpt (the excerpt shows far fewer)."""


def _kinds(mask: int) -> str:
    return "/".join(name for bit, name in _KIND_NAMES.items() if mask & bit)


_SECRET_NAME = re.compile(r"(?i)pass|pwd|secret|token|key|auth|sess|cookie|credential|signature|otp|pin$")
"""Parameter names whose values are secrets: evidence shows a hash tag, never the value."""


def _excerpt(value: Any, location: str = "", hits: Sequence[SensitiveHit] = ()) -> str:
    """A redacted excerpt of ``value``: masked when it is a secret or a classified sensitive value."""
    for hit in hits:
        if hit.location == location:
            return hit.masked
    if location.startswith(("request.cookie.", "request.header.")) or _SECRET_NAME.search(location.rsplit(".", 1)[-1]):
        return mask(SensitiveType.PASSWORD, value if isinstance(value, str) else repr(value))
    text = value if isinstance(value, str) else repr(value)
    # Redacted whole, then cut: a cut first could split a card or a token out of recognition.
    text = mask_digit_runs(redact_text(text[:MAX_REDACTED]))
    out = "".join(ch if ch.isprintable() else "?" for ch in text[: MAX_EVIDENCE_VALUE * 2])
    return out if len(out) <= MAX_EVIDENCE_VALUE else out[: MAX_EVIDENCE_VALUE - 1] + "…"


def _enum_node(profile: EndpointProfile, location: str) -> SchemaNode | None:
    if location.startswith("request.query."):
        return profile.query.get(location[14:])
    if location.startswith("request.body."):
        node: SchemaNode | None = profile.request_body
        for part in location[13:].split("."):
            if node is None:
                return None
            name = part.replace("[]", "")
            node = node.properties.get(name)
            for _ in range(part.count("[]")):
                node = node.items if node is not None else None
        return node
    return None


class BaselineDetector(BehaviourDetector):
    types: ClassVar[tuple[DetectionType, ...]] = (DetectionType.SCHEMA_VIOLATION, DetectionType.UNKNOWN_PARAMETER)
    severity: ClassVar[Severity] = Severity.MEDIUM

    def inspect(self, seen: Seen) -> Sequence[Detection]:
        learned = seen.learned
        if learned is None:
            return ()
        profile = seen.profile
        out: list[Detection] = []
        done: set[str] = set()
        for param in seen.params:
            if param.location in done:
                continue
            found = self._judge(param, learned, profile, seen.hits)
            if found is not None:
                done.add(param.location)
                out.append(found)
        return out

    def _judge(
        self, param: Param, learned: EndpointBehaviour, profile: EndpointProfile | None, hits: Sequence[SensitiveHit]
    ) -> Detection | None:
        stats = param.learned
        loc = param.location
        if stats is None:
            return self._unknown(param, learned, profile)
        if stats.count < MIN_SAMPLES:
            return None
        n = stats.count
        if (
            param.kind != KIND_NULL
            and not stats.kinds & KIND_STRING
            and not param.kind & stats.kinds
            and not (param.kind == KIND_INTEGER and stats.kinds & KIND_NUMBER)
        ):
            return self._violation(param, hits, f"{_kinds(param.kind)} where {n} samples were {_kinds(stats.kinds)}")
        if param.length is not None and stats.max_len is not None:
            limit = max(LENGTH_FACTOR * stats.max_len, stats.max_len + LENGTH_SLACK)
            if param.length > limit:
                return self._violation(param, hits, f"length {param.length}, learned {stats.min_len}-{stats.max_len}")
        new = param.chars & ~stats.chars & SUSPICIOUS
        if new:
            return self._violation(param, hits, f"characters never seen in {n} samples ({describe_classes(new)})")
        if profile is not None and isinstance(param.value, str) and param.kind == KIND_STRING:
            node = _enum_node(profile, loc)
            if (
                node is not None
                and node.enum
                and len(node.enum) <= MAX_ENUM_SIZE
                and node.count >= max(MIN_SAMPLES, ENUM_EVIDENCE * len(node.enum))
                and param.value not in node.enum
            ):
                return self._violation(param, hits, f"not one of the {len(node.enum)} learned values", Severity.LOW)
        return None

    def _unknown(self, param: Param, learned: EndpointBehaviour, profile: EndpointProfile | None) -> Detection | None:
        loc = param.location
        if profile is None or len(learned.params) >= MAX_PARAMS:
            return None
        if loc.startswith("request.query."):
            samples = profile.count
        elif loc.startswith("request.body."):
            samples = profile.request_body.count
        else:
            return None
        if samples < MIN_SAMPLES:
            return None
        return self.detection(
            loc,
            f"parameter never seen in {samples} requests: {_excerpt(loc.split('.', 2)[2])}",
            type=DetectionType.UNKNOWN_PARAMETER,
            severity=Severity.LOW,
        )

    def _violation(
        self, param: Param, hits: Sequence[SensitiveHit], reason: str, severity: Severity = Severity.MEDIUM
    ) -> Detection:
        evidence = f"{reason}: {_excerpt(param.value, param.location, hits)}"
        return self.detection(param.location, evidence, type=DetectionType.SCHEMA_VIOLATION, severity=severity)

    def evaluate(self, endpoint: tuple[str, str, str], state: EndpointBehaviour) -> Sequence[Verdict]:
        return ()

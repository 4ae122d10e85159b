"""NoSQL (MongoDB-style) operator injection, in keys as well as values.

Frameworks turn ``user[$ne]=x`` and ``{"user": {"$ne": ""}}`` into query operators, so the
operator usually arrives as a *key*; the engine scans key names, and this family looks for
operator names there and for operator objects or server-side JavaScript in values. A dollar
sign alone (prices, ``$HOME`` in prose) is not a finding.

Range operators (``createdAt[$lte]=2026-01-01``, ``where={"age": {"$gt": 30}}``) are how many
APIs spell a filter, so they count only on a credential or identity field (``login[$gt]=``,
``{"password": {"$gt": ""}}``), where they bypass a comparison instead of narrowing a listing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from tracehound.detectors.base import PARAMS, Part, RequestDetector, Signature
from tracehound.model import DetectionType, Severity

_OPS = (
    r"(?:ne|eq|gt|gte|lt|lte|in|nin|regex|where|exists|or|and|nor|not|expr|elemmatch|function|all|size|"
    r"type|mod|text|jsonschema|accumulator|where|options|comment|natural|lookup|merge|out|geonear)"
)


class NosqliDetector(RequestDetector):
    type = DetectionType.NOSQLI
    severity = Severity.HIGH

    def signatures(self) -> Sequence[Signature]:
        return (
            Signature("operator_key", rf"(?:^|[.\[]|\]\[)\s*\$\s*{_OPS}\s*(?:\]|$|\.)", parts=frozenset({Part.KEY})),
            Signature(
                "operator_in_text",
                rf"\$\s*(?:or|and|nor|not|elemmatch|in|nin|all)[\"']?\s*:\s*\[|[\"']\s*,\s*[\"']?\$\s*{_OPS}[\"']?\s*:",
            ),
            Signature("operator_bracket", rf"\[\s*\$\s*{_OPS}\s*\]"),
            Signature("operator_object", rf"\{{\s*[\"']?\$\s*{_OPS}[\"']?\s*:"),
            Signature(
                "where_js",
                r"\$where\b|\bthis\s*\.\s*\w+\s*\.\s*match\s*\(|\bthis\s*\.\s*(?:password|username|user|pass|email|role)\b\s*(?:==|!=|\.)",
            ),
            Signature(
                "js_tautology",
                r"['\"]\s*;\s*return\s+(?:true|1|this|db|sleep)\b|['\"]\s*(?:\|\||&&)\s*['\"]?\w*['\"]?\s*==|\bsleep\s*\(\s*\d{3,}\s*\)\s*;?|['\"]\s*;\s*while\s*\(\s*true\s*\)|\bdo\s*\{[^}]{0,120}\}\s*while\s*\(|\bdb\s*\.\s*(?:getcollectionnames|\w+\s*\.\s*(?:find|drop|remove|insert)\s*\()|\bmapreduce\s*\(",
                parts=PARAMS | {Part.RAW_BODY},
            ),
            Signature("operator_value", rf"^\s*\$\s*{_OPS}\s*$", level=2, parts=PARAMS),
        )

    def confirm(self, signature: Signature, matched: str, text: str, location: str) -> bool:
        if signature.name in ("operator_key", "operator_bracket", "operator_object") and _RANGE.search(matched):
            name = _operand_name(text[: text.find(matched)] if matched in text else text)
            return not name or _IDENTITY.search(name) is not None
        return True


_RANGE = re.compile(r"(?i)\$\s*(?:gt|gte|lt|lte)\b")
_IDENTITY = re.compile(
    r"(?i)user|login|name|mail|pass|pwd|token|secret|key|account|role|admin|auth|session|otp|pin|code"
)


_NAME = re.compile(r"(?<![$\w])[A-Za-z_][\w-]*")


def _operand_name(key: str) -> str:
    """The field an operator applies to: the last name before it (``createdAt`` in ``createdAt[$lte]``,
    ``a.createdAt.$lte`` or ``{"createdAt": {"$lte"``); empty when there is none."""
    names = _NAME.findall(key)
    return names[-1] if names else ""

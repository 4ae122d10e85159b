"""``excessive_data_exposure``: responses that carry secrets or unbounded collections.

An API that returns a password hash, a full card number, an SSN or a private key in a response
body is handing the client more than it needs (OWASP API3:2023); the sensitive-data classifiers
already found these values (the hits the runner passes along), so this family only decides which
types are excessive in a response. A response collection of more than ``MAX_ITEMS`` items to a
request without any paging parameter is unbounded. Both are attributed to the transaction.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, ClassVar

from tracehound.detectors._behaviour_base import BehaviourDetector, Seen, Verdict
from tracehound.model import BodyKind, Detection, DetectionType, SensitiveType, Severity
from tracehound.profiles.behaviour import EndpointBehaviour

EXCESSIVE = {
    SensitiveType.PASSWORD: Severity.HIGH,
    SensitiveType.PRIVATE_KEY: Severity.HIGH,
    SensitiveType.AWS_ACCESS_KEY: Severity.HIGH,
    SensitiveType.CREDIT_CARD: Severity.HIGH,
    SensitiveType.US_SSN: Severity.HIGH,
    SensitiveType.PASSPORT_NUMBER: Severity.MEDIUM,
}
"""Sensitive types that a response body should not carry, with the severity of carrying them."""
MIN_CONFIDENCE = 0.8
_ID_KEY = re.compile(r"(?:^|[._\-\[\]])(?i:ids?)(?:\[\])?$|[a-z]I[dD]s?(?:\[\])?$")
"""Fields named like identifiers: a 16-digit id that passes Luhn is not a card number."""
MAX_ITEMS = 1000
PAGING = frozenset({"limit", "page", "per_page", "perpage", "pagesize", "page_size", "size", "offset", "cursor", "top"})


def _largest_list(value: Any) -> tuple[str, int]:
    """The location and length of the longest array at the top or one level down."""
    if isinstance(value, list):
        return "response.body", len(value)
    best = ("", 0)
    if isinstance(value, dict):
        for key, child in value.items():
            if isinstance(child, list) and len(child) > best[1]:
                best = (f"response.body.{key}", len(child))
    return best


class ExcessiveDataExposureDetector(BehaviourDetector):
    types: ClassVar[tuple[DetectionType, ...]] = (DetectionType.EXCESSIVE_DATA_EXPOSURE,)
    severity: ClassVar[Severity] = Severity.MEDIUM

    def inspect(self, seen: Seen) -> Sequence[Detection]:
        out: list[Detection] = []
        done: set[str] = set()
        for hit in seen.hits:
            severity = EXCESSIVE.get(hit.type)
            if (
                severity is None
                or hit.confidence < MIN_CONFIDENCE
                or not hit.location.startswith("response.body")
                or hit.location in done
                or _ID_KEY.search(hit.location)
            ):
                continue
            done.add(hit.location)
            out.append(self.detection(hit.location, f"{hit.type} in the response: {hit.masked}", severity=severity))
        body = seen.ex.response_body
        if body.kind is BodyKind.JSON and 200 <= seen.ex.status < 300:
            location, items = _largest_list(body.value)
            if items > MAX_ITEMS and not any(name.lower() in PAGING for name, _ in seen.ex.query):
                out.append(self.detection(location, f"{items} items returned without any paging parameter"))
        return out

    def evaluate(self, endpoint: tuple[str, str, str], state: EndpointBehaviour) -> Sequence[Verdict]:
        return ()

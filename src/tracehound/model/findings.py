"""What the stages say about a transaction: detections and sensitive-data hits.

Evidence and samples held here are already redacted: nothing in these types may carry a full
sensitive value, because they are stored, logged and reported as they are.
"""

from __future__ import annotations

import msgspec

from tracehound.model.vocab import DetectionType, SensitiveType, Severity


class Detection(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """One detection on one transaction, at one location."""

    type: DetectionType
    location: str
    severity: Severity
    detector: str
    """The registry id of the detector that raised it."""
    evidence: str = ""
    """A short, redacted excerpt that shows why."""
    confidence: float = 1.0


class SensitiveHit(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """A value at a location that a classifier recognised as sensitive."""

    type: SensitiveType
    location: str
    confidence: float
    masked: str = ""
    """The value in masked form (``4111********1111``), never the value itself."""

"""Frozen value types and vocabularies shared by every stage; imports nothing else from tracehound."""

from __future__ import annotations

from tracehound.model.findings import Detection, SensitiveHit
from tracehound.model.transaction import Body, BodyKind, Exchange, Headers, Transaction
from tracehound.model.vocab import (
    OWASP_CATEGORY,
    POSTURE_TYPES,
    DetectionType,
    SensitiveType,
    Severity,
)

__all__ = [
    "OWASP_CATEGORY",
    "POSTURE_TYPES",
    "Body",
    "BodyKind",
    "Detection",
    "DetectionType",
    "Exchange",
    "Headers",
    "SensitiveHit",
    "SensitiveType",
    "Severity",
    "Transaction",
]

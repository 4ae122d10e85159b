"""Findings aggregated per (type, service, method, template, location), mergeable like profiles."""

from __future__ import annotations

import msgspec

from tracehound.model import Severity

MAX_CLIENTS = 20
"""Distinct clients kept per finding; the count goes on beyond it."""


class FindingStats(msgspec.Struct, kw_only=True, gc=False, omit_defaults=True):
    count: int = 0
    severity: str = Severity.INFO.value
    first_seen: float | None = None
    last_seen: float | None = None
    clients: list[str] = msgspec.field(default_factory=list)
    """Sorted, capped at MAX_CLIENTS (the smallest addresses kept, so merges agree)."""
    evidence: str = ""
    """Redacted; the lexicographically smallest seen, so any merge order keeps the same one."""

    def add(self, severity: str, when: float | None, client: str | None, evidence: str) -> None:
        self.count += 1
        if Severity(severity).rank > Severity(self.severity).rank:
            self.severity = severity
        self._times(when, when)
        if client is not None and client not in self.clients:
            self.clients = sorted([*self.clients, client])[:MAX_CLIENTS]
        if evidence and (not self.evidence or evidence < self.evidence):
            self.evidence = evidence

    def _times(self, first: float | None, last: float | None) -> None:
        if first is not None and (self.first_seen is None or first < self.first_seen):
            self.first_seen = first
        if last is not None and (self.last_seen is None or last > self.last_seen):
            self.last_seen = last

    def merge(self, other: FindingStats) -> None:
        self.count += other.count
        if Severity(other.severity).rank > Severity(self.severity).rank:
            self.severity = other.severity
        self._times(other.first_seen, other.last_seen)
        self.clients = sorted(set(self.clients) | set(other.clients))[:MAX_CLIENTS]
        if other.evidence and (not self.evidence or other.evidence < self.evidence):
            self.evidence = other.evidence


FINDING_ENCODER = msgspec.msgpack.Encoder()
FINDING_DECODER = msgspec.msgpack.Decoder(FindingStats)

"""Findings aggregated per (type, service, method, template, location), mergeable like profiles."""

from __future__ import annotations

import bisect
import hashlib

import msgspec

from tracehound.model import Severity

MAX_CLIENTS = 20
"""Distinct clients kept per finding; the count goes on beyond it."""

CLIENT_SKETCH = 64
"""Client hashes kept per finding: the distinct-client count is exact below this, estimated above."""

_HASH_SPACE = 1 << 63


def client_hash(client: str) -> int:
    """A 63-bit hash of a client, the same in every process (so stored sketches merge)."""
    digest = hashlib.blake2b(client.encode(errors="surrogateescape"), digest_size=8).digest()
    return int.from_bytes(digest) >> 1


class FindingStats(msgspec.Struct, kw_only=True, gc=False, omit_defaults=True):
    count: int = 0
    severity: str = Severity.INFO.value
    first_seen: float | None = None
    last_seen: float | None = None
    clients: list[str] = msgspec.field(default_factory=list)
    """Sorted, capped at MAX_CLIENTS (the smallest addresses kept, so merges agree)."""
    evidence: str = ""
    """Redacted; the lexicographically smallest seen, so any merge order keeps the same one."""
    client_hashes: list[int] = msgspec.field(default_factory=list)
    """The CLIENT_SKETCH smallest `client_hash` values of the distinct clients, sorted (a k-minimum-values
    sketch: any merge order keeps the same set, and the count beyond MAX_CLIENTS stays known)."""

    def client_count(self) -> int:
        """Distinct clients: exact up to CLIENT_SKETCH, a k-minimum-values estimate (about ±13%) beyond."""
        n = len(self.client_hashes)
        if n < CLIENT_SKETCH:
            return max(n, len(self.clients))
        estimate = round((CLIENT_SKETCH - 1) * _HASH_SPACE / (self.client_hashes[-1] + 1))
        return max(estimate, n)

    def _sketch(self, h: int) -> None:
        hashes = self.client_hashes
        if len(hashes) >= CLIENT_SKETCH and h >= hashes[-1]:
            return
        i = bisect.bisect_left(hashes, h)
        if i < len(hashes) and hashes[i] == h:
            return
        hashes.insert(i, h)
        if len(hashes) > CLIENT_SKETCH:
            hashes.pop()

    def add(self, severity: str, when: float | None, client: str | None, evidence: str) -> None:
        self.count += 1
        if Severity(severity).rank > Severity(self.severity).rank:
            self.severity = severity
        self._times(when, when)
        if client is not None:
            self._sketch(client_hash(client))
            if client not in self.clients:
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
        if other.client_hashes:
            self.client_hashes = sorted(set(self.client_hashes) | set(other.client_hashes))[:CLIENT_SKETCH]
        if other.evidence and (not self.evidence or other.evidence < self.evidence):
            self.evidence = other.evidence


FINDING_ENCODER = msgspec.msgpack.Encoder()
FINDING_DECODER = msgspec.msgpack.Decoder(FindingStats)

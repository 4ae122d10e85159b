"""``rate_abuse``: a client far above the endpoint's per-client baseline (OWASP API4:2023).

The baseline is the endpoint's own clients: the median request count, and where timestamps
exist the median rate over each client's active span (at least a minute). A client with at least
``MIN_REQUESTS`` requests and ``FACTOR`` times the median on both is abusing the endpoint —
relative to how this API is used, not to a fixed quota. Counts are exact sums, so the state
merges across workers and runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from tracehound.detectors._actors import median, rate
from tracehound.detectors._behaviour_base import BehaviourDetector, Seen, Verdict
from tracehound.model import Detection, DetectionType, Severity
from tracehound.profiles.behaviour import EndpointBehaviour

MIN_CLIENTS = 5
"""Clients an endpoint needs for a baseline."""
MIN_REQUESTS = 100
FACTOR = 10.0


class RateAbuseDetector(BehaviourDetector):
    types: ClassVar[tuple[DetectionType, ...]] = (DetectionType.RATE_ABUSE,)
    severity: ClassVar[Severity] = Severity.MEDIUM

    def inspect(self, seen: Seen) -> Sequence[Detection]:
        return ()

    def evaluate(self, endpoint: tuple[str, str, str], state: EndpointBehaviour) -> Sequence[Verdict]:
        actors = state.actors
        if len(actors) < MIN_CLIENTS:
            return ()
        counts = {key: a.count for key, a in actors.items()}
        rates = {key: rate(a) for key, a in actors.items()}
        out = []
        for key in sorted(actors):
            actor = actors[key]
            if actor.count < MIN_REQUESTS:
                continue
            base_count = median(n for k, n in counts.items() if k != key)
            if actor.count < FACTOR * max(base_count, 1.0):
                continue
            mine = rates[key]
            others = [r for k, r in rates.items() if k != key and r is not None]
            base_rate = median(others) if others else None
            if mine is not None and base_rate is not None and mine < FACTOR * base_rate:
                continue
            pace = f", {mine * 60:.0f}/min vs median {base_rate * 60:.1f}/min" if mine and base_rate else ""
            out.append(
                Verdict(
                    detection=self.detection(
                        "request.path", f"{actor.count} requests vs a median of {base_count:.0f} per client{pace}"
                    ),
                    actors=(key,),
                    subject=key,
                    count=actor.count,
                    first_seen=actor.first_seen,
                    last_seen=actor.last_seen,
                )
            )
        return out

"""Behavioural verdicts over merged state, turned into findings once.

Cross-request abuse (BOLA, enumeration, rate abuse, credential stuffing) is only visible over the
whole picture: the state the store held merged with this run's delta (or, in cluster mode, every
worker's deltas). This module asks every behaviour detector for its verdicts on every endpoint
and turns new ones into ``FindingStats`` keyed like every other finding.

"New" matters because the state accumulates across runs: a verdict's identity (type, endpoint,
location, subject) is hashed into the state's ``reported`` set, which is itself a mergeable
delta, so the abuser of last week's run is not reported again by every later run, and two
analyzers that both saw it agree. A detector that raises is contained and counted.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from tracehound.detectors._behaviour_base import BehaviourDetector
from tracehound.profiles.behaviour import BehaviourState, hash63, split_endpoint_id
from tracehound.profiles.findings import CLIENT_SKETCH, MAX_CLIENTS, FindingStats, client_hash
from tracehound.store.base import FindingKey


def behaviour_findings(
    state: BehaviourState,
    detectors: Sequence[BehaviourDetector],
    reported: BehaviourState | None = None,
    errors: Counter[str] | None = None,
) -> dict[FindingKey, FindingStats]:
    """Findings for every verdict over ``state`` not reported before.

    Each new verdict is marked reported in ``state`` and, when given, in ``reported`` (the delta
    that will be persisted, so the mark survives the run).
    """
    out: dict[FindingKey, FindingStats] = {}
    for ep_id in sorted(state.endpoints):
        endpoint = split_endpoint_id(ep_id)
        behaviour = state.endpoints[ep_id]
        for detector in detectors:
            try:
                verdicts = detector.evaluate(endpoint, behaviour)
            except Exception:
                if errors is not None:
                    errors[detector.registry_id()] += 1
                continue
            for verdict in verdicts:
                det = verdict.detection
                identity = hash63(f"{det.type.value}|{ep_id}|{det.location}|{verdict.subject}")
                if state.is_reported(identity):
                    continue
                state.mark_reported(identity)
                if reported is not None:
                    reported.mark_reported(identity)
                key = FindingKey(det.type.value, *endpoint, det.location)
                stats = FindingStats(
                    count=max(verdict.count, 1),
                    severity=det.severity.value,
                    first_seen=verdict.first_seen,
                    last_seen=verdict.last_seen,
                    clients=sorted(set(verdict.actors))[:MAX_CLIENTS],
                    client_hashes=sorted({client_hash(a) for a in verdict.actors})[:CLIENT_SKETCH],
                    evidence=det.evidence,
                )
                if key in out:
                    out[key].merge(stats)
                else:
                    out[key] = stats
    return out

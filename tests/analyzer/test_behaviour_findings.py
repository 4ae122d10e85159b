"""Behaviour verdicts become findings once, with their clients, and failures are contained."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from tracehound.analyzer.behaviour import behaviour_findings
from tracehound.detectors._behaviour_base import BehaviourDetector, Seen, Verdict
from tracehound.detectors.enumeration import EnumerationDetector
from tracehound.model import Detection, DetectionType, Severity
from tracehound.profiles.behaviour import (
    ActorStats,
    BehaviourState,
    EndpointBehaviour,
    endpoint_id,
    hash63,
    sketch_add,
)


def _state() -> BehaviourState:
    ep = EndpointBehaviour(id_location="request.path.#1")
    ids: list[int] = []
    for i in range(300):
        sketch_add(ids, hash63(str(i)))
    ep.actors["203.0.113.5"] = ActorStats(count=300, ids=ids, first_seen=1.0, last_seen=9.0)
    return BehaviourState(endpoints={endpoint_id("api.example.com", "GET", "/users/{int}"): ep})


def test_verdicts_become_findings_once():
    state = _state()
    delta = BehaviourState()
    found = behaviour_findings(state, [EnumerationDetector()], reported=delta)
    ((key, stats),) = found.items()
    assert key == ("enumeration", "api.example.com", "GET", "/users/{int}", "request.path.#1")
    assert stats.clients == ["203.0.113.5"] and stats.count == 300 and stats.severity == "medium"
    assert len(delta.reported) == 1
    assert behaviour_findings(state, [EnumerationDetector()]) == {}
    again = _state()
    again.merge(delta)
    assert behaviour_findings(again, [EnumerationDetector()]) == {}


class _Broken(BehaviourDetector):
    types = (DetectionType.BOLA,)
    severity = Severity.LOW

    def inspect(self, seen: Seen) -> Sequence[Detection]:
        return ()

    def evaluate(self, endpoint: tuple[str, str, str], state: EndpointBehaviour) -> Sequence[Verdict]:
        raise ValueError("boom")


def test_a_failing_family_is_counted():
    errors: Counter[str] = Counter()
    found = behaviour_findings(_state(), [_Broken(), EnumerationDetector()], errors=errors)
    assert len(found) == 1
    assert errors == {"test_behaviour_findings": 1}

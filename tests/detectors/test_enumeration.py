"""Enumeration: distinct ids far above other clients, or mostly 404s."""

from __future__ import annotations

from tracehound.detectors.enumeration import ALONE_IDS, EnumerationDetector
from tracehound.profiles.behaviour import ActorStats, EndpointBehaviour, hash63, sketch_add

EP = ("api", "GET", "/users/{int}")


def _ids(n: int, prefix: str) -> list[int]:
    sketch: list[int] = []
    for i in range(n):
        sketch_add(sketch, hash63(f"{prefix}{i}"))
    return sketch


def test_many_distinct_ids_against_peers():
    state = EndpointBehaviour()
    for i in range(5):
        state.actors[f"10.0.0.{i}"] = ActorStats(count=5, ids=_ids(5, f"p{i}"))
    state.actors["203.0.113.1"] = ActorStats(count=300, ids=_ids(300, "x"))
    assert [v.subject for v in EnumerationDetector().evaluate(EP, state)] == ["203.0.113.1"]


def test_alone_needs_more_ids():
    state = EndpointBehaviour()
    state.actors["203.0.113.1"] = ActorStats(count=100, ids=_ids(100, "x"))
    assert EnumerationDetector().evaluate(EP, state) == []
    state.actors["203.0.113.1"] = ActorStats(count=ALONE_IDS * 2, ids=_ids(ALONE_IDS * 2, "x"))
    assert len(EnumerationDetector().evaluate(EP, state)) == 1


def test_mostly_not_found():
    state = EndpointBehaviour()
    state.actors["203.0.113.1"] = ActorStats(count=30, not_found=25, ids=_ids(30, "x"))
    state.actors["10.0.0.1"] = ActorStats(count=30, not_found=25, ids=_ids(1, "x"))
    assert [v.subject for v in EnumerationDetector().evaluate(EP, state)] == ["203.0.113.1"]

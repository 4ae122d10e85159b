"""BOLA over merged state: ownership of objects, and sequential walks."""

from __future__ import annotations

from tracehound.detectors.bola import MIN_PRINCIPALS, BolaDetector
from tracehound.profiles.behaviour import ActorStats, EndpointBehaviour, Touch

EP = ("api", "GET", "/orders/{int}")


def _state(owned: int, intruder_foreign: int, principals: int = 5) -> EndpointBehaviour:
    state = EndpointBehaviour(id_location="request.path.#1")
    for p in range(principals):
        for i in range(owned):
            state.objects[f"{p}-{i}"] = {f"p{p}": Touch(count=3, first_seen=float(i))}
    for i in range(intruder_foreign):
        state.objects[f"{i % principals}-{i}"]["intruder"] = Touch(count=1, first_seen=100.0)
    return state


def test_principal_touching_others_objects_is_flagged():
    verdicts = BolaDetector().evaluate(EP, _state(owned=6, intruder_foreign=5))
    assert [v.subject for v in verdicts] == ["intruder"]
    assert (verdicts[0].first_seen, verdicts[0].last_seen) == (100.0, 100.0)
    assert verdicts[0].detection.location == "request.path.#1"


def test_too_few_foreign_objects_or_principals():
    assert BolaDetector().evaluate(EP, _state(owned=6, intruder_foreign=2)) == []
    assert BolaDetector().evaluate(EP, _state(owned=6, intruder_foreign=5, principals=MIN_PRINCIPALS - 2)) == []


def test_first_toucher_owns_on_ties():
    state = _state(owned=4, intruder_foreign=0)
    state.objects["shared"] = {"late": Touch(count=1, first_seen=9.0), "p0": Touch(count=1, first_seen=1.0)}
    assert BolaDetector().evaluate(EP, state) == []


def test_walk_far_above_other_clients_is_flagged():
    state = EndpointBehaviour()
    for i in range(6):
        state.actors[f"10.0.0.{i}"] = ActorStats(count=5, walk=2)
    state.actors["203.0.113.9"] = ActorStats(count=40, walk=40)
    verdicts = BolaDetector().evaluate(EP, state)
    assert [v.actors for v in verdicts] == [("203.0.113.9",)]
    state.actors["203.0.113.9"].walk = 9
    assert BolaDetector().evaluate(EP, state) == []


def test_ids_touched_once_prove_no_ownership():
    state = EndpointBehaviour()
    for p in range(5):
        for i in range(6):
            state.objects[f"{p}-{i}"] = {f"p{p}": Touch(count=1, first_seen=float(i))}
    for i in range(5):
        state.objects[f"{i}-0"]["random"] = Touch(count=1, first_seen=100.0)
    assert BolaDetector().evaluate(EP, state) == []

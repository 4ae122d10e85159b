"""Rate abuse against the endpoint's own per-client baseline."""

from __future__ import annotations

from tracehound.detectors.rate_abuse import MIN_CLIENTS, RateAbuseDetector
from tracehound.profiles.behaviour import ActorStats, EndpointBehaviour

EP = ("api", "GET", "/search")


def _state(clients: int, heavy: ActorStats) -> EndpointBehaviour:
    state = EndpointBehaviour()
    for i in range(clients):
        state.actors[f"10.0.0.{i}"] = ActorStats(count=10, first_seen=0.0, last_seen=3600.0)
    state.actors["203.0.113.1"] = heavy
    return state


def test_client_far_above_median_count_and_rate():
    heavy = ActorStats(count=500, first_seen=0.0, last_seen=60.0)
    assert [v.subject for v in RateAbuseDetector().evaluate(EP, _state(8, heavy))] == ["203.0.113.1"]


def test_needs_a_baseline_of_clients():
    heavy = ActorStats(count=500, first_seen=0.0, last_seen=60.0)
    assert not RateAbuseDetector().evaluate(EP, _state(MIN_CLIENTS - 2, heavy))


def test_heavy_but_slow_client_is_not_abuse():
    heavy = ActorStats(count=500, first_seen=0.0, last_seen=360000.0)
    assert RateAbuseDetector().evaluate(EP, _state(8, heavy)) == []


def test_without_timestamps_counts_decide():
    state = EndpointBehaviour()
    for i in range(8):
        state.actors[f"10.0.0.{i}"] = ActorStats(count=10)
    state.actors["203.0.113.1"] = ActorStats(count=200)
    assert len(RateAbuseDetector().evaluate(EP, state)) == 1

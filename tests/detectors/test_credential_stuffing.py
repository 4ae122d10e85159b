"""Credential stuffing over merged state: one client, or distributed."""

from __future__ import annotations

from tracehound.detectors.credential_stuffing import CredentialStuffingDetector
from tracehound.profiles.behaviour import ActorStats, EndpointBehaviour, hash63

EP = ("api", "POST", "/login")


def _users(n: int, prefix: str = "u") -> list[int]:
    return sorted(hash63(f"{prefix}{i}") for i in range(n))[:64]


def test_many_usernames_from_one_client():
    state = EndpointBehaviour(login=30)
    state.actors["10.0.0.1"] = ActorStats(count=2, users=_users(1))
    state.actors["10.0.0.9"] = ActorStats(count=25, users=_users(25), failures=25)
    assert [v.subject for v in CredentialStuffingDetector().evaluate(EP, state)] == ["10.0.0.9"]


def test_many_failures_from_one_client():
    state = EndpointBehaviour(login=30)
    state.actors["10.0.0.9"] = ActorStats(count=30, users=_users(1), failures=28)
    assert len(CredentialStuffingDetector().evaluate(EP, state)) == 1


def test_not_a_login_endpoint():
    state = EndpointBehaviour()
    state.actors["10.0.0.9"] = ActorStats(count=30, failures=28)
    assert not CredentialStuffingDetector().evaluate(EP, state)


def test_distributed_needs_many_usernames_and_mostly_failures():
    state = EndpointBehaviour(login=100, failures=90, users=_users(100))
    for i in range(50):
        state.actors[f"198.51.100.{i}"] = ActorStats(count=2, failures=2, users=_users(2, f"c{i}-"))
    verdicts = CredentialStuffingDetector().evaluate(EP, state)
    assert [v.subject for v in verdicts] == ["distributed"]
    state.failures = 10
    assert not CredentialStuffingDetector().evaluate(EP, state)


def test_the_crossing_request_is_a_detection():
    from behaviour_traffic import Traffic, observe

    from tracehound.detectors.credential_stuffing import MIN_USERS
    from tracehound.pipeline.behaviour import BehaviourEngine

    engine = BehaviourEngine()
    t = Traffic()
    found = []
    for i in range(MIN_USERS + 5):
        tx = t.add("POST", "/login", body={"username": f"u{i}", "password": "x"}, status=401, client="10.9.9.9")
        found += [(tx.seq, d.type.value) for d in observe(engine, tx)]
    assert found == [(MIN_USERS - 1, "credential_stuffing")]

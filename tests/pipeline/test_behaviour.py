"""The behaviour engine: registry, fold, containment, caps, and no raw ids in state."""

from __future__ import annotations

from collections.abc import Sequence

from detectors.behaviour_traffic import Traffic, observe, user_token
from tracehound.detectors._behaviour_base import BehaviourDetector, Seen, Verdict
from tracehound.model import Detection, DetectionType, Severity
from tracehound.pipeline.behaviour import BehaviourEngine, registered_behaviour_detectors
from tracehound.profiles.behaviour import MAX_ACTORS, EndpointBehaviour, encode_state

FAMILIES = {
    "baseline",
    "bola",
    "broken_authentication",
    "credential_stuffing",
    "enumeration",
    "excessive_data_exposure",
    "jwt_weakness",
    "mass_assignment",
    "rate_abuse",
    "security_misconfiguration",
}


def test_registry_finds_every_family_and_only_them():
    registry = registered_behaviour_detectors()
    assert set(registry) == FAMILIES
    for det_id, cls in registry.items():
        assert cls.registry_id() == det_id
        assert all(isinstance(t, DetectionType) for t in cls.types)
        assert isinstance(cls.severity, Severity)


def test_disabled_families_do_not_run():
    engine = BehaviourEngine(disabled=("security_misconfiguration",))
    assert "security_misconfiguration" not in engine.detector_ids
    assert observe(engine, Traffic().add("GET", "/x", scheme="https", response={})) == []


class _Broken(BehaviourDetector):
    types = (DetectionType.BOLA,)
    severity = Severity.LOW

    def inspect(self, seen: Seen) -> Sequence[Detection]:
        raise RuntimeError("boom")

    def evaluate(self, endpoint: tuple[str, str, str], state: EndpointBehaviour) -> Sequence[Verdict]:
        return ()


def test_a_failing_family_is_contained_and_counted():
    engine = BehaviourEngine()
    engine.detector_ids = ("broken",)
    engine.detectors = (_Broken(),)
    assert observe(engine, Traffic().add("GET", "/x")) == []
    assert engine.errors == {"broken": 1}


def test_fold_counts_auth_actors_params_and_objects():
    engine = BehaviourEngine()
    t = Traffic()
    observe(engine, t.add("GET", "/api/orders/123456", query="q=a;b", token=user_token("a"), client="10.0.0.1"))
    observe(engine, t.add("GET", "/api/orders/123457", client="10.0.0.2", status=404))
    state = engine.flush()
    (ep,) = state.endpoints.values()
    assert (ep.authenticated, ep.anonymous) == (1, 1)
    assert ep.actors["10.0.0.2"].not_found == 1
    assert ep.params["request.query.q"].count == 1 and ep.params["request.query.q"].chars
    assert ep.id_location == "request.path.#2"
    assert len(ep.objects) == 1 and ep.actors["10.0.0.1"].walk == 1
    assert engine.flush().endpoints == {}


def test_state_holds_no_raw_ids_usernames_or_tokens():
    engine = BehaviourEngine()
    t = Traffic()
    token = user_token("alice")
    observe(engine, t.add("GET", "/api/users/98765432", token=token, client="10.0.0.1"))
    observe(engine, t.add("POST", "/api/login", body={"username": "alice@example.com", "password": "pw"}))
    blob = encode_state(engine.flush())
    for secret in (b"98765432", b"alice", token.encode(), b"pw\xa2"):
        assert secret not in blob


def test_actors_per_endpoint_are_capped():
    engine = BehaviourEngine(disabled=tuple(registered_behaviour_detectors()))
    t = Traffic()
    for i in range(MAX_ACTORS + 50):
        observe(engine, t.add("GET", "/api/x", client=f"10.{i // 250}.{i % 250}.1"))
    (ep,) = engine.flush().endpoints.values()
    assert len(ep.actors) == MAX_ACTORS


def test_every_family_is_documented_in_the_readme():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert [det_id for det_id in sorted(FAMILIES) if f"`{det_id}`" not in readme] == []

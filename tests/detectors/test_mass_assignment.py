"""Mass assignment: privileged fields the learned request schema lacks, accepted with 2xx."""

from __future__ import annotations

from behaviour_traffic import Traffic, observe

from tracehound.analysis import new_pipeline, run_transactions
from tracehound.config import Settings
from tracehound.detectors.mass_assignment import _has_path
from tracehound.pipeline.behaviour import BehaviourEngine
from tracehound.profiles.schema import SchemaNode


def _engine(bodies: list[dict[str, object]]) -> BehaviourEngine:
    t = Traffic()
    for body in bodies:
        t.add("PATCH", "/api/account", body=body)
    pipeline, _ = new_pipeline(Settings())
    result = run_transactions(t.items, pipeline)
    engine = BehaviourEngine()
    assert result.deltas.behaviour is not None
    engine.prime(result.deltas.endpoints, result.deltas.behaviour)
    return engine


def _flagged(engine: BehaviourEngine, body: object, status: int = 200) -> set[str]:
    tx = Traffic().add("PATCH", "/api/account", body=body, status=status)
    return {d.location for d in observe(engine, tx) if d.type.value == "mass_assignment"}


def test_privileged_fields_new_to_the_schema():
    engine = _engine([{"name": f"n{i}", "profile": {"bio": "x"}} for i in range(30)])
    assert _flagged(engine, {"name": "n", "isAdmin": True}) == {"request.body.isAdmin"}
    assert _flagged(engine, {"name": "n", "profile": {"role": "admin"}}) == {"request.body.profile.role"}
    assert _flagged(engine, "name=n&balance=1000000") == {"request.body.balance"}
    assert _flagged(engine, {"name": "n", "nickname": "x"}) == set()
    assert _flagged(engine, {"name": "n", "role": "admin"}, status=400) == set()


def test_fields_the_schema_already_has_are_fine():
    engine = _engine([{"name": f"n{i}", "role": "member"} for i in range(30)])
    assert _flagged(engine, {"name": "n", "role": "admin"}) == set()


def test_no_judgement_without_enough_learned_bodies():
    engine = _engine([{"name": f"n{i}"} for i in range(5)])
    assert _flagged(engine, {"name": "n", "role": "admin"}) == set()


def test_has_path_follows_objects_and_arrays():
    node = SchemaNode()
    node.observe({"a": {"b": [{"c": 1}]}})
    assert _has_path(node, "a.b[].c")
    assert not _has_path(node, "a.b[].d")
    assert not _has_path(node, "x")


def test_evidence_is_redacted_before_it_is_cut():
    # A secret that straddles the 60-character cut: cut first, its first part no longer looked
    # like one to the redactor and showed (found in review).
    engine = _engine([{"name": f"n{i}"} for i in range(30)])
    card = "4532015112830366"
    tx = Traffic().add("PATCH", "/api/account", body={"name": "n", "role": "x" * 44 + card})
    (found,) = [d for d in observe(engine, tx) if d.type.value == "mass_assignment"]
    assert card[:8] not in found.evidence and card[:6] not in found.evidence.replace("*", "")
    assert len(found.evidence.split(":")[0]) <= 60

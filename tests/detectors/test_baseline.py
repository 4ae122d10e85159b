"""The positive model: kinds, lengths, character classes and enums learned, then judged."""

from __future__ import annotations

import re

import pytest
from behaviour_traffic import Traffic, observe

from tracehound.analysis import new_pipeline, run_transactions
from tracehound.config import Settings
from tracehound.detectors._behaviour_base import MIN_SAMPLES
from tracehound.pipeline.behaviour import BehaviourEngine


def _engine(learning: Traffic) -> BehaviourEngine:
    """An engine primed with what a learning run over ``learning`` taught."""
    pipeline, _ = new_pipeline(Settings())
    result = run_transactions(learning.items, pipeline)
    engine = BehaviourEngine()
    assert result.deltas.behaviour is not None
    engine.prime(result.deltas.endpoints, result.deltas.behaviour)
    return engine


def _learning(n: int = 60) -> Traffic:
    t = Traffic()
    for i in range(n):
        t.add(
            "POST",
            "/api/orders",
            query=f"page={i % 5 + 1}&mode={'fast' if i % 2 else 'slow'}",
            body={"qty": i % 9 + 1, "note": f"note number {i}", "sku": f"SKU-{1000 + i}"},
        )
    return t


def _types(engine: BehaviourEngine, **kwargs: object) -> dict[str, str]:
    t = Traffic()
    defaults: dict[str, object] = {"query": "page=2&mode=fast", "body": {"qty": 2, "note": "fine", "sku": "SKU-1"}}
    defaults.update(kwargs)
    tx = t.add("POST", "/api/orders", **defaults)  # type: ignore[arg-type]
    return {d.location: d.type.value for d in observe(engine, tx)}


def test_normal_values_pass():
    assert _types(_engine(_learning())) == {}


@pytest.mark.parametrize(
    ("change", "location"),
    [
        ({"query": "page=two&mode=fast"}, "request.query.page"),
        ({"body": {"qty": "1; DROP TABLE x", "note": "a", "sku": "SKU-1"}}, "request.body.qty"),
        ({"body": {"qty": 1, "note": "x" * 200, "sku": "SKU-1"}}, "request.body.note"),
        ({"body": {"qty": 1, "note": "<script>", "sku": "SKU-1"}}, "request.body.note"),
        ({"body": {"qty": 1, "note": "a", "sku": "SKU-1'--"}}, "request.body.sku"),
        ({"query": "page=1&mode=turbo"}, "request.query.mode"),
    ],
)
def test_violations(change, location):
    assert _types(_engine(_learning()), **change) == {location: "schema_violation"}


def test_unknown_query_and_body_parameters():
    found = _types(
        _engine(_learning()), query="page=1&mode=fast&admin=1", body={"qty": 1, "note": "a", "sku": "S", "x": 1}
    )
    assert found == {"request.query.admin": "unknown_parameter", "request.body.x": "unknown_parameter"}


def test_nothing_is_judged_before_enough_samples():
    engine = _engine(_learning(MIN_SAMPLES - 1))
    assert _types(engine, query="page=x'&mode=turbo&new=1") == {}


def test_nothing_is_judged_without_a_baseline():
    assert _types(BehaviourEngine(), query="page=x'") == {}


def test_evidence_never_shows_secret_values():
    t = Traffic()
    for i in range(60):
        t.add("POST", "/api/login", body={"user": f"user{i}", "password": f"pw{i}abc"})
    engine = _engine(t)
    tx = Traffic().add("POST", "/api/login", body={"user": "x", "password": "Hunter2;'<>"})
    (found,) = observe(engine, tx)
    assert found.location == "request.body.password"
    assert "Hunter2" not in found.evidence and "<password:" in found.evidence


@pytest.mark.parametrize("value", ["order 14532015112830366", "ref:4532015112830366:x", "a" * 50 + "4532015112830366"])
def test_schema_violation_excerpts_never_show_a_long_digit_run(value: str) -> None:
    """A number glued to others fails Luhn, so text redaction leaves it: the excerpt masks it."""
    from tracehound.detectors.baseline import _excerpt

    out = _excerpt(value, "request.body.note")
    assert "45320151128" not in out.replace("-", "").replace(" ", "")
    assert not re.search(r"\d{12}", out)

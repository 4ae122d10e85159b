"""Every registered behaviour detector on hostile and random traffic: never raises, stays bounded.

Random exchanges (paths, queries, headers, cookies, JSON and text bodies, statuses, tokens) go
through a primed engine — every family's ``inspect`` — and the resulting state through every
family's ``evaluate``. A family that raised would be counted in ``errors``; the test demands none.
"""

from __future__ import annotations

import time

from behaviour_traffic import Traffic, jwt, observe
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracehound.analyzer.behaviour import behaviour_findings
from tracehound.model import SensitiveHit, SensitiveType
from tracehound.pipeline.behaviour import BehaviourEngine
from tracehound.profiles.behaviour import copy_state

text = st.text(max_size=200)
json_value = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | text,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(text, inner, max_size=5),
    max_leaves=30,
)
header_name = st.sampled_from(
    ["authorization", "x-api-key", "cookie", "access-control-allow-origin", "server", "x-thing", "content-type"]
)
token = st.one_of(text, st.builds(lambda c: jwt(c), st.dictionaries(text, json_value, max_size=4)))


@st.composite
def exchanges(draw: st.DrawFn) -> dict[str, object]:
    segments = draw(st.lists(st.one_of(text, st.integers(0, 10**12).map(str)), max_size=5))
    return {
        "method": draw(st.sampled_from(["GET", "POST", "PUT", "OPTIONS", "DELETE"])),
        "path": "/" + "/".join(s.replace("/", "%2F").replace("?", "%3F").replace("#", "%23") for s in segments),
        "query": draw(st.text(max_size=100)),
        "headers": [(draw(header_name), draw(token).replace("\n", " ").replace("\r", " "))],
        "body": draw(st.one_of(st.none(), json_value.map(lambda v: {"v": v}), text)),
        "status": draw(st.sampled_from([200, 201, 401, 403, 404, 500])),
        "response": draw(st.one_of(st.none(), json_value.map(lambda v: {"r": v}), text)),
        "response_headers": [(draw(header_name), draw(text).replace("\n", " ").replace("\r", " "))],
        "client": draw(st.one_of(st.none(), st.sampled_from(["10.0.0.1", "10.0.0.2", "::1"]))),
        "scheme": draw(st.sampled_from(["http", "https"])),
    }


PRIMED = BehaviourEngine()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(exchanges(), min_size=1, max_size=8))
def test_never_raises_on_arbitrary_traffic(batch):
    engine = BehaviourEngine()
    engine.prime({}, copy_state(PRIMED.delta))
    t = Traffic()
    hits = [SensitiveHit(type=SensitiveType.PASSWORD, location="response.body.r", confidence=0.9, masked="<p>")]
    for spec in batch:
        tx = t.add(**spec)  # type: ignore[arg-type]
        started = time.perf_counter()
        for d in observe(engine, tx, hits):
            assert len(d.evidence) <= 300
        observe(PRIMED, tx)
        assert time.perf_counter() - started < 2.0
    state = engine.flush()
    behaviour_findings(state, engine.detectors, errors=engine.errors)
    assert not engine.errors
    assert not PRIMED.errors

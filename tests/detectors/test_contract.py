"""Every registered request detector, through the engine, on hostile and random input."""

from __future__ import annotations

import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracehound.detectors.base import RequestDetector, Signature
from tracehound.detectors.engine import SignatureEngine, registered_detectors
from tracehound.model import Body, BodyKind, DetectionType, Exchange, Severity
from tracehound.model.fields import request_fields

ENGINE = SignatureEngine(sensitivity=4)
LOCATIONS = ["request.path.#0", "request.query.q", "request.header.user-agent", "request.cookie.sid", "request.body"]


def _exchange(value: str, kind: BodyKind = BodyKind.TEXT) -> Exchange:
    return Exchange(
        seq=0,
        service="s",
        method="POST",
        segments=(value,),
        raw_path="/",
        query=((value[:50], value),),
        headers={"user-agent": value},
        cookies=(("sid", value),),
        request_body=Body(kind=kind, value=value),
        status=200,
        response_headers={},
        response_body=Body(),
        started=None,
        duration_ms=None,
        client=None,
        request_id=None,
    )


def test_every_module_registers_one_request_detector():
    registry = registered_detectors()
    assert set(registry) >= {
        t.value
        for t in DetectionType
        if t.value
        in {
            "sqli",
            "nosqli",
            "xss",
            "path_traversal",
            "file_inclusion",
            "command_injection",
            "ssrf",
            "xxe",
            "ssti",
            "log4shell",
            "ldap_injection",
            "crlf_injection",
        }
    }
    for det_id, cls in registry.items():
        assert cls.type.value == det_id
        assert isinstance(cls.severity, Severity)
        assert all(1 <= s.level <= 4 for s in cls().signatures())


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=2000), st.sampled_from([BodyKind.TEXT, BodyKind.XML]))
def test_never_raises_on_arbitrary_text(value, kind):
    ex = _exchange(value, kind)
    for d in ENGINE.inspect(ex, list(request_fields(ex))):
        assert len(d.evidence) <= 120
    assert not ENGINE.errors


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["%25", "%", "&#x", "&amp;", "\\u00", "\\x", "/*", "*/", "${", "${${", "}", "'", "<", "=", "&"]
        ),
        max_size=400,
    )
)
def test_never_raises_on_deep_encodings(parts):
    ex = _exchange("".join(parts))
    ENGINE.inspect(ex, list(request_fields(ex)))
    assert not ENGINE.errors


def _time(value: str) -> float:
    ex = _exchange(value)
    fields = list(request_fields(ex))
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        ENGINE.inspect(ex, fields)
        best = min(best, time.perf_counter() - t0)
    return best


def test_time_grows_about_linearly_with_input_size():
    for unit in ("a'<%2e./${{", "%25" * 3 + "x", "A" * 7 + "=", "select union ", "\r\n"):
        small = (unit * (10_000 // len(unit)))[:10_000]
        big = (unit * (100_000 // len(unit)))[:100_000]
        # Linear would be 10x; allow generous headroom for noise, but catch quadratic (100x).
        assert _time(big) < 40 * _time(small) + 0.05


class _Broken(RequestDetector):
    type = DetectionType.SQLI
    severity = Severity.HIGH

    def signatures(self) -> list[Signature]:
        return [Signature("any", "x")]

    def confirm(self, signature: Signature, matched: str, text: str, location: str) -> bool:
        raise RuntimeError("boom")


def test_engine_contains_and_counts_detector_errors(monkeypatch):
    monkeypatch.setattr(
        "tracehound.detectors.engine.registered_detectors",
        lambda: {"sqli": _Broken, **{k: v for k, v in registered_detectors().items() if k != "sqli"}},
    )
    engine = SignatureEngine()
    fields = [("request.query.q", "xss <script>alert(1)</script>")]
    dets = engine.inspect(_exchange("x"), fields)
    assert engine.errors["sqli"] == 1
    assert {d.type for d in dets} == {DetectionType.XSS}


def test_enabled_limits_families_and_rejects_unknown_ids():
    engine = SignatureEngine(enabled=["xss"])
    fields = [("request.query.q", "' or 1=1 -- <script>")]
    assert {d.type for d in engine.inspect(_exchange("x"), fields)} == {DetectionType.XSS}
    try:
        SignatureEngine(enabled=["nope"])
    except ValueError as e:
        assert "nope" in str(e)
    else:
        raise AssertionError("unknown detector id accepted")


def test_detections_carry_location_and_redacted_short_evidence():
    fields = [("request.path.#2", "../../etc/passwd"), ("request.query.q", "1' OR '1'='1" + "x" * 500)]
    dets = ENGINE.inspect(_exchange("x"), fields)
    by_loc = {d.location: d for d in dets}
    assert by_loc["request.path.#2"].type is DetectionType.PATH_TRAVERSAL
    assert all(len(d.evidence) <= 120 for d in dets)
    assert all(d.detector for d in dets)


def test_scans_keys_and_form_like_text_bodies():
    ex = _exchange("x")
    fields = [("request.query.user[$ne]", "1"), ("request.body", "a=1&b=%3Cscript%3Ealert(1)%3C/script%3E")]
    locs = {(d.type, d.location) for d in ENGINE.inspect(ex, fields)}
    assert (DetectionType.NOSQLI, "request.query.user[$ne]") in locs
    assert (DetectionType.XSS, "request.body.b") in locs

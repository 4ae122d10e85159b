"""Fuzzing the per-transaction path: ``normalize`` and the whole ``Pipeline.process``.

Transactions are built with hostile fields: bodies of arbitrary bytes or of JSON of any shape
(deep ones too: normalize caps nesting itself), compressed with gzip, deflate and brotli, stacked,
cut or mislabelled, under content types and charsets that lie; header names in any case, repeated;
paths and queries with bad escapes and odd Unicode; tight and loose limits.

The properties: ``normalize`` never raises and its last-resort guard (``error="internal error"``)
is never reached; caps hold (a JSON value is never deeper than ``max_json_depth``, a text body is
never longer than ``max_body_bytes``); ``Pipeline.process`` never raises, and no classifier,
signature or behavioural detector fails (their contained failures are counted in ``errors``, which
must stay empty: a contained failure is still a bug that loses findings).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import msgspec
from hypothesis import given
from hypothesis import strategies as st

from fuzz._harness import fanout, fuzz, fuzz_input
from fuzz.strategies import HEADER_NAMES, bodies, byte_variants, header_values, nested_bytes, texts, urls
from tracehound.config import Settings
from tracehound.model import Transaction
from tracehound.model.transaction import Body, BodyKind
from tracehound.pipeline.normalize import DEFAULT_LIMITS, Limits, _deeper_than, normalize
from tracehound.pipeline.runner import Pipeline
from tracehound.pipeline.stages import build_pipeline

limits_strategy = st.one_of(
    st.just(DEFAULT_LIMITS),
    st.builds(
        Limits,
        max_body_bytes=st.sampled_from([1, 7, 64, 1 << 20]),
        max_decompressed_bytes=st.sampled_from([1, 50, 4096, 8 << 20]),
        max_json_depth=st.sampled_from([0, 1, 3, 64]),
        max_form_fields=st.sampled_from([0, 1, 3, 1000]),
        max_header_bytes=st.sampled_from([0, 4, 64 << 10]),
        max_encoding_layers=st.sampled_from([0, 1, 3]),
    ),
)


@st.composite
def header_list(draw: st.DrawFn, ctype: str | None, encoding: str | None) -> tuple[tuple[str, str], ...]:
    names = st.one_of(st.sampled_from(HEADER_NAMES), st.sampled_from([n.upper() for n in HEADER_NAMES]), texts)
    pairs = draw(st.lists(st.tuples(names, header_values()), max_size=6))
    if ctype is not None:
        pairs.append((draw(st.sampled_from(["content-type", "Content-Type"])), ctype))
    if encoding is not None:
        pairs.append(("content-encoding", encoding))
    if draw(st.booleans()):
        draw(st.randoms(use_true_random=False)).shuffle(pairs)
    return tuple(pairs)


@st.composite
def deep_json_body(draw: st.DrawFn) -> tuple[bytes, str | None, str | None]:
    depth = draw(st.sampled_from([2, 63, 64, 65, 200, 999, 1000, 5000]))
    data = nested_bytes(depth, draw(st.sampled_from([b"0", b'"x"', b"null", b"[]"])))
    return data, draw(st.sampled_from([None, "application/json", "text/plain"])), None


def no_surrogates(text: str) -> str:
    """``text`` with lone surrogates replaced: sources never produce them (msgspec refuses a lone
    ``\\ud800`` escape, invalid UTF-8 is repaired to U+FFFD), and re2 cannot scan them (reported
    to the lead: a Transaction built by hand with one crashes normalize and the signature engine)."""
    return text.encode("utf-8", "replace").decode("utf-8")


def clean_headers(pairs: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    return tuple((no_surrogates(n), no_surrogates(v)) for n, v in pairs)


@st.composite
def transactions(draw: st.DrawFn) -> Transaction:
    req_body, req_type, req_enc = draw(st.one_of(bodies(), bodies(), deep_json_body()))
    resp_body, resp_type, resp_enc = draw(bodies())
    url = draw(urls())
    path = "/" + url.split("://", 1)[-1].partition("/")[2] if draw(st.booleans()) else draw(texts)
    path, _, query = path.partition("?")
    client = draw(st.none() | st.sampled_from(["203.0.113.9", "::1", "10.0.0.1"]) | texts)
    request_id = draw(st.none() | texts)
    return Transaction(
        seq=draw(st.integers(0, 2**63)),
        source="fuzz",
        method=no_surrogates(draw(st.sampled_from(["GET", "POST", "DELETE", "TEST_METHOD_NOT_IN_SPEC", ""]) | texts)),
        scheme=draw(st.sampled_from(["https", "http", "", "wss"])),
        host=no_surrogates(draw(st.sampled_from(["api.example.com", "api.example.com:8443", "[::1]", ""]) | texts)),
        path=no_surrogates(path),
        query=no_surrogates(query if draw(st.booleans()) else draw(texts)),
        request_headers=clean_headers(draw(header_list(req_type, req_enc))),
        request_body=req_body,
        status=draw(st.sampled_from([200, 201, 204, 301, 400, 401, 403, 404, 500, 0, 999])),
        response_headers=clean_headers(draw(header_list(resp_type, resp_enc))),
        response_body=resp_body,
        started=draw(st.none() | st.floats(allow_nan=True) | st.sampled_from([1.7e9, 0.0, -1e300])),
        duration_ms=draw(st.none() | st.floats(allow_nan=True)),
        client=None if client is None else no_surrogates(client),
        request_id=None if request_id is None else no_surrogates(request_id),
    )


def check_body(body: Body, limits: Limits) -> None:
    assert body.error is None or not body.error.startswith("internal error"), body.error
    if body.kind is BodyKind.JSON and body.value is not None:
        assert not _deeper_than(body.value, limits.max_json_depth), "JSON deeper than max_json_depth kept"
    if body.kind in (BodyKind.TEXT, BodyKind.XML) and body.value is not None:
        assert isinstance(body.value, str)
        assert len(body.value) <= limits.max_body_bytes, "text body longer than max_body_bytes"
    if body.kind is BodyKind.BINARY:
        assert body.value is None


@fuzz("normalize")
@given(tx=transactions(), limits=limits_strategy, seed=st.integers(0, 2**32))
def test_normalize_never_raises_and_keeps_its_caps(tx: Transaction, limits: Limits, seed: int) -> None:
    check_normalize(tx, limits)
    n = fanout()
    for request, response in zip(byte_variants(seed, tx.request_body, n), byte_variants(~seed, tx.response_body, n)):
        check_normalize(msgspec.structs.replace(tx, request_body=request, response_body=response), limits)


def check_normalize(tx: Transaction, limits: Limits) -> None:
    fuzz_input("normalize")
    ex = normalize(tx, limits)
    check_body(ex.request_body, limits)
    check_body(ex.response_body, limits)
    assert all(isinstance(s, str) and s for s in ex.segments)
    assert len(ex.query) <= max(limits.max_form_fields, 0) + 1
    assert len(ex.cookies) <= limits.max_form_fields
    assert all(name == name.lower() for name in ex.headers)


@lru_cache(maxsize=1)
def shared_pipeline() -> Pipeline:
    """One pipeline for every example, as a run has (not a fixture: hypothesis would print its
    whole state, profiles and all, with a failing example)."""
    return build_pipeline(Settings())


def contained_errors(pipeline: Pipeline) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for part in (pipeline.classifier, *pipeline.inspectors, pipeline.behaviour):
        errors = getattr(part, "errors", None)
        if errors:
            out[type(part).__name__] = dict(errors)
    return out


@fuzz("pipeline")
@given(txs=st.lists(transactions(), min_size=1, max_size=3), seed=st.integers(0, 2**32))
def test_pipeline_processes_any_transaction(txs: list[Transaction], seed: int) -> None:
    pipeline = shared_pipeline()
    n = fanout()
    txs = txs + [msgspec.structs.replace(txs[0], request_body=b) for b in byte_variants(seed, txs[0].request_body, n)]
    if pipeline.deltas.transactions > 2000:
        pipeline.flush()  # keeps the run's memory flat: profiles grow with every new endpoint
    for tx in txs:
        fuzz_input("pipeline")
        detections = pipeline.process(tx)
        assert isinstance(detections, list)
    assert not contained_errors(pipeline), f"a stage failed (contained) on {txs}"

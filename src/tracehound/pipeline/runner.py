"""The per-transaction pipeline: normalize, discover, classify, detect, and fold into profiles.

One `Pipeline` folds any number of transactions into in-memory deltas (endpoint profiles and
findings keyed by provisional template); `flush()` hands the deltas over and starts new ones.
The offline command flushes once into SQLite; cluster workers flush per batch into PostgreSQL.
Nothing here touches a store or a bus.
"""

from __future__ import annotations

import hashlib
import zlib
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from tracehound.model import (
    Detection,
    DetectionType,
    Exchange,
    SensitiveHit,
    SensitiveType,
    Severity,
    Transaction,
)
from tracehound.model.fields import MAX_FIELDS, SAMPLED_ITEMS, body_fields, request_head_fields, response_header_fields
from tracehound.model.redaction import installation_key
from tracehound.pipeline.normalize import Limits, normalize
from tracehound.pipeline.profile import fold
from tracehound.pipeline.segments import provisional_segments, template_key
from tracehound.profiles.behaviour import BehaviourState
from tracehound.profiles.endpoint import DIGEST_SPACE, EndpointProfile
from tracehound.profiles.findings import FindingStats
from tracehound.profiles.keys import EndpointKey, FindingKey

URL_LOCATIONS = ("request.query.", "request.path.")


class Classifier(Protocol):
    def classify(self, fields: Sequence[tuple[str, Any]], present: list[str] | None = None) -> list[SensitiveHit]: ...


class RequestInspector(Protocol):
    def inspect(self, ex: Exchange, fields: Sequence[tuple[str, Any]]) -> list[Detection]: ...


class BehaviourInspector(Protocol):
    """Folds exchanges into mergeable behaviour state (``pipeline.behaviour``)."""

    def observe(
        self, ex: Exchange, key: tuple[str, str, str], fields: Sequence[tuple[str, Any]], hits: Sequence[SensitiveHit]
    ) -> list[Detection]: ...

    def flush(self) -> BehaviourState: ...


@dataclass
class Deltas:
    """What a pipeline folded since its last flush."""

    endpoints: dict[EndpointKey, EndpointProfile] = field(default_factory=dict)
    findings: dict[FindingKey, FindingStats] = field(default_factory=dict)
    transactions: int = 0
    body_errors: Counter[str] = field(default_factory=Counter)
    bodies_already_decoded: int = 0
    """Bodies whose Content-Encoding was declared but whose bytes were already decoded (HAR exports)."""
    behaviour: BehaviourState | None = None
    """The behaviour delta (None when the pipeline has no behaviour inspector)."""


def request_digest(tx: Transaction) -> int:
    """A keyed hash of what makes a request distinct (method, host, path, query, body head).

    Templating counts distinct requests (`EndpointProfile.distinct`), so traffic given twice
    weighs the same as once. Keyed by the installation key: the sketch never exposes a path.
    """
    h = hashlib.blake2b(digest_size=8, key=installation_key()[:64])
    h.update(f"{tx.method} {tx.host}{tx.path}?{tx.query}\n".encode(errors="surrogateescape"))
    h.update(tx.request_body[:DIGEST_BODY_BYTES])
    return int.from_bytes(h.digest()) & (DIGEST_SPACE - 1)


DIGEST_BODY_BYTES = 1024
"""Request body bytes that tell two requests apart in `request_digest`."""


@dataclass(frozen=True)
class Sampling:
    """How many bodies of an endpoint are studied in depth (schemas, body classification).

    Every transaction is counted, timed, parameter-profiled and scanned by the request
    detectors. Body schemas and body classification, the per-value work, are done for the
    first ``warmup`` samples of each endpoint in each profile being folded (a run, a worker's
    flush) and then for one transaction in ``stride``, picked by a hash of the transaction's own
    content. Ratios (required fields, sensitive-value shares) are unbiased either way, and counts
    over bodies scale to the endpoint by ``count / deep`` (`EndpointProfile.deep`), so neither
    depends on how the traffic was split. ``stride=1`` studies every body.
    """

    warmup: int = 64
    stride: int = 8

    def deep(self, seen: int, tx: Transaction) -> bool:
        if self.stride <= 1 or seen < self.warmup:
            return True
        digest = zlib.crc32(tx.response_body[:512], zlib.crc32(tx.path.encode(), tx.status))
        return digest % self.stride == 0


@dataclass
class Pipeline:
    """Stages wired for one run; `process` is the hot path."""

    classifier: Classifier | None = None
    inspectors: Sequence[RequestInspector] = ()
    limits: Limits = field(default_factory=Limits)
    sampling: Sampling = field(default_factory=Sampling)
    keep_literal: frozenset[tuple[str, ...]] = frozenset()
    """Paths (as segments) the config keeps as endpoints of their own, ids and all."""
    behaviour: BehaviourInspector | None = None
    """Learned-baseline and cross-request detectors; their per-transaction detections are returned."""
    on_exchange: Callable[[Exchange, EndpointKey, list[Detection]], None] | None = None
    """Called after each exchange is folded (behavioural detectors hook in here)."""
    deltas: Deltas = field(default_factory=Deltas)
    last_key: EndpointKey | None = None
    """The endpoint key of the transaction `process` folded last (the ``--detections`` log names it)."""
    last_client: str | None = None
    """Its client, as findings record it."""

    def process(self, tx: Transaction) -> list[Detection]:
        """Fold one transaction; return its detections (for the ``--detections`` log)."""
        ex = normalize(tx, self.limits)
        deltas = self.deltas
        deltas.transactions += 1
        for body in (ex.request_body, ex.response_body):
            if body.error is not None:
                deltas.body_errors[body.error.split(":", 1)[0]] += 1
            if body.already_decoded:
                deltas.bodies_already_decoded += 1
        segments = ex.segments if ex.segments in self.keep_literal else provisional_segments(ex.segments)
        key = EndpointKey(ex.service, ex.method, template_key(segments))
        self.last_key, self.last_client = key, ex.client
        profile = deltas.endpoints.get(key)
        if profile is None:
            profile = deltas.endpoints[key] = EndpointProfile()
        deep = self.sampling.deep(profile.count, tx)
        profile.add_request(request_digest(tx))

        # Fields are built once, in `model.fields.request_fields` / `response_fields` order, and
        # the request body's only when a stage reads it (a shallow sample is not classified by body).
        head: list[tuple[str, Any]] = []
        request = head
        body_values: list[tuple[str, Any]] = []
        response_values: list[tuple[str, Any]] = []
        if self.classifier is not None or self.inspectors or self.behaviour is not None:
            head = request_head_fields(ex)
            request = head
            if deep or self.inspectors or self.behaviour is not None:
                body_values = body_fields(ex.request_body, "request.body")
                if body_values:
                    request = head + body_values
        hits: list[SensitiveHit] = []
        locations: list[str] = []
        if self.classifier is not None:
            if deep:
                response_values = body_fields(ex.response_body, "response.body", items=SAMPLED_ITEMS)
                fields = request + response_header_fields(ex) + response_values
            else:
                fields = head + response_header_fields(ex)
            hits = self.classifier.classify(fields, locations)
        fold(profile, ex, segments, hits, locations, deep=deep)
        if deep and self.classifier is not None:
            # A body cut at MAX_FIELDS was not classified to its end: its schema keeps no values.
            if len(body_values) >= MAX_FIELDS:
                profile.request_body.forget_values()
            if len(response_values) >= MAX_FIELDS and (response := profile.responses.get(str(ex.status))) is not None:
                response.forget_values()

        detections: list[Detection] = []
        for inspector in self.inspectors:
            detections.extend(inspector.inspect(ex, request))
        detections.extend(_url_exposures(hits))
        if self.behaviour is not None:
            detections.extend(self.behaviour.observe(ex, key, request, hits))
        for det in detections:
            self._record(key, det, ex)
        if self.on_exchange is not None:
            self.on_exchange(ex, key, detections)
        return detections

    def record_finding(self, key: EndpointKey, det: Detection, ex: Exchange) -> None:
        """Aggregate a detection raised outside `process` (behavioural detectors)."""
        self._record(key, det, ex)

    def _record(self, key: EndpointKey, det: Detection, ex: Exchange) -> None:
        fkey = FindingKey(det.type.value, key.service, key.method, key.template, det.location)
        stats = self.deltas.findings.get(fkey)
        if stats is None:
            stats = self.deltas.findings[fkey] = FindingStats()
        stats.add(det.severity.value, ex.started, ex.client, det.evidence)

    def flush(self) -> Deltas:
        """Hand over the deltas folded so far and start empty ones."""
        out, self.deltas = self.deltas, Deltas()
        if self.behaviour is not None:
            out.behaviour = self.behaviour.flush()
        return out


_URL_SEVERITY = {
    SensitiveType.PASSWORD: Severity.HIGH,
    SensitiveType.API_KEY: Severity.MEDIUM,
    SensitiveType.JWT: Severity.MEDIUM,
    SensitiveType.BEARER_TOKEN: Severity.MEDIUM,
    SensitiveType.AWS_ACCESS_KEY: Severity.HIGH,
    SensitiveType.PRIVATE_KEY: Severity.HIGH,
    SensitiveType.CREDIT_CARD: Severity.HIGH,
    SensitiveType.US_SSN: Severity.HIGH,
}


def _url_exposures(hits: list[SensitiveHit]) -> list[Detection]:
    """``sensitive_data_in_url``: sensitive values travelling in paths or query strings (logged by proxies)."""
    out = []
    seen: set[tuple[str, str]] = set()
    for hit in hits:
        if hit.location.startswith(URL_LOCATIONS) and (hit.location, str(hit.type)) not in seen:
            seen.add((hit.location, str(hit.type)))
            out.append(
                Detection(
                    type=DetectionType.SENSITIVE_DATA_IN_URL,
                    location=hit.location,
                    severity=_URL_SEVERITY.get(hit.type, Severity.LOW),
                    detector="sensitive_data_in_url",
                    evidence=f"{hit.type} in the URL: {hit.masked}",
                    confidence=hit.confidence,
                )
            )
    return out

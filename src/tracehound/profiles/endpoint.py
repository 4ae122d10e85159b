"""Everything learned about one endpoint: traffic, health, parameters, schemas, auth, sensitive data.

Keyed by (service, method, provisional template); the analyzer merges the profiles of provisional
templates that collapse into one final template, so every field merges by addition, union with
caps, min or max.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Iterable

import msgspec

from tracehound.profiles.schema import SchemaNode, _add_counts, _copy
from tracehound.profiles.sketch import LatencySketch

DISTINCT_SKETCH = 64
"""Request hashes kept per endpoint profile: distinct requests are counted exactly up to this."""
DIGEST_SPACE = 1 << 62
"""Request hashes are uniform below this (62 bits: a msgpack integer of any store)."""
MAX_MASKS = 2


class SensitiveStat(msgspec.Struct, kw_only=True, gc=False, array_like=True):
    """Samples in which a (location, type) fired, and the sum of their confidences in thousandths.

    Integers, so that merging is exactly associative (float sums are not).
    """

    hits: int = 0
    confidence_milli: int = 0
    masks: list[str] = msgspec.field(default_factory=list)
    """The smallest ``MAX_MASKS`` distinct masked forms of the values hit, sorted: enough to tell
    a field of many values from one constant repeated (a spec example, a company's own IBAN)."""

    def add_masks(self, masks: Iterable[str]) -> None:
        """Keep the smallest distinct masked forms (a bottom-k set: merging is order-free)."""
        for mask in masks:
            self.add_mask(mask)

    def add_mask(self, mask: str) -> None:
        current = self.masks
        if len(current) >= MAX_MASKS and mask >= current[-1]:
            return  # the common case once full: not among the smallest
        if mask not in current:
            insort(current, mask)
            del current[MAX_MASKS:]


class EndpointProfile(msgspec.Struct, kw_only=True, gc=False, omit_defaults=True):
    count: int = 0
    deep: int = 0
    """Samples whose bodies were studied in depth (`pipeline.runner.Sampling`): body counts are
    counts over these, and scale to the endpoint by ``count / deep``."""
    statuses: dict[str, int] = msgspec.field(default_factory=dict)
    latency: LatencySketch = msgspec.field(default_factory=LatencySketch)
    first_seen: float | None = None
    last_seen: float | None = None
    request_media: dict[str, int] = msgspec.field(default_factory=dict)
    request_body: SchemaNode = msgspec.field(default_factory=SchemaNode)
    responses: dict[str, SchemaNode] = msgspec.field(default_factory=dict)
    response_media: dict[str, int] = msgspec.field(default_factory=dict)
    kinds: dict[str, int] = msgspec.field(default_factory=dict)
    """Requests by kind, ``api``, ``asset/<family>`` or ``page/html`` (`analyzer.assets.request_kind`),
    judged per request: one provisional endpoint may hold ``app.1f3e.js`` and ``app.1f3e.js.map``."""
    kind_bytes: dict[str, int] = msgspec.field(default_factory=dict)
    """Decoded response body bytes by the same kinds (what the report's asset summary gives)."""
    path_params: dict[str, SchemaNode] = msgspec.field(default_factory=dict)
    """By segment position (as a string, for msgpack keys)."""
    query: dict[str, SchemaNode] = msgspec.field(default_factory=dict)
    query_repeats: dict[str, int] = msgspec.field(default_factory=dict)
    headers: dict[str, SchemaNode] = msgspec.field(default_factory=dict)
    cookies: dict[str, int] = msgspec.field(default_factory=dict)
    auth: dict[str, int] = msgspec.field(default_factory=dict)
    sensitive: dict[str, SensitiveStat] = msgspec.field(default_factory=dict)
    """Keyed ``location|type``."""
    location_seen: dict[str, int] = msgspec.field(default_factory=dict)
    """Values seen per location where the classifier could hit (not protocol headers such as
    ``accept``): what a sensitive location's share of hits is counted against."""
    distinct: list[int] = msgspec.field(default_factory=list)
    """The smallest ``DISTINCT_SKETCH`` keyed hashes of the distinct requests seen (a bottom-k
    sketch, sorted): how many different requests reached the endpoint, whatever was repeated.
    Templating counts these, never raw requests, so the same traffic given twice, or in another
    order, is templated the same (`distinct_requests`)."""

    def add_request(self, digest: int) -> None:
        """Fold one request's hash into `distinct` (an order-free bottom-k: merging is commutative)."""
        current = self.distinct
        if len(current) >= DISTINCT_SKETCH and digest >= current[-1]:
            return
        i = bisect_left(current, digest)
        if i < len(current) and current[i] == digest:
            return
        current.insert(i, digest)
        del current[DISTINCT_SKETCH:]

    def distinct_requests(self) -> int:
        """How many distinct requests reached the endpoint: exact up to `DISTINCT_SKETCH`, then estimated.

        A profile stored before the sketch existed has none: its request count stands in.
        """
        n = len(self.distinct)
        if n == 0:
            return self.count
        if n < DISTINCT_SKETCH:
            return n
        return max(n, round((n - 1) * DIGEST_SPACE / (self.distinct[-1] + 1)))

    def merge(self, other: EndpointProfile) -> None:
        self.count += other.count
        self.deep += other.deep
        _add_counts(self.statuses, other.statuses)
        self.latency.merge(other.latency)
        if other.first_seen is not None and (self.first_seen is None or other.first_seen < self.first_seen):
            self.first_seen = other.first_seen
        if other.last_seen is not None and (self.last_seen is None or other.last_seen > self.last_seen):
            self.last_seen = other.last_seen
        _add_counts(self.request_media, other.request_media)
        self.request_body.merge(other.request_body)
        _merge_nodes(self.responses, other.responses)
        _add_counts(self.response_media, other.response_media)
        _add_counts(self.kind_bytes, other.kind_bytes)
        _add_counts(self.kinds, other.kinds)
        _merge_nodes(self.path_params, other.path_params)
        _merge_nodes(self.query, other.query)
        _add_counts(self.query_repeats, other.query_repeats)
        _merge_nodes(self.headers, other.headers)
        _add_counts(self.cookies, other.cookies)
        _add_counts(self.auth, other.auth)
        for key, stat in other.sensitive.items():
            mine = self.sensitive.get(key)
            if mine is None:
                self.sensitive[key] = SensitiveStat(
                    hits=stat.hits, confidence_milli=stat.confidence_milli, masks=list(stat.masks)
                )
            else:
                mine.hits += stat.hits
                mine.confidence_milli += stat.confidence_milli
                mine.add_masks(stat.masks)
        _add_counts(self.location_seen, other.location_seen)
        if other.distinct:
            self.distinct = sorted(set(self.distinct) | set(other.distinct))[:DISTINCT_SKETCH]


def _merge_nodes(into: dict[str, SchemaNode], other: dict[str, SchemaNode]) -> None:
    for key, node in other.items():
        mine = into.get(key)
        if mine is None:
            into[key] = _copy(node)
        else:
            mine.merge(node)


ENDPOINT_ENCODER = msgspec.msgpack.Encoder()
ENDPOINT_DECODER = msgspec.msgpack.Decoder(EndpointProfile)

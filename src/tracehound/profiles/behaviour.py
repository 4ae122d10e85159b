"""Mergeable behaviour state: the positive model per parameter and who did what across requests.

Signatures judge one request; abuse (BOLA, enumeration, stuffing, rate) and anomalies against a
learned baseline need to remember traffic. This module is that memory, shaped like every other
profile: counts, min/max, bit unions and *bottom-K* sets, so that ``merge`` is commutative and
associative and a worker can fold locally and flush a delta (ARCHITECTURE.md).

Size is O(endpoints × active clients), not O(requests): every map is capped by keeping the K
smallest keys. Bottom-K is the one cap that stays exact under merging in any order: a key kept in
the final state is among the K smallest of all keys ever seen, so no partial fold dropped it.

Nothing here holds a raw object id, username or token: ids and usernames are 63-bit BLAKE2b
hashes (kept as bottom-K sets, the KMV distinct-count sketch), principals are already hashes
(``pipeline.auth.principal``), and clients are addresses, as in findings.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from collections.abc import Callable
from typing import Any, TypeVar

import msgspec

MAX_PARAMS = 256
"""Parameter locations kept per endpoint."""
MAX_ACTORS = 512
"""Clients (or principals) kept per endpoint."""
MAX_OBJECTS = 2048
"""Object ids (hashed) kept per endpoint, for ownership."""
MAX_OWNERS = 8
"""Principals kept per object."""
MAX_ADDRESSES = 4
"""Client addresses kept per principal (shown in findings)."""
SKETCH_K = 64
"""Hashes kept by each distinct-count sketch (ids, usernames): exact up to K, ~12% error beyond."""
MAX_SCHEMES = 16
"""Auth scheme labels kept per endpoint."""
MAX_REPORTED = 20_000
"""Findings remembered as already reported, so a later run does not raise them again."""

_HASH_SPACE = float(1 << 63)

# Kinds of a scalar value (bit flags, so a parameter's kinds merge by OR).
KIND_STRING = 1
KIND_INTEGER = 2
KIND_NUMBER = 4
KIND_BOOLEAN = 8
KIND_NULL = 16


def hash63(value: str) -> int:
    """A stable 63-bit hash of ``value`` (fits msgpack's signed int64)."""
    digest = hashlib.blake2b(value.encode("utf-8", "surrogatepass"), digest_size=8, person=b"thbehav1").digest()
    return int.from_bytes(digest, "big") >> 1


def sketch_add(sketch: list[int], h: int, k: int = SKETCH_K) -> bool:
    """Add hash ``h`` to a sorted bottom-K list; True when it was new and kept."""
    n = len(sketch)
    if n >= k and h >= sketch[-1]:
        return False
    i = bisect.bisect_left(sketch, h)
    if i < n and sketch[i] == h:
        return False
    sketch.insert(i, h)
    if n >= k:
        sketch.pop()
    return True


def sketch_merge(a: list[int], b: list[int], k: int = SKETCH_K) -> list[int]:
    return sorted(set(a) | set(b))[:k]


def sketch_count(sketch: list[int], k: int = SKETCH_K) -> float:
    """Distinct values a bottom-K sketch stands for (exact below K, the KMV estimate above)."""
    if len(sketch) < k:
        return float(len(sketch))
    return (k - 1) / max(sketch[-1] / _HASH_SPACE, 1e-18)


PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
"""Each ASCII punctuation character is a character class of its own (bit = its index here)."""
_CHAR_BIT = {ch: 1 << i for i, ch in enumerate(PUNCTUATION)}
SPACE_BIT = 1 << 32
CONTROL_BIT = 1 << 33
"""Tabs, newlines and other control characters."""
NON_ASCII_BIT = 1 << 34
_NOT_ALNUM = re.compile(r"[^A-Za-z0-9]")


def char_classes(value: str) -> int:
    """The character classes of ``value`` as bits; letters and digits are not classes here.

    One C-level scan finds the non-alphanumeric characters (usually none), so this costs little
    on the hot path.
    """
    found = _NOT_ALNUM.findall(value)
    if not found:
        return 0
    mask = 0
    for ch in set(found):
        bit = _CHAR_BIT.get(ch)
        if bit is not None:
            mask |= bit
        elif ch == " ":
            mask |= SPACE_BIT
        elif ord(ch) < 32 or ch == "\x7f":
            mask |= CONTROL_BIT
        else:
            mask |= NON_ASCII_BIT
    return mask


def describe_classes(mask: int) -> str:
    """Human-readable classes of a mask, for evidence: ``' ; <``."""
    names = [ch for ch, bit in _CHAR_BIT.items() if mask & bit]
    if mask & SPACE_BIT:
        names.append("space")
    if mask & CONTROL_BIT:
        names.append("control")
    if mask & NON_ASCII_BIT:
        names.append("non-ascii")
    return " ".join(names)


def value_kind(value: Any, typed: bool) -> int:
    """The ``KIND_*`` of a value; ``typed`` for JSON values, else a string is read for what it spells."""
    if isinstance(value, str):
        if typed or not value:
            return KIND_STRING
        c = value[0]
        if c.isdigit() or (c == "-" and len(value) > 1):
            body = value[1:] if c == "-" else value
            if body.isdigit():
                return KIND_INTEGER
            head, dot, tail = body.partition(".")
            if dot and head.isdigit() and tail.isdigit():
                return KIND_NUMBER
            return KIND_STRING
        if value in ("true", "false"):
            return KIND_BOOLEAN
        return KIND_STRING
    if isinstance(value, bool):
        return KIND_BOOLEAN
    if isinstance(value, int):
        return KIND_INTEGER
    if isinstance(value, float):
        return KIND_NUMBER
    if value is None:
        return KIND_NULL
    return KIND_STRING


V = TypeVar("V")


def bounded_get(into: dict[str, V], key: str, factory: Callable[[], V], cap: int) -> V | None:
    """``into[key]``, created when absent, keeping only the ``cap`` smallest keys; None if dropped."""
    found = into.get(key)
    if found is not None:
        return found
    if len(into) >= cap:
        largest = max(into)
        if key > largest:
            return None
        del into[largest]
    made = into[key] = factory()
    return made


def _trim(into: dict[str, V], cap: int) -> None:
    if len(into) > cap:
        for key in sorted(into)[cap:]:
            del into[key]


def _min(a: float | None, b: float | None) -> float | None:
    if a is None:
        return b
    return a if b is None or a <= b else b


def _max(a: float | None, b: float | None) -> float | None:
    if a is None:
        return b
    return a if b is None or a >= b else b


class ParamStats(msgspec.Struct, kw_only=True, gc=False, array_like=True):
    """The positive model of one request parameter: kinds, character classes, length range."""

    count: int = 0
    kinds: int = 0
    """Union of ``KIND_*`` flags seen."""
    chars: int = 0
    """Union of character-class bits seen (``char_classes``)."""
    min_len: int | None = None
    max_len: int | None = None

    def add(self, kind: int, chars: int, length: int | None) -> None:
        self.count += 1
        self.kinds |= kind
        self.chars |= chars
        if length is not None:
            if self.min_len is None or length < self.min_len:
                self.min_len = length
            if self.max_len is None or length > self.max_len:
                self.max_len = length

    def merge(self, other: ParamStats) -> None:
        self.count += other.count
        self.kinds |= other.kinds
        self.chars |= other.chars
        lo, hi = _min(self.min_len, other.min_len), _max(self.max_len, other.max_len)
        self.min_len = None if lo is None else int(lo)
        self.max_len = None if hi is None else int(hi)


class ActorStats(msgspec.Struct, kw_only=True, gc=False, omit_defaults=True):
    """One client (or principal) on one endpoint: volume, errors, ids and usernames it touched."""

    count: int = 0
    first_seen: float | None = None
    last_seen: float | None = None
    not_found: int = 0
    failures: int = 0
    """401/403 answers (and 4xx on login-like endpoints)."""
    ids: list[int] = msgspec.field(default_factory=list)
    """Bottom-K hashes of object ids touched."""
    users: list[int] = msgspec.field(default_factory=list)
    """Bottom-K hashes of usernames sent (login-like endpoints)."""
    walk: int = 0
    """Longest run of consecutive integer ids (``7, 8, 9, …``) seen in one fold."""

    def seen_at(self, when: float | None) -> None:
        self.count += 1
        if when is not None:
            self.first_seen = _min(self.first_seen, when)
            self.last_seen = _max(self.last_seen, when)

    def merge(self, other: ActorStats) -> None:
        self.count += other.count
        self.first_seen = _min(self.first_seen, other.first_seen)
        self.last_seen = _max(self.last_seen, other.last_seen)
        self.not_found += other.not_found
        self.failures += other.failures
        self.ids = sketch_merge(self.ids, other.ids)
        self.users = sketch_merge(self.users, other.users)
        self.walk = max(self.walk, other.walk)


class Touch(msgspec.Struct, kw_only=True, gc=False, array_like=True):
    """How often, and from when, one principal touched one object."""

    count: int = 0
    first_seen: float | None = None

    def merge(self, other: Touch) -> None:
        self.count += other.count
        self.first_seen = _min(self.first_seen, other.first_seen)


class PrincipalStats(msgspec.Struct, kw_only=True, gc=False, omit_defaults=True):
    """One principal on one endpoint: requests and (a few of) the addresses it came from."""

    count: int = 0
    addresses: list[str] = msgspec.field(default_factory=list)

    def add_address(self, address: str | None) -> None:
        if address is not None and address not in self.addresses:
            self.addresses = sorted([*self.addresses, address])[:MAX_ADDRESSES]

    def merge(self, other: PrincipalStats) -> None:
        self.count += other.count
        self.addresses = sorted(set(self.addresses) | set(other.addresses))[:MAX_ADDRESSES]


class EndpointBehaviour(msgspec.Struct, kw_only=True, gc=False, omit_defaults=True):
    """Everything remembered about one endpoint's traffic beyond its ``EndpointProfile``."""

    params: dict[str, ParamStats] = msgspec.field(default_factory=dict)
    """By location (``request.query.q``, ``request.body.user.name``, ``request.path.#2``)."""
    authenticated: int = 0
    anonymous: int = 0
    anonymous_ok: int = 0
    """Requests without any credential that were answered 2xx."""
    failures: int = 0
    login: int = 0
    """Requests that looked like login attempts (a login-like path with a username field)."""
    users: list[int] = msgspec.field(default_factory=list)
    """Bottom-K hashes of usernames sent to this endpoint, over all clients."""
    actors: dict[str, ActorStats] = msgspec.field(default_factory=dict)
    principals: dict[str, PrincipalStats] = msgspec.field(default_factory=dict)
    objects: dict[str, dict[str, Touch]] = msgspec.field(default_factory=dict)
    """Object id hash (hex) -> principal -> touches: who owns what."""
    id_location: str = ""
    """Where this endpoint's object id sits (the smallest seen, so merges agree)."""
    schemes: dict[str, int] = msgspec.field(default_factory=dict)
    """Auth scheme labels of authenticated requests (``pipeline.auth.auth_schemes``)."""
    posture: int = 0
    """Bits of posture issues already raised for this endpoint (so each is logged once per run)."""

    def merge(self, other: EndpointBehaviour) -> None:
        for loc, stats in other.params.items():
            mine = self.params.get(loc)
            if mine is None:
                self.params[loc] = ParamStats(
                    count=stats.count,
                    kinds=stats.kinds,
                    chars=stats.chars,
                    min_len=stats.min_len,
                    max_len=stats.max_len,
                )
            else:
                mine.merge(stats)
        _trim(self.params, MAX_PARAMS)
        self.authenticated += other.authenticated
        self.anonymous += other.anonymous
        self.anonymous_ok += other.anonymous_ok
        self.failures += other.failures
        self.login += other.login
        self.users = sketch_merge(self.users, other.users)
        for key, actor in other.actors.items():
            mine_a = self.actors.get(key)
            if mine_a is None:
                mine_a = self.actors[key] = ActorStats()
            mine_a.merge(actor)
        _trim(self.actors, MAX_ACTORS)
        for key, principal in other.principals.items():
            mine_p = self.principals.get(key)
            if mine_p is None:
                mine_p = self.principals[key] = PrincipalStats()
            mine_p.merge(principal)
        _trim(self.principals, MAX_ACTORS)
        for obj, touches in other.objects.items():
            mine_o = self.objects.get(obj)
            if mine_o is None:
                mine_o = self.objects[obj] = {}
            for who, touch in touches.items():
                mine_t = mine_o.get(who)
                if mine_t is None:
                    mine_t = mine_o[who] = Touch()
                mine_t.merge(touch)
            _trim(mine_o, MAX_OWNERS)
        _trim(self.objects, MAX_OBJECTS)
        for scheme, n in other.schemes.items():
            self.schemes[scheme] = self.schemes.get(scheme, 0) + n
        _trim(self.schemes, MAX_SCHEMES)
        self.posture |= other.posture
        if other.id_location and (not self.id_location or other.id_location < self.id_location):
            self.id_location = other.id_location


def endpoint_id(service: str, method: str, template: str) -> str:
    """The state key of an endpoint (msgpack maps need string keys)."""
    return f"{service}\t{method}\t{template}"


def split_endpoint_id(key: str) -> tuple[str, str, str]:
    service, method, template = key.split("\t", 2)
    return service, method, template


class BehaviourState(msgspec.Struct, kw_only=True, gc=False, omit_defaults=True):
    """The behaviour of every endpoint of a tenant, plus the findings already reported."""

    version: int = 1
    endpoints: dict[str, EndpointBehaviour] = msgspec.field(default_factory=dict)
    reported: list[int] = msgspec.field(default_factory=list)
    """Bottom-K hashes of (type, endpoint, location, subject) already raised as findings."""

    def endpoint(self, key: str) -> EndpointBehaviour:
        found = self.endpoints.get(key)
        if found is None:
            found = self.endpoints[key] = EndpointBehaviour()
        return found

    def merge(self, other: BehaviourState) -> None:
        for key, ep in other.endpoints.items():
            self.endpoint(key).merge(ep)
        self.reported = sketch_merge(self.reported, other.reported, MAX_REPORTED)

    def is_reported(self, h: int) -> bool:
        i = bisect.bisect_left(self.reported, h)
        return i < len(self.reported) and self.reported[i] == h

    def mark_reported(self, h: int) -> None:
        sketch_add(self.reported, h, MAX_REPORTED)


STATE_NAME = "behaviour"
"""The ``store.get_state``/``put_state`` name of the tenant's behaviour state."""

_ENCODER = msgspec.msgpack.Encoder()
_DECODER = msgspec.msgpack.Decoder(BehaviourState)


def encode_state(state: BehaviourState) -> bytes:
    return _ENCODER.encode(state)


def decode_state(blob: bytes | None) -> BehaviourState:
    """The state in ``blob``; an empty state for None or a blob of another version."""
    if not blob:
        return BehaviourState()
    try:
        state = _DECODER.decode(blob)
    except msgspec.DecodeError:
        return BehaviourState()
    return state if state.version == 1 else BehaviourState()


def copy_state(state: BehaviourState) -> BehaviourState:
    return _DECODER.decode(_ENCODER.encode(state))

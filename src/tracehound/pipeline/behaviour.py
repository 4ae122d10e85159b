"""The behaviour engine: folds each exchange into behaviour state once, then asks every family.

Per transaction (the hot path) it does one pass over the request fields the runner already
walked: it updates this run's delta (``profiles.behaviour``) — parameter kinds, character classes
and lengths, the auth mix, per-client volume, errors, ids and usernames, who touched which object
— and hands every enabled :class:`BehaviourDetector` a :class:`Seen` with the baseline the store
held when the run started. Detections attributable to the transaction are returned to the runner
(they go to ``--detections``); cross-request verdicts come later from ``evaluate`` over merged
state (``analyzer.behaviour``).

Why the baseline is frozen at the start of the run: a detection run with ``--no-learn`` must judge
against what the learning runs taught, not against the traffic being judged (an attacker's own
requests would otherwise teach the model that they are normal), and a worker in cluster mode sees
only the last snapshot anyway.

A family that raises is contained: counted in ``errors`` under its registry id, the run goes on.
"""

from __future__ import annotations

import contextlib
import re
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from typing import Any

import tracehound.detectors
from tracehound._registry import discover
from tracehound.detectors._behaviour_base import BehaviourDetector, Param, Seen, is_login_path
from tracehound.model import BodyKind, Detection, Exchange, SensitiveHit
from tracehound.pipeline.auth import auth_schemes, principal
from tracehound.pipeline.profile import is_parameter_header
from tracehound.pipeline.segments import is_placeholder, split_key
from tracehound.profiles.behaviour import (
    MAX_ACTORS,
    MAX_OBJECTS,
    MAX_OWNERS,
    MAX_PARAMS,
    MAX_SCHEMES,
    ActorStats,
    BehaviourState,
    EndpointBehaviour,
    ParamStats,
    PrincipalStats,
    Touch,
    bounded_get,
    char_classes,
    endpoint_id,
    hash63,
    sketch_add,
    value_kind,
)
from tracehound.profiles.endpoint import EndpointProfile

__all__ = ["BehaviourEngine", "is_login_path", "registered_behaviour_detectors"]

USERNAME_KEYS = frozenset({"username", "user", "login", "email", "userid", "account", "loginid", "name", "mail"})
"""Body field names (normalized: lower-case, no ``_``/``-``) that carry the username of a login."""
ID_QUERY = re.compile(r"(?i)(?:^|[_-])id$|[a-z]Id$|^id$")
"""Query parameter names that carry an object id (``id``, ``user_id``, ``orderId``)."""
MAX_WALKS = 100_000
"""(endpoint, actor) pairs whose last integer id is remembered in memory for walk detection."""
MAX_ID_VALUE = 64
MAX_CACHED_PRINCIPALS = 4096
"""Authorization header values whose principal is remembered (a session repeats its token)."""
MAX_MEMO = 65_536
"""Entries of each per-location and per-value memo of the hot path; a full memo is emptied."""
MAX_MEMO_VALUE = 128
"""Longer string values are not memoized (they rarely repeat)."""
_SKIP, _QUERY, _BODY, _PATH, _OTHER = 0, 1, 2, 3, 4
"""Roles of a request location in ``observe`` (``BehaviourEngine._role``)."""
SCHEME_SAMPLE = 16
"""Auth scheme labels are counted for every request up to 64 per endpoint, then one in this many:
they only name where an endpoint's credential usually travels."""


def registered_behaviour_detectors() -> dict[str, type[BehaviourDetector]]:
    """Registry id -> behaviour detector class, for every module of ``tracehound.detectors``."""
    return discover(tracehound.detectors, BehaviourDetector)  # type: ignore[type-abstract]


def _norm_key(name: str) -> str:
    return name.lower().replace("_", "").replace("-", "")


class BehaviourEngine:
    """Folds exchanges into a behaviour delta and runs every enabled behaviour detector on them."""

    def __init__(self, disabled: Collection[str] = ()) -> None:
        registry = registered_behaviour_detectors()
        self.detector_ids: tuple[str, ...] = tuple(sorted(k for k in registry if k not in disabled))
        self.detectors: tuple[BehaviourDetector, ...] = tuple(registry[k]() for k in self.detector_ids)
        self.errors: Counter[str] = Counter()
        """Exceptions raised by a family, by registry id."""
        self.profiles: Mapping[Any, EndpointProfile] = {}
        self.baseline = BehaviourState()
        self.delta = BehaviourState()
        self._keys: dict[tuple[str, str, str], tuple[str, frozenset[int], bool]] = {}
        self._walks: dict[tuple[str, str], tuple[int, int]] = {}
        self._principals: dict[str, str | None] = {}
        self._locations: dict[str, tuple[int, bool, int]] = {}
        self._kinds: tuple[dict[str, tuple[int, int]], dict[str, tuple[int, int]]] = ({}, {})
        """(untyped, typed) string value -> (value_kind, char_classes): both pure, values repeat."""

    # ------------------------------------------------------------------ lifecycle
    def prime(self, profiles: Mapping[Any, EndpointProfile], state: BehaviourState) -> None:
        """Judge this run against ``profiles`` and ``state`` (what the store learned so far).

        ``profiles`` is keyed by (service, method, provisional template) tuples (``EndpointKey``).
        """
        self.profiles = profiles
        self.baseline = state

    def flush(self) -> BehaviourState:
        """Hand over the delta folded so far and start an empty one."""
        out, self.delta = self.delta, BehaviourState()
        return out

    # ------------------------------------------------------------------ hot path
    def observe(
        self,
        ex: Exchange,
        key: tuple[str, str, str],
        fields: Sequence[tuple[str, Any]],
        hits: Sequence[SensitiveHit] = (),
    ) -> list[Detection]:
        """Fold ``ex`` into the delta; return the detections attributable to it."""
        info = self._keys.get(key)
        if info is None:
            template = split_key(key[2])
            placeholders = frozenset(i for i, seg in enumerate(template) if is_placeholder(seg))
            info = self._keys[key] = (endpoint_id(*key), placeholders, is_login_path(key[1], key[2]))
        ep_key, placeholders, login = info
        live = self.delta.endpoint(ep_key)
        learned = self.baseline.endpoints.get(ep_key)
        when = ex.started
        status = ex.status

        who = self._principal(ex)
        if who is None:
            live.anonymous += 1
            if 200 <= status < 300:
                live.anonymous_ok += 1
        else:
            live.authenticated += 1
            if live.authenticated <= 64 or live.authenticated % SCHEME_SAMPLE == 0:
                for scheme in auth_schemes(ex):
                    n = live.schemes.get(scheme)
                    if n is not None:
                        live.schemes[scheme] = n + 1
                    elif len(live.schemes) < MAX_SCHEMES:
                        live.schemes[scheme] = 1
        failed = status in (401, 403) or (login and 400 <= status < 500 and status != 404)
        if failed:
            live.failures += 1

        actor_key = ex.client or who
        actor = bounded_get(live.actors, actor_key, ActorStats, MAX_ACTORS) if actor_key else None
        if actor is not None:
            actor.seen_at(when)
            if status == 404:
                actor.not_found += 1
            if failed:
                actor.failures += 1
        owner = None
        if who is not None:
            owner = bounded_get(live.principals, who, PrincipalStats, MAX_ACTORS)
            if owner is not None:
                owner.count += 1
                owner.add_address(ex.client)

        typed_body = ex.request_body.kind is BodyKind.JSON
        learned_params = learned.params if learned is not None else None
        params: list[Param] = []
        new_user = False
        locs = self._locations
        kinds = self._kinds
        for location, value in fields:
            role = locs.get(location)
            if role is None:
                role = self._role(location)
            code = role[0]
            if code == _SKIP:
                continue
            typed = False
            if code == _QUERY:
                if role[1] and isinstance(value, str):
                    self._object(ep_key, live, actor, actor_key, who, location, value, when)
            elif code == _BODY:
                typed = typed_body
                if login and role[1] and isinstance(value, str) and value:
                    h = hash63(value.strip().lower())
                    live.login += 1
                    sketch_add(live.users, h)
                    if actor is not None and sketch_add(actor.users, h):
                        new_user = True
            elif code == _PATH:
                if not placeholders or role[2] not in placeholders:
                    continue
                self._object(ep_key, live, actor, actor_key, who, location, value, when)
            length: int | None
            if type(value) is str:
                length = n = len(value)
                memo = kinds[typed]
                known = memo.get(value)
                if known is None:
                    known = (value_kind(value, typed), char_classes(value))
                    if n <= MAX_MEMO_VALUE:
                        if len(memo) >= MAX_MEMO:
                            memo.clear()
                        memo[value] = known
                kind, chars = known
            elif isinstance(value, str):
                kind = value_kind(value, typed)
                chars = char_classes(value)
                length = len(value)
            else:
                kind = value_kind(value, True)
                chars = 0
                length = None
            stats = bounded_get(live.params, location, ParamStats, MAX_PARAMS)
            if stats is not None:
                stats.add(kind, chars, length)
            params.append(
                Param(
                    location=location,
                    value=value,
                    kind=kind,
                    chars=chars,
                    length=length,
                    learned=learned_params.get(location) if learned_params is not None else None,
                )
            )

        seen = Seen(
            ex=ex,
            endpoint=key,
            fields=fields,
            hits=hits,
            principal=who,
            actor=actor_key,
            profile=self.profiles.get(key),
            learned=learned,
            live=live,
            params=params,
            new_user=new_user,
            failed=failed,
        )
        out: list[Detection] = []
        for det_id, detector in zip(self.detector_ids, self.detectors):
            try:
                found = detector.inspect(seen)
            except Exception:
                self.errors[det_id] += 1
                continue
            if found:
                out.extend(found)
        return out

    def _role(self, location: str) -> tuple[int, bool, int]:
        """What the hot path does with a request location (a pure function of it, memoized).

        ``(code, flag, index)``: the flag says an object-id query name or a username body key;
        the index is a path location's segment number.
        """
        code, flag, index = _SKIP, False, -1
        part = location[8:10]  # every request location starts with "request."
        if part == "qu":
            code, flag = _QUERY, ID_QUERY.search(location[14:]) is not None
        elif part == "bo":
            if location != "request.body":
                code, flag = _BODY, _norm_key(_last_key(location)) in USERNAME_KEYS
        elif part == "pa":
            code = _PATH
            with contextlib.suppress(ValueError):  # path locations are "request.path.#N"
                index = int(location[14:])
        elif part == "he":
            if is_parameter_header(location[15:]):
                code = _OTHER
        elif part == "co":
            code = _OTHER
        role = (code, flag, index)
        if len(self._locations) >= MAX_MEMO:
            self._locations.clear()
        self._locations[location] = role
        return role

    def _principal(self, ex: Exchange) -> str | None:
        """``pipeline.auth.principal``, memoized on the Authorization header (which alone decides it)."""
        authz = ex.headers.get("authorization")
        if not authz:
            return principal(ex)
        cache = self._principals
        if authz in cache:
            return cache[authz]
        if len(cache) >= MAX_CACHED_PRINCIPALS:
            cache.clear()
        who = cache[authz] = principal(ex)
        return who

    def _object(
        self,
        ep_key: str,
        live: EndpointBehaviour,
        actor: ActorStats | None,
        actor_key: str | None,
        who: str | None,
        location: str,
        value: Any,
        when: float | None,
    ) -> None:
        """Count an object id: distinct ids per actor, owners per object, integer walks."""
        text = str(value)
        if not text or len(text) > MAX_ID_VALUE:
            return
        if not live.id_location or location < live.id_location:
            live.id_location = location
        h = hash63(text)
        if actor is not None and actor_key is not None:
            sketch_add(actor.ids, h)
            if text.isdigit():
                self._walk(ep_key, actor, actor_key, int(text))
        if who is not None:
            touches = bounded_get(live.objects, format(h, "x"), dict, MAX_OBJECTS)
            if touches is not None:
                touch = bounded_get(touches, who, Touch, MAX_OWNERS)
                if touch is not None:
                    touch.count += 1
                    if when is not None and (touch.first_seen is None or when < touch.first_seen):
                        touch.first_seen = when

    def _walk(self, ep_key: str, actor: ActorStats, actor_key: str, number: int) -> None:
        slot = (ep_key, actor_key)
        last = self._walks.get(slot)
        run = 1
        if last is not None:
            previous, length = last
            if number == previous:
                return
            run = length + 1 if abs(number - previous) == 1 else 1
        elif len(self._walks) >= MAX_WALKS:
            self._walks.clear()
        self._walks[slot] = (number, run)
        if run > actor.walk:
            actor.walk = run


def _last_key(location: str) -> str:
    return location.rsplit(".", 1)[-1].replace("[]", "")

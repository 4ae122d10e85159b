"""Whether sibling words of a path position behave as values of one parameter.

Values of one parameter reach one handler: they share continuations (what can follow them),
methods, response fields (once envelope fields every sibling returns are set aside) and the way
requests spread over their continuations. Collections beside each other differ in at least one
of these. Used by `templating` at every trie node with enough sibling words.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from typing import Any

from tracehound.analyzer._trie import Node, Observed
from tracehound.pipeline.segments import SHORT_INT_DIGITS, is_placeholder, value_form
from tracehound.profiles.endpoint import EndpointProfile
from tracehound.profiles.schema import SchemaNode

MANY_ALIKE = 8
"""Alike sibling words that make a parameter by themselves."""
SIMILAR = 0.5
"""Overlap of continuations and of response fields above which two siblings behave alike."""
FEW_ALIKE = 3
"""Alike sibling words that make a parameter when they also read as values (slugs, handles)."""
ENVELOPE_SHARE = 0.5
"""Response fields returned by this share of the siblings at a continuation are envelope."""
ENVELOPE_MIN_SIBLINGS = 3
"""Siblings needed at a continuation before shared fields are called envelope."""
DISTINCT_FIELDS = 3
"""Distinct response fields two siblings need between them before their difference counts."""
MAP_KEYS = 4
"""Keys an object needs before it may read as data-keyed (see `_response_fields`)."""
MAP_SAMPLES = 3
"""Responses an object needs before its keys' presence says anything."""
MAP_PRESENCE = 0.35
"""Mean presence of an object's keys below which the keys are data, not schema."""
LEAF_SPREAD = 0.25
"""Distinct words per weighed request (`Behaviour.hits`) below which alike leaf words are endpoints."""
PAIR = 2
"""Two alike words are a parameter when both read as slugs or handles."""
FEW_PLAIN = 4
"""Alike plain words (no value form) that make a parameter when nearly each takes one request."""
PLAIN_SPREAD = 0.5
"""Distinct words per weighed request (`Behaviour.hits`) above which plain alike words are values."""
MAX_ANCHORS = 24
"""Siblings tried as seeds of a parameter group (the busiest first), bounding the work per node."""
CONFLICT_SHARE = 0.25
"""Share of a group a member may answer differently from (sampling noise) and stay in it."""
MAX_WITNESSES = 16
"""Group members a sibling is compared with before it joins a group."""
DIVERGE_Z = 3.719
"""Normal quantile of the homogeneity test's level (p = 1e-4): two values of one parameter
diverge by chance that seldom, so many comparisons per node still rarely split a parameter."""
DIVERGE_MIN_HITS = 3
"""Weighed requests each sibling needs before its mix of continuations is compared."""


def alike_to_ids(node: Node, words: list[str], placeholders: list[str]) -> list[str]:
    """Words shaped like values that behave as the typed ids beside them (ids typing missed)."""
    behaviour = behaviours(node, [*words, *placeholders])
    return [w for w in words if any(behave_alike(behaviour[w], behaviour[p]) for p in placeholders)]


def _relative_endpoints(node: Node) -> list[tuple[tuple[str, ...], Observed]]:
    """Every endpoint below a node with its path relative to the node."""
    out: list[tuple[tuple[str, ...], Observed]] = []

    def visit(n: Node, rel: tuple[str, ...]) -> None:
        out.extend((rel, obs) for obs in n.endpoints)
        for seg, child in n.children.items():
            visit(child, (*rel, seg))

    visit(node, ())
    return out


Shape = tuple[str, tuple[str, ...]]
"""A continuation below a sibling: the method and the relative path, rare words abstracted."""


@dataclass(frozen=True)
class Behaviour:
    """What one sibling word does: its continuations and, per continuation, its response fields."""

    shapes: frozenset[Shape]
    fields: dict[Shape, frozenset[str]]
    """Per continuation, the response fields that set this sibling apart (envelope dropped)."""
    all_fields: dict[Shape, frozenset[str]]
    """Per continuation, every response field seen."""
    hits: float
    """Requests below the word in units of the service's repetition (`templating.weigh`): the
    same traffic given N times weighs the same."""
    id_child: bool
    """Whether ids (typed placeholders) follow the word directly, as below a collection name."""
    traffic: dict[Shape, float] = field(default_factory=dict)
    """Requests per continuation (method and abstracted relative path), weighed as `hits`:
    giving the same traffic twice, or in another order, changes no mix and no test below."""


def behaviours(node: Node, words: list[str]) -> dict[str, Behaviour]:
    """What can follow each sibling word, and the response fields found there.

    Below ``/repos/alice`` and ``/repos/bob`` lie different repository names but the same
    ``issues`` and ``pulls``: a deeper word is kept only when at least half of the siblings
    have it at that depth (others read ``*``), so siblings that are values of one parameter get
    equal continuations. Response fields are kept per endpoint below (a word held by two
    siblings stays concrete there), so ``/users/{id}`` and ``/orders/{id}`` differ even though
    both continue with an id, while sparse values that each reached a different endpoint below
    are not set apart by those endpoints' different fields. Fields that most siblings
    return at a continuation (envelopes such as ``data``, ``links``, paging) are dropped: only
    what sets a sibling apart is kept.
    """
    rels = {w: _relative_endpoints(node.children[w]) for w in words}
    shared: dict[tuple[int, str], int] = {}
    for entries in rels.values():
        for place in {(i, seg) for rel, _ in entries for i, seg in enumerate(rel)}:
            shared[place] = shared.get(place, 0) + 1
    quorum = max(2, len(words) / 2)
    raw: dict[str, tuple[set[Shape], dict[Shape, set[str]], float]] = {}
    traffic: dict[str, dict[Shape, float]] = {}
    for w, entries in rels.items():
        shapes: set[Shape] = set()
        fields: dict[Shape, set[str]] = {}
        hits = 0.0
        counts = traffic[w] = {}
        for rel, obs in entries:
            shape = tuple(_abstract(seg, shared[(i, seg)] >= quorum) for i, seg in enumerate(rel))
            key = (obs.method, shape)
            shapes.add(key)
            requests = obs.requests
            counts[key] = counts.get(key, 0.0) + requests
            # Sparse samples of one deep subtree share its upper levels, whatever the leaves.
            shapes.update(("", shape[:i]) for i in range(1, len(shape)))
            found = _response_fields(obs.profile)
            if found:
                # Fields are compared per endpoint: a word below shared by two siblings is kept,
                # so ``features/links`` and ``features/domains`` are not one continuation here.
                concrete = tuple(_abstract(seg, shared[(i, seg)] >= 2) for i, seg in enumerate(rel))
                fields.setdefault((obs.method, concrete), set()).update(found)
            hits += requests
        raw[w] = (shapes, fields, hits)
    _spread_maps(raw)
    having: dict[Shape, float] = {}
    frequency: dict[tuple[Shape, str], int] = {}
    for _, fields, _ in raw.values():
        for key, names in fields.items():
            having[key] = having.get(key, 0) + 1
            for name in names:
                frequency[(key, name)] = frequency.get((key, name), 0) + 1
    out: dict[str, Behaviour] = {}
    for w, (shapes, fields, hits) in raw.items():
        distinct: dict[Shape, frozenset[str]] = {}
        for key, names in fields.items():
            n = having[key]
            if n >= ENVELOPE_MIN_SIBLINGS:
                names = {f for f in names if frequency[(key, f)] < ENVELOPE_SHARE * n}
            distinct[key] = frozenset(names)
        id_child = any(is_placeholder(c) for c in node.children[w].children)
        every = {key: frozenset(names) for key, names in fields.items()}
        out[w] = Behaviour(frozenset(shapes), distinct, every, hits, id_child, traffic[w])
    return out


def _abstract(seg: str, common: bool) -> str:
    """A continuation segment as compared between siblings: ids and rare words abstracted."""
    if is_placeholder(seg) or (seg.isdigit() and len(seg) <= SHORT_INT_DIGITS):
        return "{}"
    return seg if common else "*"


def _spread_maps(raw: dict[str, tuple[set[Shape], dict[Shape, set[str]], float]]) -> None:
    """Read an object as data-keyed for every sibling once one sibling's samples showed it is.

    A value of the parameter seen once cannot tell its map keys from schema; a busier one can.
    """
    maps = {
        (key, path[:-2])
        for _, fields, _ in raw.values()
        for key, paths in fields.items()
        for path in paths
        if path.endswith(".*")
    }
    if not maps:
        return
    for _, fields, _ in raw.values():
        for key, paths in fields.items():
            rewritten = set()
            for path in paths:
                parts = path.split(".")
                for i in range(1, len(parts)):
                    if (key, ".".join(parts[:i])) in maps:
                        parts = [*parts[:i], "*"]
                        break
                rewritten.add(".".join(parts))
            fields[key] = rewritten


def _response_fields(profile: EndpointProfile, depth: int = 3) -> set[str]:
    """Field paths of the successful JSON responses of an endpoint, a few levels deep.

    The keys of a data-keyed object (``{"rates": {"EUR": 1.1}}``) are values, not schema: they
    read as one ``*`` field, or values of one parameter would seem to answer differently. An
    object is data-keyed when, over several responses, its keys are many and each seldom seen.
    """
    out: set[str] = set()

    def visit(node: SchemaNode, prefix: str, level: int) -> None:
        if level >= depth:
            return
        props = node.properties
        if len(props) >= MAP_KEYS and node.count >= MAP_SAMPLES:
            seen = sum(child.count for child in props.values())
            if seen < MAP_PRESENCE * node.count * len(props):
                out.add(prefix + ".*")
                return
        for key, child in props.items():
            path = f"{prefix}.{key}"
            out.add(path)
            visit(child, path, level + 1)
        if node.items is not None:
            visit(node.items, prefix + "[]", level)

    for status, schema in profile.responses.items():
        if status.startswith("2"):
            visit(schema, "", 0)
    return out


def _overlap(a: frozenset[Any], b: frozenset[Any]) -> float:
    """Overlap coefficient: sparse samples of one behaviour are subsets of each other."""
    if not a or not b:
        return 1.0 if not a and not b else 0.0
    return len(a & b) / min(len(a), len(b))


def _conflict(a: Behaviour, b: Behaviour) -> bool:
    """Whether two siblings answer one continuation with clearly different response fields."""
    for key in a.fields.keys() & b.fields.keys():
        fa, fb = a.fields[key], b.fields[key]
        if fa and fb and len(fa) + len(fb) >= DISTINCT_FIELDS and _overlap(fa, fb) < SIMILAR:
            return True
        # ``/users/me`` beside many user names: its own fields, none of the shared ones.
        ea, eb = a.all_fields[key], b.all_fields[key]
        if len(ea) >= DISTINCT_FIELDS and len(eb) >= DISTINCT_FIELDS and not ea & eb:
            return True
    return False


def behave_alike(a: Behaviour, b: Behaviour) -> bool:
    return _overlap(a.shapes, b.shapes) >= SIMILAR and not _conflict(a, b) and not _diverge(a, b)


def _diverge(a: Behaviour, b: Behaviour) -> bool:
    """Whether two siblings spread their requests over continuations too differently to share a handler.

    Requests reach the endpoints below a parameter in proportions that do not depend on its
    value; collections each have their own mix (``/secrets`` mostly POSTed below, ``/roles``
    mostly read). Sparse siblings never diverge: they are judged by their shapes alone.
    """
    return _divergence(a.traffic, a.hits, b.traffic, b.hits) > 1.0


ROUNDING = 1e-9
"""Request weights below this are a subtraction's rounding error."""


def _divergence(a: dict[Shape, float], na: float, b: dict[Shape, float], nb: float) -> float:
    """A G-test of homogeneity of two request mixes, as a ratio to its critical value.

    Above 1, the two mixes differ at the level `DIVERGE_Z` stands for; 0 when either side has
    too few requests to tell.
    """
    if min(na, nb) < DIVERGE_MIN_HITS:
        return 0.0
    keys = a.keys() | b.keys()
    if len(keys) < 2:
        return 0.0
    total = na + nb
    g = 0.0
    for key in keys:
        # Weights are fractions of requests: what a subtraction leaves below a rounding error is 0.
        ca, cb = a.get(key, 0.0), b.get(key, 0.0)
        ca, cb = (ca if ca > ROUNDING else 0.0), (cb if cb > ROUNDING else 0.0)
        col = ca + cb
        if ca:
            g += ca * math.log(ca * total / (na * col))
        if cb:
            g += cb * math.log(cb * total / (nb * col))
    return 2 * g / _chi2_critical(len(keys) - 1)


@functools.lru_cache(maxsize=256)
def _chi2_critical(df: int) -> float:
    """The chi-square value exceeded with the probability `DIVERGE_Z` stands for (Wilson-Hilferty)."""
    k = float(df)
    return k * (1 - 2 / (9 * k) + DIVERGE_Z * math.sqrt(2 / (9 * k))) ** 3


def _consistent(group: list[str], behaviour: dict[str, Behaviour]) -> list[str]:
    """The group without members that answer differently from many others.

    Alikeness is not transitive: a sibling with little evidence (one sparse response) is alike
    to everything and would otherwise gather collections that differ from one another. The
    member in conflict with the most others (compared with a bounded sample) leaves first.

    Sparse members cannot diverge from one another by their request mix, but each can from the
    rest of the group together: a busy collection gathered by a few sparse values leaves, the
    most divergent first (a bounded number of times).
    """
    members = list(group)
    pooled: dict[Shape, float] = {}
    for w in members:
        _add_traffic(pooled, behaviour[w].traffic, 1)
    hits = sum(behaviour[w].hits for w in members)
    for _ in range(MAX_ANCHORS):
        # Only names leave by their mix: a word shaped as a value (a busy project's slug) that
        # answers as the others do is a value, however its requests spread.
        scores = {
            w: _divergence(b.traffic, b.hits, _without(pooled, b.traffic), hits - b.hits)
            if value_form(w) is None
            else 0.0
            for w in members
            for b in (behaviour[w],)
        }
        worst = max(members, key=lambda w: (scores[w], -members.index(w)), default=None)
        if worst is None or scores[worst] <= 1.0:
            break
        members.remove(worst)
        _add_traffic(pooled, behaviour[worst].traffic, -1)
        hits -= behaviour[worst].hits
    while len(members) > 1:
        witnesses = members[:MAX_WITNESSES]
        conflicts = {w: sum(_conflict(behaviour[w], behaviour[m]) for m in witnesses) for w in members}
        worst = max(members, key=lambda w: (conflicts[w], -members.index(w)))
        if conflicts[worst] <= CONFLICT_SHARE * len(witnesses):
            break
        members.remove(worst)
    return members


def _add_traffic(into: dict[Shape, float], traffic: dict[Shape, float], sign: int) -> None:
    for key, n in traffic.items():
        into[key] = into.get(key, 0) + sign * n


def _without(pooled: dict[Shape, float], traffic: dict[Shape, float]) -> dict[Shape, float]:
    """The pooled mix less one member's."""
    rest = {key: pooled[key] - n for key, n in traffic.items()}
    return {**pooled, **rest}


def alike_words(node: Node, words: list[str], *, root: bool = False) -> tuple[list[str], str]:
    """Sibling words that behave as values of one parameter, and the evidence, if any.

    Values of one parameter reach one handler: they share continuations and answer with the
    same response fields, where literal siblings (collections, actions) answer with their own.
    The largest group alike to one anchor seeds the parameter (the busiest siblings are tried,
    a bounded number); a word then joins when it is alike to most members compared with it, so
    sparse samples of one behaviour join while a word with its own behaviour stays out.

    Eight alike words make a parameter by themselves. Three are enough when at least half of them also
    read as values by their form (``segments.value_form``) and ids do not follow them directly
    (which is what collection names look like).
    """
    if len(words) < PAIR:
        return [], ""
    behaviour = behaviours(node, words)
    order = sorted(words, key=lambda w: (-behaviour[w].hits, w))
    best: list[str] = []
    for anchor in order[:MAX_ANCHORS]:
        group = _consistent([w for w in order if behave_alike(behaviour[anchor], behaviour[w])], behaviour)
        if len(group) > len(best):
            best = group
    if len(best) < FEW_ALIKE and not (len(best) == PAIR and all(value_form(w) in ("slug", "handle") for w in best)):
        return [], ""
    members, rest = list(best), [w for w in order if w not in best]
    pooled: dict[Shape, float] = {}
    for m in members:
        _add_traffic(pooled, behaviour[m].traffic, 1)
    hits = sum(behaviour[m].hits for m in members)
    grown = True
    while grown and rest:
        grown = False
        for w in list(rest):
            b = behaviour[w]
            witnesses = members[:MAX_WITNESSES]
            alike = sum(behave_alike(b, behaviour[m]) for m in witnesses)
            mixed = value_form(w) is None and _divergence(b.traffic, b.hits, pooled, hits) > 1.0
            if 2 * alike > len(witnesses) and not mixed:
                members.append(w)
                rest.remove(w)
                _add_traffic(pooled, b.traffic, 1)
                hits += b.hits
                grown = True
    if len(members) >= MANY_ALIKE:
        return members, f"{len(members)} distinct words here with the same continuations and response fields"
    forms = [value_form(w) for w in members]
    valued = [f for f in forms if f is not None]
    # Ids right after a name is what a collection looks like; after a value shaped as one
    # (``/{account}/{project}``, a chain of parameters) it is the next parameter.
    collections = sum(behaviour[w].id_child for w, f in zip(members, forms, strict=True) if f is None)
    if 2 * collections >= len(members):
        return [], ""
    distinct = sum(behaviour[w].hits for w in members)
    leaves = not any(node.children[w].children for w in members)
    if leaves and len(members) < LEAF_SPREAD * distinct:
        # Leaf words each taking many different requests (``/analyse/message-length`` POSTed
        # with bodies) are endpoints of their own; values seldom repeat that much.
        return [], ""
    if 2 * len(valued) >= len(members):
        kinds = "/".join(sorted(set(valued)))
        return members, (
            f"{len(members)} distinct words here with the same continuations and response fields, "
            f"{len(valued)} of them shaped like values ({kinds})"
        )
    # Cardinality relative to the traffic: a new word for (nearly) every request is what
    # values of a parameter look like; literal siblings each take many different requests.
    # Capitalised words (``ElectionResults``, ``Synopsis``) are how names are written, not values.
    # At the root, words are the API's top-level collections, however little traffic each had.
    lower = not root and all(w.islower() for w in members)
    if lower and len(members) >= FEW_PLAIN and len(members) >= PLAIN_SPREAD * distinct:
        return members, (
            f"{len(members)} distinct words here with the same continuations and response fields, "
            f"over {distinct:.0f} requests (weighed by the service's repetition): a new word for nearly every request"
        )
    return [], ""

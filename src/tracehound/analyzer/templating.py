"""Whole-picture templating: which provisional paths of a service are one endpoint.

Workers key profiles by provisional templates in which id-like values are already parameters
(``/users/{int}``) and words are literal (``/users/alice``, ``/users/me``). Here, over every
provisional path of a service, the analyzer decides which sibling words are values of one
parameter and names the parameters. The rules, in order, at each position of the path trie:

1. **reference** - a template from ``--spec`` or a pinned template in the config wins;
2. **value type** - placeholders of any kind at one position are one parameter (mixed ids);
3. **short integers** - several 1-2 digit siblings are a parameter; a lone one near the root is
   a version (``/2/tweets``) and stays literal;
4. **sibling cardinality** - sibling words that behave alike (same continuations, same methods,
   same response fields, requests spread over them in the same proportions) and are numerous
   enough are one parameter;
5. otherwise a word is a **literal**: ``/users/me`` beside ``/users/{userId}`` keeps its own
   behaviour and stays an endpoint of its own.

A custom method (``/v3/{parent}:translateText``, Google's AIP-136) is a parameter and a literal
in one segment. In the trie its ``:verb`` becomes a child of the value, so the value is compared
with its siblings by everything it does (``/v3/p1``, ``/v3/p1/glossaries``, ``/v3/p1:cancel``),
and the two are joined again in the final template. A word is split so only when it is clearly a
custom method: its value part is an id, or another value has the same verb, or the value part is
a sibling of its own.

The other way round, a literal name with an id after its dot (``/tags/tagTypes.1000``) arrives
already typed (``tagTypes.{int}``): the name stays literal and the value is a ``{format}``
parameter (rule **extension**), as Rails' ``.:format``.

A parameter's type is that of the values its endpoint received: ``/v3/{parent}:translateText``
with integers is an integer even where the same position holds slugs for other endpoints.

Each decision is recorded as a `SegmentDecision` so ``tracehound explain`` can say which rule
and what evidence made a segment a parameter.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from tracehound.pipeline.segments import (
    SHORT_INT_DIGITS,
    is_placeholder,
    parameter_of,
    segment_matches,
    split_extension,
    split_suffix,
    value_form,
    value_part,
    with_parameter,
)
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
MAX_ANCHORS = 24
"""Siblings tried as seeds of a parameter group (the busiest first), bounding the work per node."""
RECURRENT_PARENTS = 3
"""Distinct parents after which a word shaped like a value is one (see `_recurrence`)."""
CONFLICT_SHARE = 0.25
"""Share of a group a member may answer differently from (sampling noise) and stay in it."""
MAX_WITNESSES = 16
"""Group members a sibling is compared with before it joins a group."""
DIVERGE_Z = 3.719
"""Normal quantile of the homogeneity test's level (p = 1e-4): two values of one parameter
diverge by chance that seldom, so many comparisons per node still rarely split a parameter."""
EXTENSION_NAME = "format"
"""Name of a parameter after a literal name's dot (``/tags.{format}``), as Rails' ``.:format``."""
DIVERGE_MIN_HITS = 3
"""Requests each sibling needs before its mix of continuations is compared."""


@dataclass(frozen=True)
class SegmentDecision:
    """Why one segment of a final template is what it is."""

    segment: str
    rule: str
    evidence: str


@dataclass
class Observed:
    """One provisional endpoint: the unit that templating groups."""

    method: str
    segments: tuple[str, ...]
    profile: EndpointProfile


@dataclass
class _Node:
    children: dict[str, _Node] = field(default_factory=dict)
    endpoints: list[Observed] = field(default_factory=list)
    values: set[str] = field(default_factory=set)
    """The concrete words merged into this node (for evidence)."""

    def add(self, obs: Observed, depth: int = 0) -> None:
        node = self
        for seg in obs.segments:
            node = node.children.setdefault(seg, _Node())
        node.endpoints.append(obs)

    def absorb(self, other: _Node) -> None:
        self.endpoints.extend(other.endpoints)
        self.values |= other.values
        for seg, child in other.children.items():
            mine = self.children.get(seg)
            if mine is None:
                self.children[seg] = child
            else:
                mine.absorb(child)

    def walk(self) -> Iterable[Observed]:
        yield from self.endpoints
        for child in self.children.values():
            yield from child.walk()


@dataclass(frozen=True)
class Template:
    """A final template, and the decision behind each segment."""

    segments: tuple[str, ...]
    decisions: tuple[SegmentDecision, ...]
    kinds: tuple[str | None, ...] = ()
    """Per segment: the value kind of a parameter (``int``, ``uuid``, ``str``...), None for literals."""

    @property
    def path(self) -> str:
        return "/" + "/".join(self.segments)


class ReferenceTemplates:
    """Templates that win over inference: from a reference spec or pinned in the config."""

    def __init__(self, templates: Iterable[str] = ()) -> None:
        self._templates: list[tuple[tuple[str, ...], str]] = []
        for t in templates:
            self.add(t)

    def add(self, template: str) -> None:
        segs = tuple(s for s in template.split("/") if s)
        self._templates.append((segs, template))

    def __bool__(self) -> bool:
        return bool(self._templates)

    def match(self, concrete: Sequence[str]) -> tuple[str, ...] | None:
        """The most specific reference template matching a provisional path, or None."""
        best: tuple[str, ...] | None = None
        best_literals = -1
        for segs, _ in self._templates:
            if len(segs) != len(concrete):
                continue
            literals = 0
            for want, have in zip(segs, concrete, strict=True):
                if is_placeholder(want):
                    continue
                if not segment_matches(want, have):
                    break
                literals += 1
            else:
                if literals > best_literals:
                    best, best_literals = segs, literals
        return best


def infer_templates(
    observed: Sequence[Observed],
    reference: ReferenceTemplates | None = None,
    keep_literal: Iterable[str] = (),
) -> dict[tuple[str, tuple[str, ...]], Template]:
    """Map every (method, provisional segments) of one service to its final template."""
    result: dict[tuple[str, tuple[str, ...]], Template] = {}
    keep = {tuple(s for s in p.split("/") if s) for p in keep_literal}
    root = _Node()
    for obs in observed:
        ref = reference.match(obs.segments) if reference else None
        if ref is not None:
            decisions = tuple(
                SegmentDecision(s, "reference", "a template from the reference spec or config")
                if parameter_of(s) is not None
                else SegmentDecision(s, "literal", "literal in the reference template")
                for s in ref
            )
            result[(obs.method, obs.segments)] = Template(ref, decisions)
        else:
            root.add(obs)
    _split_custom_methods(root)
    parents = _recurrence(root)
    context = _Context(keep, parents, _companions(root, parents))
    _resolve(root, (), (), context, result)
    _join_custom_methods(result)
    _type_parameters(result)
    _name_parameters(result)
    return result


_SUFFIX = "\x00"
"""Marks a literal suffix (``:verb``, ``.json``) moved below its value in the trie."""


_SUFFIX_RULES = {
    True: ("custom method", "a ':verb' suffix after the value (AIP-136)"),
    False: ("format suffix", "a response format extension after an id"),
}


def _is_verb(seg: str) -> bool:
    """A custom method's ``:verb`` (or a format suffix) as it sits in the trie, below its value."""
    return seg.startswith(_SUFFIX)


def _split_custom_methods(node: _Node) -> None:
    """Move ``value:verb`` children to ``value`` -> ``:verb`` where they read as custom methods.

    ``images:annotate`` next to ``files:annotate`` splits too and stays literal unless its value
    part is merged with siblings; ``user:alice`` beside ``user:bob`` (a namespace, not a verb)
    does not, as no value part shares a verb.
    """
    candidates: dict[str, tuple[str, str]] = {}
    for seg in node.children:
        parts = split_suffix(seg)
        if parts is not None and (parts[1][0] == ":" or is_placeholder(parts[0])):
            candidates[seg] = parts
    if candidates:
        values: dict[str, set[str]] = {}
        for value, verb in candidates.values():
            values.setdefault(verb, set()).add(value)
        for seg, (value, verb) in candidates.items():
            if is_placeholder(value) or len(values[verb]) >= 2 or value in node.children:
                child = node.children.pop(seg)
                holder = node.children.setdefault(value, _Node())
                mine = holder.children.get(_SUFFIX + verb)
                if mine is None:
                    holder.children[_SUFFIX + verb] = child
                else:
                    mine.absorb(child)
    for child in node.children.values():
        _split_custom_methods(child)


@dataclass(frozen=True)
class _Context:
    keep: set[tuple[str, ...]]
    """Provisional paths pinned literal by the config."""
    parents: dict[str, int]
    """Per word: how many distinct parent segments it follows anywhere in the service."""
    companions: dict[str, int] = field(default_factory=dict)
    """Per word: under how many distinct parents it sits beside a recurring value-shaped word."""


def _parent_name(seg: str) -> str:
    """A segment as a parent in `_recurrence`: all ids are one parent."""
    return "{}" if is_placeholder(seg) else seg


def _recurrence(root: _Node) -> dict[str, int]:
    """How many distinct parent segments each word follows (all ids count as one parent).

    The value of a parameter used across the API (an account, a tenant, a project) follows
    many different collection names: ``/resources/acme-corp``, ``/roles/acme-corp/...``.
    """
    parents: dict[str, set[str]] = {}
    stack: list[tuple[str, _Node]] = [("", root)]
    while stack:
        name, node = stack.pop()
        parent = _parent_name(name)
        for seg, child in node.children.items():
            if not is_placeholder(seg) and not _is_verb(seg):
                parents.setdefault(seg, set()).add(parent)
            stack.append((seg, child))
    return {w: len(p) for w, p in parents.items()}


def _companions(root: _Node, parents: dict[str, int]) -> dict[str, int]:
    """Per word, under how many distinct parents it sits beside a recurring value-shaped word.

    A parameter shared across the API often has only a few values, and not every value reads
    as one by its form (``acme`` beside ``acme-corp-east``). A word that recurs under the same
    parents as a recurring value, beside it each time, is another value of that parameter.
    """
    recurring = {
        w for w, n in parents.items() if n >= RECURRENT_PARENTS and value_form(w, corroborated=True) is not None
    }
    beside: dict[str, set[str]] = {}
    stack: list[tuple[str, _Node]] = [("", root)]
    while stack:
        name, node = stack.pop()
        values = [seg for seg in node.children if seg in recurring]
        if values:
            parent = _parent_name(name)
            for seg in node.children:
                if seg in recurring and len(values) == 1:
                    continue
                if not is_placeholder(seg) and not _is_verb(seg):
                    beside.setdefault(seg, set()).add(parent)
        stack.extend(node.children.items())
    return {w: len(p) for w, p in beside.items()}


def _resolve(
    node: _Node,
    prefix: tuple[str, ...],
    decisions: tuple[SegmentDecision, ...],
    context: _Context,
    result: dict[tuple[str, tuple[str, ...]], Template],
) -> None:
    for obs in node.endpoints:
        result[(obs.method, obs.segments)] = Template(prefix, decisions)
    if not node.children:
        return
    depth = len(prefix)
    placeholders = [s for s in node.children if is_placeholder(s)]
    words = [s for s in node.children if not is_placeholder(s) and not _is_verb(s) and (*prefix, s) not in context.keep]
    merged: list[str] = []
    decision: SegmentDecision | None = None
    if placeholders:
        merged.extend(placeholders)
        kinds = sorted({p[1:-1] for p in placeholders})
        count = sum(sum(o.profile.count for o in node.children[p].walk()) for p in placeholders)
        decision = SegmentDecision("", "value type", f"{count} requests with {'/'.join(kinds)} values here")
    short_ints = [w for w in words if w.isdigit() and len(w) <= SHORT_INT_DIGITS]
    if short_ints and (placeholders or len(short_ints) >= 2 or (depth >= 2 and not _has_subtree(node, short_ints))):
        merged.extend(short_ints)
        decision = decision or SegmentDecision(
            "", "short integers", f"{len(short_ints)} distinct small integers at this position"
        )
    words = [w for w in words if w not in short_ints]
    alike, evidence = _alike_words(node, words)
    if alike:
        merged.extend(alike)
        decision = SegmentDecision("", "sibling cardinality", evidence)
    # Behaving as the typed ids beside them corroborates words with fewer signs of a value.
    shaped = [w for w in words if w not in alike and value_form(w, corroborated=True) is not None]
    if shaped and placeholders:
        joined = _alike_to_ids(node, shaped, placeholders)
        if joined:
            merged.extend(joined)
            decision = SegmentDecision(
                "",
                "value type",
                f"{decision.evidence if decision else ''}; {len(joined)} words shaped like values behave as these ids",
            )
    recurring = [
        w
        for w in words
        if w not in merged
        and context.parents.get(w, 0) >= RECURRENT_PARENTS
        and value_form(w, corroborated=True) is not None
    ]
    companions = [
        w
        for w in words
        if w not in merged
        and w not in recurring
        and min(context.parents.get(w, 0), context.companions.get(w, 0)) >= RECURRENT_PARENTS
    ]
    if companions and recurring:
        behaviour = _behaviours(node, [*companions, *recurring])
        recurring.extend(c for c in companions if any(_alike(behaviour[c], behaviour[r]) for r in recurring))
    if recurring:
        merged.extend(recurring)
        decision = decision or SegmentDecision(
            "",
            "recurring value",
            f"{len(recurring)} words shaped like values, each following at least {RECURRENT_PARENTS} "
            "different parents in this service",
        )
    literal_children = [s for s in node.children if s not in merged]
    for seg in literal_children:
        child = node.children[seg]
        if _is_verb(seg):
            why = SegmentDecision(seg, *_SUFFIX_RULES[seg[len(_SUFFIX)] == ":"])
        elif parameter_of(seg) is not None:
            count = sum(o.profile.count for o in child.walk())
            why = SegmentDecision(
                seg, "extension", f"{count} requests with {seg.split('.')[-1][1:-1]} values after this name's dot"
            )
        else:
            why = SegmentDecision(seg, "literal", "a word with its own behaviour")
        _resolve(child, (*prefix, seg), (*decisions, why), context, result)
    if merged and decision is not None:
        combined = _Node()
        for seg in merged:
            child = node.children[seg]
            if not is_placeholder(seg):
                child.values.add(seg)
            combined.absorb(child)
        kinds = sorted({s[1:-1] for s in merged if is_placeholder(s)})
        if any(not is_placeholder(s) for s in merged):
            kinds = sorted(set(kinds) | {"int" if all(s.isdigit() for s in merged if not is_placeholder(s)) else "str"})
        kind = kinds[0] if len(kinds) == 1 else "str"
        seg = "{" + kind + "}"
        _resolve(
            combined,
            (*prefix, seg),
            (*decisions, SegmentDecision(seg, decision.rule, decision.evidence)),
            context,
            result,
        )


def _alike_to_ids(node: _Node, words: list[str], placeholders: list[str]) -> list[str]:
    """Words shaped like values that behave as the typed ids beside them (ids typing missed)."""
    behaviour = _behaviours(node, [*words, *placeholders])
    return [w for w in words if any(_alike(behaviour[w], behaviour[p]) for p in placeholders)]


def _has_subtree(node: _Node, segs: Iterable[str]) -> bool:
    return any(node.children[s].children for s in segs)


def _relative_endpoints(node: _Node) -> list[tuple[tuple[str, ...], Observed]]:
    """Every endpoint below a node with its path relative to the node."""
    out: list[tuple[tuple[str, ...], Observed]] = []

    def visit(n: _Node, rel: tuple[str, ...]) -> None:
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
    hits: int
    id_child: bool
    """Whether ids (typed placeholders) follow the word directly, as below a collection name."""
    traffic: dict[Shape, int] = field(default_factory=dict)
    """Requests per continuation (method and abstracted relative path)."""


def _behaviours(node: _Node, words: list[str]) -> dict[str, Behaviour]:
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
    raw: dict[str, tuple[set[Shape], dict[Shape, set[str]], int]] = {}
    traffic: dict[str, dict[Shape, int]] = {}
    for w, entries in rels.items():
        shapes: set[Shape] = set()
        fields: dict[Shape, set[str]] = {}
        hits = 0
        counts = traffic[w] = {}
        for rel, obs in entries:
            shape = tuple(_abstract(seg, shared[(i, seg)] >= quorum) for i, seg in enumerate(rel))
            key = (obs.method, shape)
            shapes.add(key)
            counts[key] = counts.get(key, 0) + obs.profile.count
            # Sparse samples of one deep subtree share its upper levels, whatever the leaves.
            shapes.update(("", shape[:i]) for i in range(1, len(shape)))
            found = _response_fields(obs.profile)
            if found:
                # Fields are compared per endpoint: a word below shared by two siblings is kept,
                # so ``features/links`` and ``features/domains`` are not one continuation here.
                concrete = tuple(_abstract(seg, shared[(i, seg)] >= 2) for i, seg in enumerate(rel))
                fields.setdefault((obs.method, concrete), set()).update(found)
            hits += obs.profile.count
        raw[w] = (shapes, fields, hits)
    _spread_maps(raw)
    having: dict[Shape, int] = {}
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


def _spread_maps(raw: dict[str, tuple[set[Shape], dict[Shape, set[str]], int]]) -> None:
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


def _alike(a: Behaviour, b: Behaviour) -> bool:
    return _overlap(a.shapes, b.shapes) >= SIMILAR and not _conflict(a, b) and not _diverge(a, b)


def _diverge(a: Behaviour, b: Behaviour) -> bool:
    """Whether two siblings spread their requests over continuations too differently to share a handler.

    Requests reach the endpoints below a parameter in proportions that do not depend on its
    value; collections each have their own mix (``/secrets`` mostly POSTed below, ``/roles``
    mostly read). Sparse siblings never diverge: they are judged by their shapes alone.
    """
    return _divergence(a.traffic, a.hits, b.traffic, b.hits) > 1.0


def _divergence(a: dict[Shape, int], na: int, b: dict[Shape, int], nb: int) -> float:
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
        ca, cb = a.get(key, 0), b.get(key, 0)
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
    pooled: dict[Shape, int] = {}
    for w in members:
        _add_traffic(pooled, behaviour[w].traffic, 1)
    hits = sum(behaviour[w].hits for w in members)
    for _ in range(MAX_ANCHORS):
        scores = {
            w: _divergence(b.traffic, b.hits, _without(pooled, b.traffic), hits - b.hits)
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


def _add_traffic(into: dict[Shape, int], traffic: dict[Shape, int], sign: int) -> None:
    for key, n in traffic.items():
        into[key] = into.get(key, 0) + sign * n


def _without(pooled: dict[Shape, int], traffic: dict[Shape, int]) -> dict[Shape, int]:
    """The pooled mix less one member's."""
    rest = {key: pooled[key] - n for key, n in traffic.items()}
    return {**pooled, **rest}


def _alike_words(node: _Node, words: list[str]) -> tuple[list[str], str]:
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
    if len(words) < FEW_ALIKE:
        return [], ""
    behaviour = _behaviours(node, words)
    order = sorted(words, key=lambda w: (-behaviour[w].hits, w))
    best: list[str] = []
    for anchor in order[:MAX_ANCHORS]:
        group = _consistent([w for w in order if _alike(behaviour[anchor], behaviour[w])], behaviour)
        if len(group) > len(best):
            best = group
    if len(best) < FEW_ALIKE:
        return [], ""
    members, rest = list(best), [w for w in order if w not in best]
    pooled: dict[Shape, int] = {}
    for m in members:
        _add_traffic(pooled, behaviour[m].traffic, 1)
    hits = sum(behaviour[m].hits for m in members)
    grown = True
    while grown and rest:
        grown = False
        for w in list(rest):
            b = behaviour[w]
            witnesses = members[:MAX_WITNESSES]
            alike = sum(_alike(b, behaviour[m]) for m in witnesses)
            if 2 * alike > len(witnesses) and _divergence(b.traffic, b.hits, pooled, hits) <= 1.0:
                members.append(w)
                rest.remove(w)
                _add_traffic(pooled, b.traffic, 1)
                hits += b.hits
                grown = True
    if len(members) >= MANY_ALIKE:
        return members, f"{len(members)} distinct words here with the same continuations and response fields"
    forms = [value_form(w) for w in members]
    valued = [f for f in forms if f is not None]
    collections = sum(behaviour[w].id_child for w in members)
    if 2 * len(valued) >= len(members) and 2 * collections < len(members):
        kinds = "/".join(sorted(set(valued)))
        return members, (
            f"{len(members)} distinct words here with the same continuations and response fields, "
            f"{len(valued)} of them shaped like values ({kinds})"
        )
    return [], ""


def singular(word: str) -> str:
    """A rough English singular for naming parameters after their collection."""
    w = word.lower()
    for suffix, repl in (("ies", "y"), ("sses", "ss"), ("xes", "x"), ("ches", "ch"), ("shes", "sh")):
        if w.endswith(suffix) and len(w) > len(suffix) + 1:
            return word[: -len(suffix)] + repl
    if w.endswith("s") and not w.endswith(("ss", "us", "is")) and len(w) > 3:
        return word[:-1]
    return word


def _camel(word: str) -> str:
    parts = [p for p in "".join(c if c.isalnum() else " " for c in word).split() if p]
    if not parts:
        return ""
    return parts[0][0].lower() + parts[0][1:] + "".join(p[:1].upper() + p[1:] for p in parts[1:])


def parameter_name(parent: str | None, kind: str) -> str:
    """``/users/{userId}``: named after the parent segment; ``date`` and ``email`` by kind."""
    if kind in ("date", "email"):
        return kind
    if parent is None or parameter_of(parent) is not None or not any(c.isalpha() for c in parent):
        return "id"
    base = _camel(singular(parent))
    return f"{base}Id" if base else "id"


def _join_custom_methods(result: dict[tuple[str, tuple[str, ...]], Template]) -> None:
    """Join every trie ``:verb`` to the value before it: one segment per path segment again."""
    for key, template in list(result.items()):
        if not any(_is_verb(s) for s in template.segments):
            continue
        segments: list[str] = []
        decisions: list[SegmentDecision] = []
        for seg, dec in zip(template.segments, template.decisions, strict=True):
            if _is_verb(seg) and segments:
                last = decisions[-1]
                segments[-1] += seg[len(_SUFFIX) :]
                evidence = f"{last.evidence}; followed by a {_SUFFIX_RULES[seg[len(_SUFFIX)] == ':'][0]}"
                decisions[-1] = SegmentDecision(segments[-1], last.rule, evidence)
            else:
                segments.append(seg)
                decisions.append(dec)
        result[key] = Template(tuple(segments), tuple(decisions))


def _type_parameters(result: dict[tuple[str, tuple[str, ...]], Template]) -> None:
    """Type each inferred parameter by the values of the endpoint it ends in.

    Values of several parameters may share a position (``/v3/{name}`` with slugs beside
    ``/v3/{parent}:translateText`` with integers): a type from the whole position would be wrong
    for both, one from the provisional paths merged into the final endpoint is not.
    """
    groups: dict[tuple[str, tuple[str, ...]], list[tuple[tuple[str, ...], Template]]] = {}
    for (method, provisional), template in result.items():
        shape = tuple(_skeleton(s) for s in template.segments)
        groups.setdefault((method, shape), []).append((provisional, template))
    for (method, _), members in groups.items():
        kinds: dict[int, set[str]] = {}
        for provisional, template in members:
            for i, (seg, dec) in enumerate(zip(template.segments, template.decisions, strict=True)):
                if dec.rule != "reference" and parameter_of(seg) is not None and i < len(provisional):
                    kinds.setdefault(i, set()).add(_value_kind(provisional[i], seg))
        for provisional, template in members:
            segments = list(template.segments)
            for i, found in kinds.items():
                kind = next(iter(found)) if len(found) == 1 else "str"
                segments[i] = with_parameter(segments[i], kind)
            result[(method, provisional)] = Template(tuple(segments), template.decisions)


def _skeleton(seg: str) -> str:
    """A template segment with its parameter's kind erased: ``{int}:cancel`` reads ``{}:cancel``."""
    return with_parameter(seg, "")


def _value_kind(provisional: str, template_seg: str) -> str:
    """The kind of a provisional segment's value: its placeholder's, else ``int`` or ``str``."""
    value = provisional if is_placeholder(template_seg) else value_part(provisional)
    if is_placeholder(value):
        return value[1:-1]
    return "int" if value.isdigit() else "str"


def _name_parameters(result: dict[tuple[str, tuple[str, ...]], Template]) -> None:
    """Replace ``{kind}`` placeholders by readable, per-template unique names."""
    for key, template in list(result.items()):
        names: list[str] = []
        out: list[str] = []
        decisions: list[SegmentDecision] = []
        kinds: list[str | None] = []
        for i, (seg, dec) in enumerate(zip(template.segments, template.decisions, strict=True)):
            held = parameter_of(seg)
            inferred = held is not None and dec.rule != "reference"
            kinds.append(held if inferred else None)
            if held is not None and inferred:
                parent = template.segments[i - 1] if i else None
                # A value after a name's dot is the format the name is asked for (``tags.{format}``).
                name = EXTENSION_NAME if split_extension(seg) else parameter_name(parent, held)
                unique, n = name, 2
                while unique in names:
                    unique, n = f"{name}{n}", n + 1
                names.append(unique)
                seg = with_parameter(seg, unique)
            elif held is not None:
                names.append(held)
            out.append(seg)
            decisions.append(SegmentDecision(seg, dec.rule, dec.evidence))
        result[key] = Template(tuple(out), tuple(decisions), tuple(kinds))

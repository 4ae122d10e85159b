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
   same response fields) and are numerous enough are one parameter;
5. otherwise a word is a **literal**: ``/users/me`` beside ``/users/{userId}`` keeps its own
   behaviour and stays an endpoint of its own.

Each decision is recorded as a `SegmentDecision` so ``tracehound explain`` can say which rule
and what evidence made a segment a parameter.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from tracehound.pipeline.segments import SHORT_INT_DIGITS, is_placeholder
from tracehound.profiles.endpoint import EndpointProfile
from tracehound.profiles.schema import SchemaNode

MANY_ALIKE = 8
"""Alike sibling words that make a parameter by themselves."""
ALWAYS_PARAMETER = 50
"""Sibling words beyond which a position is a parameter whatever they look like."""
SIMILAR = 0.5
"""Overlap of continuations and of response fields above which two siblings behave alike."""
ENVELOPE_SHARE = 0.8
"""Response fields shared by this share of siblings are envelope, not behaviour."""


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
                if want != have:
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
                if is_placeholder(s)
                else SegmentDecision(s, "literal", "literal in the reference template")
                for s in ref
            )
            result[(obs.method, obs.segments)] = Template(ref, decisions)
        else:
            root.add(obs)
    _resolve(root, (), (), keep, result)
    _name_parameters(result)
    return result


def _resolve(
    node: _Node,
    prefix: tuple[str, ...],
    decisions: tuple[SegmentDecision, ...],
    keep: set[tuple[str, ...]],
    result: dict[tuple[str, tuple[str, ...]], Template],
) -> None:
    for obs in node.endpoints:
        result[(obs.method, obs.segments)] = Template(prefix, decisions)
    if not node.children:
        return
    depth = len(prefix)
    placeholders = [s for s in node.children if is_placeholder(s)]
    words = [s for s in node.children if not is_placeholder(s) and (*prefix, s) not in keep]
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
    alike = _alike_words(node, words)
    if alike:
        merged.extend(alike)
        decision = SegmentDecision(
            "",
            "sibling cardinality",
            f"{len(alike)} distinct words here with the same continuations and response fields",
        )
    literal_children = [s for s in node.children if s not in merged]
    for seg in literal_children:
        child = node.children[seg]
        _resolve(
            child,
            (*prefix, seg),
            (*decisions, SegmentDecision(seg, "literal", "a word with its own behaviour")),
            keep,
            result,
        )
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
            keep,
            result,
        )


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


Behaviour = tuple[frozenset[Any], frozenset[Any]]


def _behaviours(node: _Node, words: list[str]) -> dict[str, Behaviour]:
    """What can follow each sibling word, and the response fields found there.

    Below ``/repos/alice`` and ``/repos/bob`` lie different repository names but the same
    ``issues`` and ``pulls``: a deeper word is kept only when at least half of the siblings
    have it at that depth (others read ``*``), so siblings that are values of one parameter get
    equal continuations. Response fields are compared per continuation, so ``/users/{id}`` and
    ``/orders/{id}`` differ even though both continue with an id.
    """
    rels = {w: _relative_endpoints(node.children[w]) for w in words}
    shared: dict[tuple[int, str], int] = {}
    for entries in rels.values():
        for key in {(i, seg) for rel, _ in entries for i, seg in enumerate(rel)}:
            shared[key] = shared.get(key, 0) + 1
    quorum = max(2, len(words) / 2)
    out: dict[str, Behaviour] = {}
    for w, entries in rels.items():
        sig: set[Any] = set()
        fields: set[Any] = set()
        for rel, obs in entries:
            shape = tuple(
                seg if is_placeholder(seg) or shared[(i, seg)] >= quorum else "*" for i, seg in enumerate(rel)
            )
            sig.add((obs.method, shape))
            fields.update((obs.method, shape, f) for f in _response_fields(obs.profile))
        out[w] = (frozenset(sig), frozenset(fields))
    # Envelope fields every sibling returns (``data``, ``links``, ``meta``) say nothing.
    field_counts: dict[Any, int] = {}
    for _, fields_of in out.values():
        for f in fields_of:
            field_counts[f] = field_counts.get(f, 0) + 1
    common = {f for f, n in field_counts.items() if n >= ENVELOPE_SHARE * len(words)}
    return {w: (sig, fields_of - common) for w, (sig, fields_of) in out.items()}


def _response_fields(profile: EndpointProfile, depth: int = 3) -> set[str]:
    """Field paths of the successful JSON responses of an endpoint, a few levels deep."""
    out: set[str] = set()

    def visit(node: SchemaNode, prefix: str, level: int) -> None:
        if level >= depth:
            return
        for key, child in node.properties.items():
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


def _alike(a: Behaviour, b: Behaviour) -> bool:
    (sig_a, fields_a), (sig_b, fields_b) = a, b
    if _overlap(sig_a, sig_b) < SIMILAR:
        return False
    return not fields_a or not fields_b or _overlap(fields_a, fields_b) >= SIMILAR


def _alike_words(node: _Node, words: list[str]) -> list[str]:
    """Sibling words that behave as values of one parameter, if there are enough of them.

    The largest group alike to one anchor seeds the parameter; words alike to any member then
    join it (sparse samples of one behaviour overlap in a chain rather than all with one anchor).
    """
    if len(words) < MANY_ALIKE:
        return []
    if len(words) >= ALWAYS_PARAMETER:
        return list(words)
    behaviour = _behaviours(node, words)
    best: list[str] = []
    for anchor in words:
        group = [w for w in words if _alike(behaviour[anchor], behaviour[w])]
        if len(group) > len(best):
            best = group
    if len(best) < MANY_ALIKE:
        return []
    members, rest = list(best), [w for w in words if w not in best]
    grown = True
    while grown and rest:
        grown = False
        for w in list(rest):
            if any(_alike(behaviour[w], behaviour[m]) for m in members):
                members.append(w)
                rest.remove(w)
                grown = True
    return members


def singular(word: str) -> str:
    """A rough English singular for naming parameters after their collection."""
    w = word.lower()
    for suffix, repl in (("ies", "y"), ("sses", "ss"), ("xes", "x"), ("ches", "ch"), ("shes", "sh")):
        if w.endswith(suffix) and len(w) > len(suffix) + 1:
            return word[: -len(suffix)] + repl
    if w.endswith("s") and not w.endswith("ss") and len(w) > 3:
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
    if parent is None or is_placeholder(parent) or not any(c.isalpha() for c in parent):
        return "id"
    base = _camel(singular(parent))
    return f"{base}Id" if base else "id"


def _name_parameters(result: dict[tuple[str, tuple[str, ...]], Template]) -> None:
    """Replace ``{kind}`` placeholders by readable, per-template unique names."""
    for key, template in list(result.items()):
        names: list[str] = []
        out: list[str] = []
        decisions: list[SegmentDecision] = []
        kinds: list[str | None] = []
        for i, (seg, dec) in enumerate(zip(template.segments, template.decisions, strict=True)):
            kinds.append(seg[1:-1] if is_placeholder(seg) and dec.rule != "reference" else None)
            if is_placeholder(seg) and dec.rule != "reference":
                parent = template.segments[i - 1] if i else None
                name = parameter_name(parent, seg[1:-1])
                unique, n = name, 2
                while unique in names:
                    unique, n = f"{name}{n}", n + 1
                names.append(unique)
                seg = "{" + unique + "}"
            elif is_placeholder(seg):
                names.append(seg[1:-1])
            out.append(seg)
            decisions.append(SegmentDecision(seg, dec.rule, dec.evidence))
        result[key] = Template(tuple(out), tuple(decisions), tuple(kinds))

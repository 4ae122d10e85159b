"""Whole-picture templating: which provisional paths of a service are one endpoint.

Workers key profiles by provisional templates in which id-like values are already parameters
(``/users/{int}``) and words are literal (``/users/alice``, ``/users/me``). Here, over every
provisional path of a service, the analyzer decides which sibling words are values of one
parameter and names the parameters. The rules, in order, at each position of the path trie:

1. **reference** - a template from ``--spec`` or a pinned template in the config wins;
2. **value type** - placeholders of any kind at one position are one parameter (mixed ids);
3. **short integers** and **dates** - several 1-2 digit (or calendar date) siblings are a
   parameter; a lone one with endpoints below it is a version (``/2/tweets``, ``/2020-08-01/...``)
   and stays literal, as are version-shaped words (``v1``, ``v2beta``) whatever their siblings;
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

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from tracehound.analyzer._naming import name_parameters, type_parameters
from tracehound.analyzer._siblings import alike_to_ids, alike_words, behave_alike, behaviours
from tracehound.analyzer._trie import Node, Observed, SegmentDecision, Template
from tracehound.pipeline.segments import (
    SHORT_INT_DIGITS,
    is_placeholder,
    is_plain_date,
    is_version,
    parameter_of,
    segment_kind,
    segment_matches,
    split_suffix,
    value_form,
)

__all__ = ["Observed", "ReferenceTemplates", "SegmentDecision", "Template", "infer_templates"]

ID_LIKE_LENGTH = 8
"""Length from which a word with digits among its letters may join the typed ids it behaves as."""
RECURRENT_PARENTS = 3
"""Distinct parents after which a word shaped like a value is one (see `_recurrence`)."""


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
    weigh(observed)
    root = Node()
    # The trie's child order breaks ties (anchors, witnesses): built from sorted paths, the
    # result does not depend on the order the traffic came in.
    for obs in sorted(observed, key=lambda o: (o.segments, o.method)):
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
    type_parameters(result)
    name_parameters(result)
    return result


def weigh(observed: Sequence[Observed]) -> None:
    """Give each provisional endpoint its requests in units of the service's repetition.

    How requests spread over the endpoints below a word tells collections from values
    (`_siblings`). Raw counts would make that depend on volume: the same traffic given four
    times is four times as significant. Divided by the service's requests per distinct request,
    the same traffic given any number of times, in any order, weighs the same.
    """
    total = sum(o.profile.count for o in observed)
    distinct = sum(o.profile.distinct_requests() for o in observed)
    for o in observed:
        o.weight = o.profile.count * distinct / total if total else 0.0


_SUFFIX = "\x00"
"""Marks a literal suffix (``:verb``, ``.json``) moved below its value in the trie."""


_SUFFIX_RULES = {
    True: ("custom method", "a ':verb' suffix after the value (AIP-136)"),
    False: ("format suffix", "a response format extension after an id"),
}


def _is_verb(seg: str) -> bool:
    """A custom method's ``:verb`` (or a format suffix) as it sits in the trie, below its value."""
    return seg.startswith(_SUFFIX)


def _split_custom_methods(node: Node) -> None:
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
                holder = node.children.setdefault(value, Node())
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


def _recurrence(root: Node) -> dict[str, int]:
    """How many distinct parent segments each word follows (all ids count as one parent).

    The value of a parameter used across the API (an account, a tenant, a project) follows
    many different collection names: ``/resources/acme-corp``, ``/roles/acme-corp/...``.
    """
    parents: dict[str, set[str]] = {}
    stack: list[tuple[str, Node]] = [("", root)]
    while stack:
        name, node = stack.pop()
        parent = _parent_name(name)
        for seg, child in node.children.items():
            if not is_placeholder(seg) and not _is_verb(seg):
                parents.setdefault(seg, set()).add(parent)
            stack.append((seg, child))
    return {w: len(p) for w, p in parents.items()}


def _companions(root: Node, parents: dict[str, int]) -> dict[str, int]:
    """Per word, under how many distinct parents it sits beside a recurring value-shaped word.

    A parameter shared across the API often has only a few values, and not every value reads
    as one by its form (``acme`` beside ``acme-corp-east``). A word that recurs under the same
    parents as a recurring value, beside it each time, is another value of that parameter.
    """
    recurring = {
        w for w, n in parents.items() if n >= RECURRENT_PARENTS and value_form(w, corroborated=True) is not None
    }
    beside: dict[str, set[str]] = {}
    stack: list[tuple[str, Node]] = [("", root)]
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
    node: Node,
    prefix: tuple[str, ...],
    decisions: tuple[SegmentDecision, ...],
    context: _Context,
    result: dict[tuple[str, tuple[str, ...]], Template],
) -> None:
    for obs in node.endpoints:
        result[(obs.method, obs.segments)] = Template(prefix, decisions)
    if not node.children:
        return
    _join_extensions(node, prefix, context)
    depth = len(prefix)
    placeholders = [s for s in node.children if is_placeholder(s)]
    words = [s for s in node.children if not is_placeholder(s) and not _is_verb(s) and (*prefix, s) not in context.keep]
    # A file-like name (``media.json``, ``preview.jpg``, ``github-btn.html``) is a literal: names
    # are not gathered into a parameter by behaving alike (their values after the dot may be).
    words = [w for w in words if not _file_name(w)]
    merged: list[str] = []
    decision: SegmentDecision | None = None
    if placeholders:
        merged.extend(placeholders)
        kinds = sorted({p[1:-1] for p in placeholders})
        count = sum(sum(o.profile.distinct_requests() for o in node.children[p].walk()) for p in placeholders)
        decision = SegmentDecision("", "value type", f"{count} distinct requests with {'/'.join(kinds)} values here")
    short_ints = [w for w in words if w.isdigit() and len(w) <= SHORT_INT_DIGITS]
    if short_ints and (placeholders or len(short_ints) >= 2 or (depth >= 2 and not _has_subtree(node, short_ints))):
        merged.extend(short_ints)
        decision = decision or SegmentDecision(
            "", "short integers", f"{len(short_ints)} distinct small integers at this position"
        )
    words = [w for w in words if w not in short_ints]
    dates = [w for w in words if is_plain_date(w)]
    if dates and (placeholders or len(dates) >= 2 or not _has_subtree(node, dates)):
        merged.extend(dates)
        decision = decision or SegmentDecision("", "dates", f"{len(dates)} distinct dates at this position")
    # Versions (``v1``, ``v2beta``) and a lone date with endpoints below (``/2020-08-01/...``, an
    # API version) are literals whatever their siblings do.
    words = [w for w in words if w not in dates and not is_version(w) and not is_plain_date(w)]
    alike, evidence = alike_words(node, words, root=depth == 0)
    if alike:
        merged.extend(alike)
        decision = SegmentDecision("", "sibling cardinality", evidence)
    # Behaving as the typed ids beside them corroborates words with fewer signs of a value.
    shaped = [w for w in words if w not in alike and (value_form(w, corroborated=True) is not None or _id_like(w))]
    if shaped and placeholders:
        joined = alike_to_ids(node, shaped, placeholders)
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
        behaviour = behaviours(node, [*companions, *recurring])
        recurring.extend(c for c in companions if any(behave_alike(behaviour[c], behaviour[r]) for r in recurring))
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
            count = sum(o.profile.distinct_requests() for o in child.walk())
            kind = seg.split(".")[-1][1:-1]
            why = SegmentDecision(
                seg, "extension", f"{count} distinct requests with {kind} values after this name's dot"
            )
        else:
            why = SegmentDecision(seg, "literal", "a word with its own behaviour")
        _resolve(child, (*prefix, seg), (*decisions, why), context, result)
    if merged and decision is not None:
        combined = Node()
        for seg in merged:
            child = node.children[seg]
            if not is_placeholder(seg):
                child.values.add(seg)
            combined.absorb(child)
        kinds = sorted({s[1:-1] for s in merged if is_placeholder(s)})
        if any(not is_placeholder(s) for s in merged):
            kinds = sorted(set(kinds) | {_word_kind([s for s in merged if not is_placeholder(s)])})
        kind = kinds[0] if len(kinds) == 1 else "str"
        seg = "{" + kind + "}"
        _resolve(
            combined,
            (*prefix, seg),
            (*decisions, SegmentDecision(seg, decision.rule, decision.evidence)),
            context,
            result,
        )


def _id_like(seg: str) -> bool:
    """A long word mixing digits into letters (``0gxhIosophyi``): an id if it behaves as one.

    Compound names (``NetWorth``) have no digits; names with a number (``base64url``) are short.
    """
    if len(seg) < ID_LIKE_LENGTH or not seg.isalnum() or is_version(seg):
        return False
    return any(c.isdigit() for c in seg) and any(c.isalpha() for c in seg)


def _file_name(seg: str) -> bool:
    """A name with an extension, the name a word (``media.json``, ``relatedMedia.{str}``)."""
    parts = seg.rsplit(".", 1)
    if len(parts) != 2 or not parts[0] or not parts[1]:
        return False
    name = parts[0]
    return name[0].isalpha() and value_form(name) is None and segment_kind(name) is None


def _join_extensions(node: Node, prefix: tuple[str, ...], context: _Context) -> None:
    """Join ``name.a``, ``name.b``... (one name, several words after its dot) into ``name.{str}``.

    The values after a name's dot (``relatedMedia.json``, ``relatedMedia.xml``) are one
    parameter, the name a literal (rule **extension**, as Rails' ``.:format``). One value only
    stays literal (``languages.json``): a position with one value is no parameter.
    """
    by_name: dict[str, list[str]] = {}
    for seg in node.children:
        if is_placeholder(seg) or _is_verb(seg) or (*prefix, seg) in context.keep or parameter_of(seg) is not None:
            continue
        ext = _extension_parts(seg)
        if ext is not None:
            by_name.setdefault(ext[0], []).append(seg)
    for name, segs in by_name.items():
        if len(segs) < 2:
            continue
        joined = name + ".{str}"
        holder = node.children.setdefault(joined, Node())
        for seg in segs:
            child = node.children.pop(seg)
            child.values.add(seg)
            holder.absorb(child)


def _extension_parts(seg: str) -> tuple[str, str] | None:
    """``(name, value)`` of a word with one dot, the name a word: ``relatedMedia.far-public``."""
    if seg.count(".") != 1:
        return None
    name, value = seg.split(".")
    if not name or not value or not name[0].isalpha() or value_form(name) is not None:
        return None
    return name, value


def _word_kind(words: list[str]) -> str:
    """The kind of parameter values that arrived as words: ``int``, ``date`` or ``str``."""
    if all(w.isdigit() for w in words):
        return "int"
    return "date" if all(is_plain_date(w) for w in words) else "str"


def _has_subtree(node: Node, segs: Iterable[str]) -> bool:
    return any(node.children[s].children for s in segs)


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

"""Final templates made readable and typed: parameter names after their collection, types from values."""

from __future__ import annotations

import re

from tracehound.analyzer._trie import SegmentDecision, Template
from tracehound.pipeline.segments import (
    is_placeholder,
    is_plain_date,
    is_version,
    parameter_of,
    split_extension,
    value_form,
    value_part,
    with_parameter,
)

EXTENSION_NAME = "format"
"""Name of a parameter after a literal name's dot (``/tags.{format}``), as Rails' ``.:format``."""


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


_NAME = re.compile(r"[A-Za-z]+(?:[-_][A-Za-z]+)?")


def _collection_name(seg: str) -> bool:
    """Whether a literal segment reads as a collection's name, so a parameter may be named after it.

    A literal left beside a parameter may itself be a value (``big-design-much``, ``2x``,
    ``flooded-edit2.jpg``) or a version (``api-v2``): a name from it would be a value's.
    """
    return _NAME.fullmatch(seg) is not None and value_form(seg) is None and not is_version(seg)


def parameter_name(parent: str | None, kind: str) -> str:
    """``/users/{userId}``: named after the parent segment; ``date`` and ``email`` by kind."""
    if kind in ("date", "email"):
        return kind
    if parent is None or parameter_of(parent) is not None or not _collection_name(parent):
        return "id"
    base = _camel(singular(parent))
    return f"{base}Id" if base else "id"


def type_parameters(result: dict[tuple[str, tuple[str, ...]], Template]) -> None:
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
    if value.isdigit():
        return "int"
    return "date" if is_plain_date(value) else "str"


def name_parameters(result: dict[tuple[str, tuple[str, ...]], Template]) -> None:
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

"""Loading the documents a user hands over (the ``--config`` file, ``--spec`` references) within bounds.

``yaml.safe_load`` and ``json.loads`` trust their input's shape. PyYAML composes nodes by Python
recursion (three frames a level), so a few hundred nested ``[`` end in a ``RecursionError``
traceback instead of an error naming the file; ``json.loads`` recurses in C under the same guard.
And YAML aliases make a small document a huge tree: safe_load builds each anchored node once and
shares it, so loading is linear, but anything that walks the result (a ``$ref`` resolver, a
settings converter) walks every expansion, exponential in the nesting of aliases ("billion
laughs": nine aliases of nine aliases of... make 9**9 nodes from a few hundred bytes).

So a document is refused, with a reason the caller turns into its own error naming the file, when

- it nests deeper than ``MAX_DOCUMENT_DEPTH`` levels: checked while YAML is composed, before the
  recursion goes further, and on the loaded tree for JSON (``RecursionError`` is caught around both
  as a backstop);
- its tree, aliases expanded, has more than ``len(text) + ALIAS_NODE_ALLOWANCE`` nodes: a document
  without aliases always has fewer nodes than bytes, so only aliases can pass the bound, and what
  may walk the tree later is bounded by the file's size.

The checks cost one iterative pass over the loaded tree, level by level (no recursion), stopped as
soon as a bound is passed; next to PyYAML's own parsing it is noise.
"""

from __future__ import annotations

import json
import re
from itertools import chain
from typing import Any

import yaml

__all__ = ["ALIAS_NODE_ALLOWANCE", "MAX_DOCUMENT_DEPTH", "DocumentError", "check_tree", "load_json", "load_yaml"]

MAX_DOCUMENT_DEPTH = 128
"""Nesting of objects and arrays a config or spec may have; real ones stay under 30."""
ALIAS_NODE_ALLOWANCE = 100_000
"""Nodes a document's aliases may add to its tree beyond one per byte of the document."""


class DocumentError(ValueError):
    """A document that is too deep or expands too much; the message is the reason, without the file."""


_TOO_DEEP = f"nested deeper than {MAX_DOCUMENT_DEPTH} levels"


class _BoundedLoader(yaml.SafeLoader):
    """``SafeLoader`` that stops composing past ``MAX_DOCUMENT_DEPTH`` levels, before recursing on."""

    def __init__(self, stream: str | bytes) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self._depth > MAX_DOCUMENT_DEPTH:
            raise DocumentError(_TOO_DEEP)
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_scalar(self, node: yaml.ScalarNode | yaml.MappingNode) -> Any:
        value = super().construct_scalar(node)
        return _join_surrogates(value) if isinstance(value, str) else value


_SURROGATE = re.compile("[\ud800-\udfff]")


def _join_surrogates(text: str) -> str:
    """``text`` with each UTF-16 surrogate pair made the character it encodes.

    PyYAML reads a JSON escape pair (``"\\ud83d\\ude00"``, as ``json.dumps`` writes any character
    beyond the BMP) as two lone surrogates, which cannot be encoded, matched by re2 or stored; JSON
    parsers join them. A surrogate without its pair is refused.
    """
    if _SURROGATE.search(text) is None:
        return text
    try:
        return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le")
    except UnicodeDecodeError:
        raise DocumentError(
            "a string holds a lone UTF-16 surrogate escape (\\ud800-\\udfff without its pair)"
        ) from None


def load_yaml(text: str | bytes) -> Any:
    """``yaml.safe_load`` within the bounds; ``DocumentError`` past them, ``yaml.YAMLError`` if invalid."""
    loader = _BoundedLoader(text)
    try:
        value = loader.get_single_data()
    except RecursionError:
        raise DocumentError(_TOO_DEEP) from None
    finally:
        loader.dispose()
    check_tree(value, len(text) + ALIAS_NODE_ALLOWANCE)
    return value


def load_json(raw: str | bytes) -> Any:
    """``json.loads`` within the bounds; ``DocumentError`` past them, ``ValueError`` if invalid."""
    try:
        value = json.loads(raw)
    except RecursionError:
        raise DocumentError(_TOO_DEEP) from None
    check_tree(value, len(raw) + ALIAS_NODE_ALLOWANCE)
    return value


_CONTAINERS = (dict, list, tuple, set, frozenset)


def check_tree(value: Any, max_nodes: int, max_depth: int = MAX_DOCUMENT_DEPTH) -> None:
    """Raise ``DocumentError`` if ``value`` nests deeper than ``max_depth`` or has more than ``max_nodes``
    nodes (a node reached twice through a shared object counts twice, as a walker would meet it).

    Level by level, so the walk neither recurses nor, on a bomb, goes past ``max_nodes``.
    """
    level: list[Any] = [value]
    nodes = 0
    depth = 0
    while level:
        nodes += len(level)
        if nodes > max_nodes:
            raise DocumentError(f"more than {max_nodes} values once its aliases are expanded")
        containers = [n for n in level if isinstance(n, _CONTAINERS)]
        if not containers:
            return
        depth += 1
        if depth > max_depth:
            raise DocumentError(f"nested deeper than {max_depth} levels")
        # Sizes first: a level of shared lists is counted before it is built.
        if nodes + sum(map(len, containers)) > max_nodes:
            raise DocumentError(f"more than {max_nodes} values once its aliases are expanded")
        level = list(chain.from_iterable([n.values() if isinstance(n, dict) else n for n in containers]))

"""Key normalisation and key-name matching shared by the classifier modules.

A key hint is judged on the field's own name (``billingFirstName`` → ``billingfirstname``) and
its parent (``address.street`` → parent ``address``), never on the full path, so the same rules
hold at any nesting depth and for query, header, cookie and form fields alike.
"""

from __future__ import annotations

from collections.abc import Iterable

from tracehound.classifiers.base import FieldKey

_SCOPES = frozenset({"path", "query", "header", "cookie", "body"})
_DROP = str.maketrans("", "", "_-. []")


def normalise(name: str) -> str:
    """``first_Name[]`` → ``firstname``."""
    return name.lower().translate(_DROP)


def field_key(location: str) -> FieldKey:
    """Split ``response.body.items[].email`` into side, scope, key and parent."""
    side, _, rest = location.partition(".")
    scope, _, tail = rest.partition(".")
    if scope not in _SCOPES:
        scope = "other"
    if scope in ("header", "cookie", "query"):
        # Names of these may themselves contain dots; the whole name is the key.
        return FieldKey(location, side, scope, normalise(tail), "")
    parts = [p for p in tail.replace("[]", "").split(".") if p]
    key = normalise(parts[-1]) if parts else ""
    parent = normalise(parts[-2]) if len(parts) > 1 else ""
    return FieldKey(location, side, scope, key, parent)


def ends_with_any(key: str, suffixes: tuple[str, ...]) -> bool:
    return key.endswith(suffixes)


def contains_any(key: str, parts: Iterable[str]) -> bool:
    return any(p in key for p in parts)

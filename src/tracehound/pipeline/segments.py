"""What a path segment's value says about itself: an id of some kind, or a word.

This is the per-transaction half of templating and needs no state: a segment whose value is an
integer, UUID, hash, date, email or opaque token is a parameter whatever its siblings are. Words
(``users``, ``search``, ``alice``) are kept literal here; whether a set of sibling words is really
one parameter is decided later, over the whole picture, by ``analyzer.templating``.
"""

from __future__ import annotations

import re

PLACEHOLDER_KINDS = ("int", "uuid", "hex", "date", "email", "token", "str")
"""Kinds a provisional template may carry, as ``{kind}`` segments."""

_UUID = re.compile(r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}")
_HEX = re.compile(r"[0-9a-fA-F]{8,}")
_DATE = re.compile(r"\d{4}-\d\d-\d\d(?:[T ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:?\d\d)?)?|\d{8}")
_EMAIL = re.compile(r"[^@\s/]+@[^@\s/]+\.[A-Za-z]{2,}")
_VERSION = re.compile(r"[vV]\d+(?:\.\d+)*(?:[a-z]+\d*)?|\d+\.\d+(?:\.\d+)*")
_NUMBER = re.compile(r"-?\d+\.\d+")
_ALNUM = re.compile(r"[A-Za-z0-9_\-~.]+")
_VOWELS = frozenset("aeiouyAEIOUY")

SHORT_INT_DIGITS = 2
"""Integers this short (``/2/tweets``, ``/v1/1/``) may be versions: the analyzer decides."""


def segment_kind(seg: str) -> str | None:
    """The id kind of a segment value, or None when it reads as a word (a literal candidate)."""
    n = len(seg)
    if n == 0:
        return None
    first = seg[0]
    if first.isdigit():
        if seg.isdigit():
            if n <= SHORT_INT_DIGITS:
                return None
            if n == 8 and _DATE.fullmatch(seg) and seg[:2] in ("19", "20"):
                return "date"
            return "int"
        if _DATE.fullmatch(seg):
            return "date"
        if _NUMBER.fullmatch(seg):
            return None if _VERSION.fullmatch(seg) else "int"
    if seg.startswith("{") and seg.endswith("}"):
        return "str"
    if n >= 32 and _UUID.fullmatch(seg):
        return "uuid"
    if n >= 8 and _HEX.fullmatch(seg) and _has_digit(seg):
        return "hex"
    if "@" in seg and _EMAIL.fullmatch(seg):
        return "email"
    if _VERSION.fullmatch(seg):
        return None
    if n >= 8 and looks_random(seg):
        return "token"
    return None


def _has_digit(seg: str) -> bool:
    return any(c.isdigit() for c in seg)


def looks_random(seg: str) -> bool:
    """An opaque token rather than a word: digits mixed into letters, or unpronounceable case mix.

    Words, slugs, camelCase and snake_case literals read as words: their letters are mostly
    lower-case runs with vowels. Generated ids mix digits and both cases with few vowels.
    """
    if not _ALNUM.fullmatch(seg):
        return False
    letters = digits = upper = vowels = 0
    for c in seg:
        if c.isdigit():
            digits += 1
        elif c.isalpha():
            letters += 1
            if c.isupper():
                upper += 1
            if c in _VOWELS:
                vowels += 1
    if letters == 0:
        return digits >= 8
    if digits >= 2 and letters >= 2:
        # ``base64url``, ``sha256``, ``oauth2v2``: a digit run at the end of a word is a name.
        head = seg.rstrip("0123456789")
        return not (head.isalpha() and head.islower()) or digits >= 4
    if upper >= 2 and 2 * upper >= letters * 0.5 and not seg.isupper():
        # Mixed case beyond camelCase: camelCase has one capital per word.
        return upper * 3 > letters
    return letters >= 10 and vowels * 6 < letters


def placeholder(kind: str) -> str:
    return "{" + kind + "}"


def is_placeholder(seg: str) -> bool:
    return len(seg) > 2 and seg[0] == "{" and seg[-1] == "}"


def provisional_segments(segments: tuple[str, ...]) -> tuple[str, ...]:
    """The path with every id-like segment replaced by its ``{kind}`` placeholder."""
    out = []
    for seg in segments:
        kind = segment_kind(seg)
        out.append(seg if kind is None else placeholder(kind))
    return tuple(out)


def template_key(segments: tuple[str, ...]) -> str:
    """The string form used as a key: ``/users/{int}/orders``; the root is ``/``.

    A ``/`` inside a decoded segment (sent as ``%2F``) is written back as ``%2F``.
    """
    return "/" + "/".join(_escape(s) for s in segments)


def split_key(key: str) -> tuple[str, ...]:
    """The inverse of `template_key`."""
    return tuple(_unescape(s) for s in key.split("/") if s)


def _escape(seg: str) -> str:
    if "/" in seg or "%" in seg:
        return seg.replace("%", "%25").replace("/", "%2F")
    return seg


def _unescape(seg: str) -> str:
    if "%" in seg:
        return seg.replace("%2F", "/").replace("%25", "%")
    return seg

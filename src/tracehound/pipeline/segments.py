"""What a path segment's value says about itself: an id of some kind, or a word.

This is the per-transaction half of templating and needs no state: a segment whose value is an
integer, UUID, hash, date, email or opaque token is a parameter whatever its siblings are. Words
(``users``, ``search``, ``alice``) are kept literal here; whether a set of sibling words is really
one parameter is decided later, over the whole picture, by ``analyzer.templating``.

A segment may hold a parameter and a literal: a custom method (Google's AIP-136) appends a verb
to a resource, ``/v3/{parent}:translateText``. Its value part is typed as a segment of its own
(``{int}:translateText``); the template keeps the ``:verb`` suffix literal. A segment carrying a
decoded ``%2F`` (``projects%2Fp1``, GitLab's ``group%2Fproject``) is a value: path names are
never written with an encoded slash. A response format after an id (``/media/{id}.json``) is
kept the same way, as a literal suffix. The other way round, a name followed by a value after its
dot (``/tags/tagTypes.1000``, Rails' ``.:format``) is a literal name with a value extension:
``tagTypes.{int}``. A purely numeric dotted value is a version only when its parts are short
(``1.0``, ``3.11``); ``4135.1000`` is a number.

A plain calendar date (``2020-08-01``) is left a word here: it is as often an API version (AWS
and Azure date their API versions) as a value, and only the whole picture tells which, by how
many distinct dates a position holds (``analyzer.templating``). A date with a time of day is a
value.
"""

from __future__ import annotations

import functools
import itertools
import re

from tracehound.model.redaction import is_sensitive_text

PLACEHOLDER_KINDS = ("int", "uuid", "hex", "date", "email", "token", "str")
"""Kinds a provisional template may carry, as ``{kind}`` segments."""

_UUID = re.compile(r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}")
_HEX = re.compile(r"[0-9a-fA-F]{8,}")
_PLAIN_DATE = re.compile(r"(?:19|20)\d\d-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])")
_DATE = re.compile(r"\d{4}-\d\d-\d\d(?:[T ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:?\d\d)?)?|\d{8}")
_EMAIL = re.compile(r"[^@\s/]+@[^@\s/]+\.[A-Za-z]{2,}")
_VERSION = re.compile(r"[vV]\d+(?:\.\d+)*(?:[a-z]+\d*)?|\d+\.\d+(?:\.\d+)*")
_NUMBER = re.compile(r"-?\d+\.\d+")
_ALNUM = re.compile(r"[A-Za-z0-9_\-~.]+")
_VOWELS = frozenset("aeiouyAEIOUY")
_CAMEL_PART = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
_CONSONANT_RUN = re.compile(r"[b-df-hj-np-tv-xzB-DF-HJ-NP-TV-XZ]{5,}")
_DIGITS_INSIDE = re.compile(r"[A-Za-z]\d+[A-Za-z]")
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+){2,}")
_HANDLE = re.compile(r"[a-z][a-z._]{2,}\d{2,4}")
_ACRONYM_WORD = re.compile(r"[A-Z]{2,}[A-Z][a-z]{2,}")
_LONE_CAPITAL = re.compile(r"(?<=[a-z])(?:[A-UW-Z](?![A-Za-z])|V(?![A-Za-z0-9]))")
_LONG_CAPITALS = re.compile(r"[A-Z]{5,}[a-z]")
_WORD_CHARS = re.compile(r"[A-Za-z0-9_\-.~]+")
_CUSTOM_METHOD = re.compile(r"([^:]+):([a-z][A-Za-z0-9]*)")
_FORMAT_SUFFIX = re.compile(r"(.+)(\.(?:json|jsonp|xml|csv|tsv|yaml|yml|html|txt|rss|atom))")
_EXTENSION = re.compile(r"([A-Za-z][A-Za-z0-9_\-]*)\.([^.]+)")
_SHORT_VERSION = re.compile(r"\d{1,2}(?:\.\d{1,2})+")

SHORT_INT_DIGITS = 2
"""Integers this short (``/2/tweets``, ``/v1/1/``) may be versions: the analyzer decides."""


@functools.lru_cache(maxsize=65_536)
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
            return None if _PLAIN_DATE.fullmatch(seg) else "date"
        if _NUMBER.fullmatch(seg):
            return None if _SHORT_VERSION.fullmatch(seg) else "int"
    if seg.startswith("{") and seg.endswith("}"):
        return "str"
    if "/" in seg:
        return "str"
    if n >= 32 and _UUID.fullmatch(seg):
        return "uuid"
    if n >= 8 and _HEX.fullmatch(seg) and (_has_digit(seg) or n >= 32):  # 32+: a hash, never a word
        return "hex"
    if "@" in seg and _EMAIL.fullmatch(seg):
        return "email"
    if is_sensitive_text(seg):
        return "str"  # a card, phone, IBAN or address in the path is a value, never a name
    if _VERSION.fullmatch(seg):
        return None
    if n >= 8 and looks_random(seg):
        return "token"
    return None


def is_plain_date(seg: str) -> bool:
    """A calendar date without a time (``2020-08-01``): a value or a version, by its siblings."""
    return len(seg) == 10 and _PLAIN_DATE.fullmatch(seg) is not None


def is_version(seg: str) -> bool:
    """A version-shaped word (``v1``, ``v2beta1``, ``1.0``): literal, never a parameter's value."""
    return _VERSION.fullmatch(seg) is not None


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
    if upper >= 2 and 2 * upper >= letters * 0.5 and not seg.isupper() and upper * 3 > letters:
        # Mixed case beyond camelCase: camelCase has one capital per word, except after an
        # acronym (``XMLHttpRequest``), which reads as words with few signs of randomness.
        return not (_ACRONYM_WORD.search(seg) and gibberish(seg) <= 2)
    if upper and upper < letters and gibberish(seg) >= GIBBERISH_TOKEN:
        return True
    return letters >= 10 and vowels * 6 < letters


GIBBERISH_TOKEN = 4
"""Signs of a random mixed-case string (see `gibberish`) that make a token by themselves."""
GIBBERISH_VALUE = 3
"""Signs that make a mixed-case word read as a value, to be confirmed by its siblings."""
GIBBERISH_CORROBORATED = 2
"""Signs that make a mixed-case word read as a value when other evidence corroborates it."""


def gibberish(seg: str) -> int:
    """How many signs of a random string a mixed-case segment shows.

    CamelCase literals (``addToGroup``, ``XMLHttpRequest``, ``getPdfUrl``) split into word-like
    parts; random ids (``tj4wXgfWrW``) split into short unpronounceable parts with frequent case
    changes. Each sign alone occurs in real literals (``Http`` has no vowel, ``S3Buckets`` has a
    digit inside), so the count, not any one sign, decides.
    """
    return _part_signs(seg) + _whole_signs(seg)


def _part_signs(seg: str) -> int:
    """Signs of `gibberish` that point at one part of the segment that no word has."""
    signs = 0
    for part in _CAMEL_PART.findall(seg):
        if not part.isalpha():
            continue
        if len(part) >= 2 and not _VOWELS.intersection(part) and not part.isupper():
            signs += 1
        if len(part) == 1 and part.islower():
            signs += 1
        if _CONSONANT_RUN.search(part):
            signs += 1
    signs += len(_DIGITS_INSIDE.findall(seg))
    # A capital alone after lower-case letters at the end or before digits (``MayZ7``, ``XiS``):
    # names capitalise words, and a one-letter word ends a name only as a version (``ObjectsV2``)
    # or a service's short name (``S3``), which other signs seldom accompany.
    signs += len(_LONE_CAPITAL.findall(seg))
    # Acronyms are short: five capitals running into a word (``GEEPQMay``) seldom spell one.
    signs += len(_LONG_CAPITALS.findall(seg))
    return signs


def _whole_signs(seg: str) -> int:
    """Signs of `gibberish` measured over the whole segment: case switches, vowels, short parts.

    Short compound names reach these by themselves (``NetWorth`` switches case at every word
    and has two vowels in eight letters), so they weigh less than a part no word has.
    """
    signs = 0
    letters = [c for c in seg if c.isalpha()]
    switches = sum(1 for x, y in itertools.pairwise(seg) if x.isalpha() and y.isalpha() and x.isupper() != y.isupper())
    if switches >= 0.3 * max(1, len(letters) - 1):
        signs += 1
    if sum(c in _VOWELS for c in letters) < 0.3 * len(letters):
        signs += 1
    if sum(p.isalpha() and len(p) <= 2 for p in _CAMEL_PART.findall(seg)) >= 3:
        signs += 1
    return signs


def value_form(seg: str, *, corroborated: bool = False) -> str | None:
    """Why a word, left literal by `segment_kind`, is shaped like a value rather than a name.

    None for ordinary names. This is weak evidence: the analyzer uses it only together with
    siblings that behave alike. Forms: ``slug`` (three or more hyphenated parts, as article and
    project slugs), ``handle`` (a lower-case name with a number, as user names), ``token`` (a
    mixed-case string with signs of randomness), ``text`` (characters path names do not use:
    quotes, spaces, commas).

    ``corroborated`` says the caller has other evidence of a value (the word follows many
    different parents, or behaves as the typed ids beside it): a token then needs fewer signs
    of randomness (`GIBBERISH_CORROBORATED`), as one random id seldom shows them all, provided one
    of them is a part no word has; compound names (``NetWorth``) show only whole-string signs.
    """
    if not seg or parameter_of(seg) is not None:
        return None
    if not _WORD_CHARS.fullmatch(seg):
        return "text"
    if _SLUG.fullmatch(seg):
        return "slug"
    if _HANDLE.fullmatch(seg):
        return "handle"
    mixed = any(c.isupper() for c in seg[1:]) and any(c.islower() for c in seg)
    if len(seg) >= 6 and mixed:
        signs = gibberish(seg)
        if signs >= GIBBERISH_VALUE or (corroborated and signs >= GIBBERISH_CORROBORATED and _part_signs(seg) >= 1):
            return "token"
    return None


def split_custom_method(seg: str) -> tuple[str, str] | None:
    """``(value, verb)`` of a segment shaped as a custom method (``{int}:cancel``), else None.

    The verb is one lower-camelCase word after the only colon (``:batchGet``), as AIP-136 writes
    them; ``urn:isbn:1``, ``12:30`` or ``fe80::1`` are not custom methods.
    """
    if ":" not in seg:
        return None
    m = _CUSTOM_METHOD.fullmatch(seg)
    return (m.group(1), m.group(2)) if m else None


def split_suffix(seg: str) -> tuple[str, str] | None:
    """``(value, suffix)`` of a segment with a literal suffix: ``:verb`` or a format ``.json``."""
    if ":" in seg:
        parts = split_custom_method(seg)
        return (parts[0], ":" + parts[1]) if parts else None
    if "." in seg:
        m = _FORMAT_SUFFIX.fullmatch(seg)
        return (m.group(1), m.group(2)) if m else None
    return None


def split_extension(seg: str) -> tuple[str, str] | None:
    """``(name, value)`` of a literal name with a value after its dot: ``tagTypes.1000``, else None.

    The name must read as a word and the extension as an id (or be a placeholder already):
    ``report.pdf``, ``python3.11`` or ``v1.2`` are not split.
    """
    if "." not in seg:
        return None
    m = _EXTENSION.fullmatch(seg)
    if m is None:
        return None
    name, value = m.group(1), m.group(2)
    if is_placeholder(value):
        return name, value
    if segment_kind(name) is not None or _VERSION.fullmatch(seg) or segment_kind(value) is None:
        return None
    return name, value


def parameter_of(seg: str) -> str | None:
    """The parameter name a template segment holds: ``{userId}``, ``{name}:cancel``, ``tags.{format}``."""
    if is_placeholder(seg):
        return seg[1:-1]
    parts = split_suffix(seg)
    if parts is not None and is_placeholder(parts[0]):
        return parts[0][1:-1]
    ext = split_extension(seg)
    if ext is not None and is_placeholder(ext[1]):
        return ext[1][1:-1]
    return None


def with_parameter(seg: str, name: str) -> str:
    """A template segment with its parameter renamed: ``{int}.json`` -> ``{mediaId}.json``."""
    held = parameter_of(seg)
    if held is None:
        return seg
    if is_placeholder(seg):
        return "{" + name + "}"
    ext = split_extension(seg)
    if ext is not None and is_placeholder(ext[1]):
        return ext[0] + ".{" + name + "}"
    return "{" + name + "}" + seg[len(held) + 2 :]


def value_part(seg: str) -> str:
    """The part of a concrete or provisional segment that a parameter holds (all of it if none)."""
    ext = split_extension(seg)
    if ext is not None:
        return ext[1]
    parts = split_suffix(seg)
    return parts[0] if parts is not None else seg


def segment_matches(template_seg: str, seg: str) -> bool:
    """Whether a concrete (or provisional) segment fits a template segment."""
    if template_seg == seg or is_placeholder(template_seg):
        return True
    ext = split_extension(template_seg)
    if ext is not None and is_placeholder(ext[1]):
        have_ext = split_extension(seg)
        return have_ext is not None and have_ext[0] == ext[0]
    parts = split_suffix(template_seg)
    if parts is None or not is_placeholder(parts[0]):
        return False
    have = split_suffix(seg)
    return have is not None and have[1] == parts[1]


def placeholder(kind: str) -> str:
    return "{" + kind + "}"


def is_placeholder(seg: str) -> bool:
    return len(seg) > 2 and seg[0] == "{" and seg[-1] == "}"


MAX_PROVISIONAL = 65_536
"""Segments whose provisional form is remembered; the memo empties when full."""
_PROVISIONAL: dict[str, str] = {}


def provisional_segment(seg: str) -> str:
    """One segment, or its ``{kind}`` placeholder when it reads as an id.

    Matrix parameters (``/app;jsessionid=…``, ``/cars;color=red``) are left out, as the query is:
    they are not part of the resource, and their values (session ids, even passwords) must not
    become a literal of the endpoint that the inventory keeps.
    """
    if ";" in seg:
        base = seg.partition(";")[0]
        return provisional_segment(base) if base else placeholder("str")
    ext = split_extension(seg)
    if ext is not None:
        kind = None if is_placeholder(ext[1]) else segment_kind(ext[1])
        return seg if kind is None else f"{ext[0]}.{placeholder(kind)}"
    parts = split_suffix(seg)
    if parts is not None:
        value_kind = segment_kind(parts[0])
        if value_kind is not None or parts[1][0] == ":":
            return seg if value_kind is None else placeholder(value_kind) + parts[1]
    kind = segment_kind(seg)
    return seg if kind is None else placeholder(kind)


def _remember_provisional(seg: str) -> str:
    out = provisional_segment(seg)
    if len(_PROVISIONAL) >= MAX_PROVISIONAL:
        _PROVISIONAL.clear()
    _PROVISIONAL[seg] = out
    return out


def provisional_segments(segments: tuple[str, ...]) -> tuple[str, ...]:
    """The path with every id-like segment replaced by its ``{kind}`` placeholder."""
    # Pure per segment, and the literal segments of a path recur in every request: memoized.
    memo = _PROVISIONAL
    return tuple([memo.get(seg) or _remember_provisional(seg) for seg in segments])


def template_key(segments: tuple[str, ...]) -> str:
    """The string form used as a key: ``/users/{int}/orders``; the root is ``/``.

    A ``/`` inside a decoded segment (sent as ``%2F``) is written back as ``%2F``.
    """
    joined = "/".join(segments)
    if "%" not in joined and joined.count("/") == len(segments) - 1:
        return "/" + joined  # the usual case: nothing to escape
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

"""The sensitive-data engine: every value scanned once, only matching shapes verified.

Built once per run from every registered classifier plus the user's custom types:

1. all value patterns go into **one** google-re2 ``Set``; a value is encoded and scanned once,
   and the Set answers which patterns fired. Only their verifiers run (Luhn, mod-97, JWT header
   decoding, date arithmetic). There is no per-pattern loop over values.
2. key rules are resolved once per distinct location (cached): the hot path does one dict
   lookup to learn which key-hinted types apply, and verifies only those.
3. values that cannot be sensitive are skipped before any matching: ``None``, booleans, numbers
   (unless a key rule accepts numbers, e.g. a card number sent as a JSON integer) and strings
   too short to hold any self-proving shape.

``is_reported`` is the endpoint-level decision: per-sample hits are evidence, but a location is
reported only when a large enough share of the samples that carried a value agreed, with enough
mean confidence. A random 16-digit id passes Luhn with a real issuer prefix in a few percent of
samples; an email field is an email in nearly all of them. When every hit was the same value,
the share must be high: one constant among other values is an example or a fixture.

A verifier that raises is contained: the error is counted per classifier in ``errors`` (exported
as ``tracehound_classifier_errors_total``) and the value is treated as not matching.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import Any, NamedTuple

import msgspec
import re2

from tracehound.classifiers._keys import field_key, normalise
from tracehound.classifiers._validators import VALIDATORS
from tracehound.classifiers.base import Classifier, FieldKey, KeyRule, Verifier
from tracehound.classifiers.registry import classifiers
from tracehound.errors import ConfigError
from tracehound.model.findings import SensitiveHit
from tracehound.model.redaction import mask, tag_key
from tracehound.model.vocab import SensitiveType

MAX_SCAN = 65536
"""Only the first 64 KiB of a value are scanned: enough for any key or token, bounded work."""
MIN_SCAN = 6
"""Shortest value any self-proving pattern can match (``a@b.io``); shorter needs a key rule."""
MAX_CACHED = 65_536
"""Entries of the (location, value) → hits cache; cleared when full."""
MAX_CACHED_VALUE = 512
"""Longer values are not cached (they rarely repeat and would hold memory)."""
MAX_LOCATIONS = 100_000
"""Cap on the per-location key-rule cache; it is cleared when exceeded (hostile key churn)."""

#: Share of samples a location needs for each type; the rest use ``DEFAULT_MIN_SHARE``. Types
#: proved by a checksum or a decoder need fewer agreeing samples than shape-only ones.
MIN_SHARE: dict[str, float] = {
    SensitiveType.EMAIL: 0.3,
    SensitiveType.IBAN: 0.3,
    SensitiveType.US_SSN: 0.3,
    SensitiveType.JWT: 0.2,
    SensitiveType.BEARER_TOKEN: 0.2,
    SensitiveType.AWS_ACCESS_KEY: 0.1,
    SensitiveType.PRIVATE_KEY: 0.1,
}
DEFAULT_MIN_SHARE = 0.5
MIN_MEAN_CONFIDENCE = 0.6
SINGLE_VALUE_SHARE = 0.8
"""Share a location needs when all its hits were one value (one masked form): a constant that
sits among other values (a spec example, a fixture, the company's own IBAN) is not a field of
personal data; one user's own email, repeated in every sample, still is."""


_UNKNOWN: Any = object()


class CustomType(msgspec.Struct, forbid_unknown_fields=True, kw_only=True, frozen=True):
    """A user-defined sensitive type from the config file.

    ``pattern`` (re2 syntax, searched in the value) and/or ``key_hints`` (field names, matched
    after normalisation: ``employee_id`` ≡ ``employeeId``). With a pattern, the pattern must
    match and a key hint raises confidence; with hints only, a non-empty value under a hinted
    key is enough. ``validator`` names a built-in check (``luhn``, ``credit_card``, ``iban``, ``us_ssn``, ``jwt``,
    ``aws_access_key``, ``private_key``, ``ip_address``, ``date_of_birth``, ``date``,
    ``high_entropy``) the value must also pass.
    """

    name: str
    pattern: str | None = None
    key_hints: list[str] = msgspec.field(default_factory=list)
    validator: str | None = None
    confidence: float = 0.8


def load_custom_types(raw: list[dict[str, Any]]) -> list[CustomType]:
    """Validate custom types read from config; any problem is a ``ConfigError`` naming the entry."""
    if not isinstance(raw, list):
        raise ConfigError("sensitive.custom_types must be a list of tables")
    out: list[CustomType] = []
    names: set[str] = set()
    for i, entry in enumerate(raw):
        where = f"sensitive.custom_types[{i}]"
        try:
            ct = msgspec.convert(entry, CustomType)
        except msgspec.ValidationError as exc:
            raise ConfigError(f"{where}: {exc}".replace(" - at `$`", "")) from None
        except UnicodeEncodeError:  # a key with lone surrogates: PyYAML splits JSON's "\ud83d\ude00"
            raise ConfigError(f"{where}: a key is not valid Unicode (a lone surrogate escape)") from None
        where = f"{where} ({ct.name!r})"
        if not ct.name or not ct.name.replace("_", "").isalnum() or not ct.name.isascii():
            raise ConfigError(f"{where}: name must be letters, digits and '_'")
        if ct.name in names:
            raise ConfigError(f"{where}: duplicate name")
        names.add(ct.name)
        if ct.pattern is None and not ct.key_hints:
            raise ConfigError(f"{where}: give a pattern, key_hints, or both")
        if ct.pattern is not None:
            if not ct.pattern.strip():
                raise ConfigError(f"{where}: pattern is empty (it would match every value)")
            quiet = re2.Options()
            quiet.log_errors = False  # the ConfigError says it; re2 would also print to stderr
            try:
                re2.compile(ct.pattern, quiet)
            except re2.error as exc:
                reason = exc.args[0] if exc.args else exc
                if isinstance(reason, bytes):
                    reason = reason.decode("utf-8", "replace")
                raise ConfigError(f"{where}: pattern is not valid re2 syntax: {reason}") from None
        if ct.validator is not None and ct.validator not in VALIDATORS:
            known = ", ".join(sorted(VALIDATORS))
            raise ConfigError(f"{where}: unknown validator {ct.validator!r}; known: {known}")
        if not 0.0 < ct.confidence <= 1.0:
            raise ConfigError(f"{where}: confidence must be in (0, 1]")
        out.append(ct)
    return out


class _Pattern(NamedTuple):
    type: str
    verify: Verifier
    source: str
    """Registry id of the classifier, or ``custom:<name>``."""


class _Rule(NamedTuple):
    type: str
    verify: Verifier
    source: str
    numbers: bool


class _Location(NamedTuple):
    key: FieldKey
    rules: tuple[_Rule, ...]
    numbers: bool
    scan: bool
    """False for protocol headers that carry no payload (``accept``, ``content-type``…)."""


#: Protocol headers whose values are not data: they are not scanned (key rules still apply).
STRUCTURAL_HEADERS = frozenset({"accept", "acceptencoding", "acceptlanguage", "contenttype", "contentlength",
                                "contentencoding", "host", "useragent", "date", "server", "connection",
                                "cachecontrol", "pragma", "vary", "etag", "lastmodified", "expires",
                                "transferencoding", "xrequestid", "xcorrelationid", "traceparent", "tracestate",
                                "ifnonematch", "ifmodifiedsince", "age", "via", "xpoweredby"})  # fmt: skip


class _RuleSpec(NamedTuple):
    type: str
    applies: Callable[[FieldKey], bool]
    verify: Verifier
    source: str
    numbers: bool


def _custom_type_name(name: str) -> str:
    try:
        return SensitiveType(name)
    except ValueError:
        return name


def _custom_pattern_verifier(ct: CustomType) -> Verifier:
    check = VALIDATORS.get(ct.validator) if ct.validator else None
    regex = re2.compile(ct.pattern) if ct.pattern else None
    hints = frozenset(normalise(h) for h in ct.key_hints)

    def verify(value: str, key: FieldKey) -> float:
        if check is not None:
            candidate = value
            if regex is not None:
                m = regex.search(value)
                if m is None:
                    return 0.0
                candidate = m.group(0)
            if not check(candidate):
                return 0.0
        if key.key in hints:
            return min(1.0, ct.confidence + 0.15)
        return ct.confidence

    return verify


def _custom_key_verifier(ct: CustomType) -> Verifier:
    check = VALIDATORS.get(ct.validator) if ct.validator else None

    def verify(value: str, key: FieldKey) -> float:
        v = value.strip()
        if not v or (check is not None and not check(v)):
            return 0.0
        return ct.confidence

    return verify


class SensitiveDataEngine:
    """Classifies ``(location, value)`` fields; one instance per run, shared by all transactions."""

    def __init__(self, custom_types: Sequence[CustomType] = ()) -> None:
        self.errors: Counter[str] = Counter()
        """Verifier exceptions per classifier id (contained, counted, never raised)."""
        self.classifiers: dict[str, Classifier] = {cid: cls() for cid, cls in classifiers().items()}
        self._patterns: list[_Pattern] = []
        self._rule_specs: list[_RuleSpec] = []
        self._set = re2.Set.SearchSet()
        for cid, clf in self.classifiers.items():
            for p in clf.patterns():
                self._add_pattern(p.regex, _Pattern(p.type, p.verify, cid))
            for r in clf.key_rules():
                self._rule_specs.append(_RuleSpec(r.type, r.applies, r.verify, cid, r.numbers))
        self._has_custom = bool(custom_types)
        for ct in custom_types:
            name = _custom_type_name(ct.name)
            source = f"custom:{ct.name}"
            if ct.pattern is not None:
                self._add_pattern(ct.pattern, _Pattern(name, _custom_pattern_verifier(ct), source))
            elif ct.key_hints:
                hints = frozenset(normalise(h) for h in ct.key_hints)
                self._rule_specs.append(
                    _RuleSpec(name, functools.partial(_key_in, hints), _custom_key_verifier(ct), source, True)
                )
        self._set.Compile()
        # The raw pybind Set takes bytes directly: skips a wrapper call per value.
        self._match: Callable[[bytes], list[int] | None] = self._set._set.Match
        self._locations: dict[str, _Location] = {}
        self._cache: dict[tuple[str, str], tuple[SensitiveHit, ...]] = {}
        self._cache_tag_key = b""
        """The tag key the cached masked forms were made with: a worker classifies for many tenants."""
        self._fired: dict[str, list[int] | None] = {}
        """Value -> pattern indices the Set reported (None: none); bounded like ``_cache``."""

    def _add_pattern(self, regex: str, pattern: _Pattern) -> None:
        index = self._set.Add(regex)
        if index != len(self._patterns):
            raise RuntimeError(f"re2 Set index mismatch for {pattern.source}")
        self._patterns.append(pattern)

    @property
    def pattern_count(self) -> int:
        return len(self._patterns)

    def _location(self, location: str) -> _Location:
        key = field_key(location)
        rules: list[_Rule] = []
        for spec in self._rule_specs:
            try:
                applies = spec.applies(key)
            except Exception:
                self.errors[spec.source] += 1
                continue
            if applies:
                rules.append(_Rule(spec.type, spec.verify, spec.source, spec.numbers))
        scan = not (key.scope == "header" and key.key in STRUCTURAL_HEADERS)
        info = _Location(key, tuple(rules), any(r.numbers for r in rules), scan)
        if len(self._locations) >= MAX_LOCATIONS:
            self._locations.clear()
        self._locations[location] = info
        return info

    def classify(self, fields: Iterable[tuple[str, Any]], present: list[str] | None = None) -> list[SensitiveHit]:
        """Hits for every field whose value is recognised as sensitive, with masked samples.

        ``present`` receives the location of every non-empty value at a location where a hit
        is possible, once per value: what the share of values hit is counted against.
        """
        hits: list[SensitiveHit] = []
        count = present.append if present is not None else None
        tag = tag_key()
        if tag != self._cache_tag_key:
            self._cache.clear()  # its masked forms carry another tenant's tags
            self._cache_tag_key = tag
        locations = self._locations
        patterns = self._patterns
        match = self._match
        skip_words = not self._has_custom
        cache = self._cache
        fired_memo = self._fired
        for location, value in fields:
            if value is None:
                continue
            info = locations.get(location)
            if info is None:
                info = self._location(location)
            if not info.scan and not info.rules:
                continue  # nothing could fire here (protocol header without key rules)
            if count is not None and value != "":
                count(location)
            if value is True or value is False:
                continue
            if type(value) is not str:
                if not info.numbers or not isinstance(value, int) or isinstance(value, bool):
                    continue
                value = str(value)
            n = len(value)
            fired: list[int] | None = None
            if (
                n >= MIN_SCAN
                and info.scan
                and not (skip_words and ((value.isalpha() and value.islower()) or (n < 12 and value.isdigit())))
            ):
                # The Set's answer depends on the text alone, and values repeat (tokens, agents).
                known = fired_memo.get(value, _UNKNOWN) if n <= MAX_CACHED_VALUE else _UNKNOWN
                if known is not _UNKNOWN:
                    fired = known
                else:
                    text = value if n <= MAX_SCAN else value[:MAX_SCAN]
                    try:
                        data = text.encode()
                    except UnicodeEncodeError:
                        data = text.encode("utf-8", "replace")
                    fired = match(data) or None  # None: nothing fired, skip the second tier
                    if n <= MAX_CACHED_VALUE:
                        if len(fired_memo) >= MAX_CACHED:
                            fired_memo.clear()
                        fired_memo[value] = fired
            if fired is None and not info.rules:
                continue
            # Credentials, client addresses and enum-like values repeat across transactions:
            # the verified outcome of a (location, value) pair is remembered.
            cache_key = (location, value) if n <= MAX_CACHED_VALUE else None
            if cache_key is not None:
                cached = cache.get(cache_key)
                if cached is not None:
                    hits.extend(cached)
                    continue
            found = self._verify_patterns(fired, patterns, value[:MAX_SCAN], info.key) if fired else None
            if info.rules:
                found = self._verify_rules(info, value, found)
            result: tuple[SensitiveHit, ...] = ()
            if found:
                result = tuple(
                    SensitiveHit(
                        type=typ,  # type: ignore[arg-type]  # custom types widen the vocabulary
                        location=location,
                        confidence=round(conf, 3),
                        masked=mask(typ, value[:MAX_SCAN]),
                    )
                    for typ, conf in found.items()
                )
                hits.extend(result)
            if cache_key is not None:
                if len(cache) >= MAX_CACHED:
                    cache.clear()
                cache[cache_key] = result
        return hits

    def _verify_patterns(
        self, fired: list[int], patterns: list[_Pattern], text: str, key: FieldKey
    ) -> dict[str, float] | None:
        found: dict[str, float] | None = None
        for index in fired:
            p = patterns[index]
            try:
                conf = p.verify(text, key)
            except Exception:
                self.errors[p.source] += 1
                continue
            if conf > 0.0:
                if found is None:
                    found = {}
                if conf > found.get(p.type, 0.0):
                    found[p.type] = conf
        return found

    def _verify_rules(self, info: _Location, value: str, found: dict[str, float] | None) -> dict[str, float] | None:
        # A value already proved to be another type (an email under a `phone` key) is not
        # re-labelled by a key hint; the same type is confirmed and gains confidence.
        strong = found is not None and max(found.values()) >= 0.9
        text = value[:MAX_SCAN]
        for rule in info.rules:
            if strong and found is not None and rule.type not in found:
                continue
            try:
                conf = rule.verify(text, info.key)
            except Exception:
                self.errors[rule.source] += 1
                continue
            if conf > 0.0:
                if found is None:
                    found = {}
                if conf > found.get(rule.type, 0.0):
                    found[rule.type] = conf
        return found

    def is_reported(
        self, type: SensitiveType | str, hits: int, seen: int, confidence_sum: float, distinct: int = 2
    ) -> bool:
        """Whether a location is a ``type`` field, from per-sample evidence over the endpoint.

        ``hits``: samples where this (location, type) fired; ``seen``: samples where the location
        carried a value; ``confidence_sum``: the sum of the per-sample (best) confidences;
        ``distinct``: how many distinct masked forms the hits had (counted up to 2).
        """
        if hits <= 0 or seen <= 0:
            return False
        hits = min(hits, seen)
        share = hits / seen
        mean = confidence_sum / hits
        if distinct < 2 and share < SINGLE_VALUE_SHARE:
            return False
        return share >= MIN_SHARE.get(str(type), DEFAULT_MIN_SHARE) and mean >= MIN_MEAN_CONFIDENCE


def _key_in(hints: frozenset[str], key: FieldKey) -> bool:
    return key.key in hints


__all__ = ["CustomType", "KeyRule", "SensitiveDataEngine", "load_custom_types"]

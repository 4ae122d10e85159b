"""Masking of sensitive values, and redaction of sensitive-looking substrings in free text.

Tracehound must never become the place a card number or a token leaks from: samples, detector
evidence, logs and reports hold masked forms only. ``mask`` turns one classified value into a
form that still helps a human (``4111********1111``, ``j***@example.com``) or, for secrets, into
a type tag with a short SHA-256 prefix (``<jwt:1a2b3c4d>``) that lets two reports be compared
without revealing anything. ``redact_text`` masks whatever looks sensitive inside arbitrary text.

The regular expressions in ``TEXT_PATTERNS`` are the single source of the value shapes: the
classifiers anchor these same expressions for whole-value matching and add validators, so
what the engine classifies and what redaction masks cannot drift apart. Everything runs on
google-re2 (linear time, no catastrophic backtracking on hostile input). This module is pure and
imports nothing from tracehound but ``model.vocab``, so detectors may use it freely.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import re
from collections.abc import Callable
from typing import Any

import re2

from tracehound.model.vocab import SensitiveType

#: Unanchored value shapes shared with the classifiers. Keys are pattern names, not types: one
#: type may have several shapes. Kept free of capture groups the classifiers would depend on.
TEXT_PATTERNS: dict[str, str] = {
    "private_key": r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----",
    "jwt": r"\beyJ[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*",
    "bearer": r"(?i)\bbearer\s+[A-Za-z0-9._~+/=-]{8,}",
    "aws_access_key": r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|ABIA|ACCA|APKA)[A-Z2-7]{16}\b",
    "prefixed_api_key": (
        r"\b(?:(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,}|gh[pousr]_[A-Za-z0-9]{30,}"
        r"|github_pat_[A-Za-z0-9_]{40,}|xox[abposr]-[A-Za-z0-9-]{10,}|AIza[A-Za-z0-9_-]{35}"
        r"|glpat-[A-Za-z0-9_-]{20}|npm_[A-Za-z0-9]{36}|SG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,})"
    ),
    "email": (
        r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
        r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.[A-Za-z]{2,24}\b"
    ),
    "iban": r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b",
    "card": r"\b(?:\d{13,19}|\d{4}(?:[ -]\d{4}){2}[ -]\d{1,7}|\d{4}[ -]\d{6}[ -]\d{4,5})\b",
    "ssn": r"\b\d{3}-\d{2}-\d{4}\b",
    "phone": (
        r"(?:\+\d{1,3}[ .-]?)?(?:\(\d{2,4}\)[ .-]?|\b\d{2,4}[ .-])\d{2,4}[ .-]?\d{3,4}\b"
        r"(?:\s*(?:x|ext\.?|#)\s*\d{1,6})?"
    ),
    "ipv4": r"\b(?:\d{1,3}\.){3}\d{1,3}\b",
    "ipv6": r"(?i)\b[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}\b",
}

#: ``key=value`` / ``"key": "value"`` secrets in text (logs, query strings, JSON snippets).
_KV_PATTERN = (
    r"(?i)((?:^|[^<\w-])(?:[a-z0-9]+[_-])*(?:pass(?:word|wd)?|pwd|secret|token|api[_-]?key"
    r"|access[_-]?key|client[_-]?secret|authorization|session(?:id)?)[\"']?\s*[=:]\s*[\"']?)"
    r"([^\s\"'&,;}<][^\s\"'&,;}]{2,})"
)

_SECRET_TYPES = frozenset(
    {
        SensitiveType.JWT,
        SensitiveType.BEARER_TOKEN,
        SensitiveType.PASSWORD,
        SensitiveType.API_KEY,
        SensitiveType.AWS_ACCESS_KEY,
        SensitiveType.PRIVATE_KEY,
    }
)
_KNOWN = frozenset(t.value for t in SensitiveType)


_installation_key = b""


def use_installation_key(key: bytes) -> None:
    """Make `digest` (and so every secret tag) an HMAC under this installation's secret key.

    Set once by each process at start-up from its store (`store.base.installation_key`). An
    8-hex SHA-256 prefix of a weak password is confirmed by hashing a dictionary; under a key
    kept in the store, a report or log shared elsewhere gives a dictionary attack nothing.
    """
    global _installation_key
    _installation_key = key


def installation_key() -> bytes:
    """The key `use_installation_key` set (empty when none was)."""
    return _installation_key


def digest(value: str, key: bytes = b"") -> str:
    """8 hex characters of HMAC-SHA-256 of ``value`` (plain SHA-256 without any key)."""
    data = value.encode("utf-8", "surrogatepass")
    key = key or _installation_key
    if key:
        return hmac.new(key, data, hashlib.sha256).hexdigest()[:8]
    return hashlib.sha256(data).hexdigest()[:8]


def _tail(value: str, keep: int) -> str:
    """Every letter and digit but the last ``keep`` ones replaced by ``*``; separators stay."""
    total = sum(1 for c in value if c.isalnum())
    keep = min(keep, total // 2)
    out: list[str] = []
    seen = 0
    for c in value:
        if c.isalnum():
            seen += 1
            out.append(c if seen > total - keep else "*")
        else:
            out.append(c)
    return "".join(out)


def _card(value: str) -> str:
    digits = [c for c in value if c.isdigit()]
    if len(digits) < 12:
        return "*" * len(digits)
    return "".join(digits[:4]) + "*" * (len(digits) - 8) + "".join(digits[-4:])


def _email(value: str) -> str:
    local, sep, domain = value.strip().rpartition("@")
    if not sep or not local:
        return _tail(value, 0)
    return f"{local[0]}***@{domain}"


def _initial(value: str) -> str:
    stripped = value.strip()
    return f"{stripped[0]}***" if stripped else ""


def _ip(value: str) -> str:
    v = value.strip()
    sep = ":" if ":" in v else "."
    head = v.split(sep, 1)[0]
    return f"{head}{sep}***"


def _postal(value: str) -> str:
    v = value.strip()
    return v[:2] + "*" * max(0, len(v) - 2) if len(v) > 3 else "*" * len(v)


def mask(type: SensitiveType | str, value: str, *, key: bytes = b"") -> str:
    """The masked form of ``value`` classified as ``type``; never the value itself.

    Secrets (and unknown, user-defined types) become ``<type:xxxxxxxx>``, an 8-hex prefix of
    SHA-256 of the value. Pass ``key`` (a per-installation secret) to use HMAC instead, which
    stops dictionary attacks on low-entropy secrets such as passwords.
    """
    if not isinstance(value, str):
        value = str(value)
    if not value:
        return ""
    name = str(type)
    if name in _SECRET_TYPES or name not in _KNOWN:
        return f"<{name}:{digest(value, key)}>"
    if name == SensitiveType.CREDIT_CARD:
        return _card(value)
    if name == SensitiveType.EMAIL:
        return _email(value)
    if name in (SensitiveType.PERSON_NAME, SensitiveType.STREET_ADDRESS):
        return _initial(value)
    if name == SensitiveType.IP_ADDRESS:
        return _ip(value)
    if name == SensitiveType.POSTAL_CODE:
        return _postal(value)
    if name in (SensitiveType.PHONE_NUMBER, SensitiveType.US_SSN, SensitiveType.IBAN):
        return _tail(value, 4)
    return _tail(value, 2)


# ---------------------------------------------------------------------------- free text


def _luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _masker(type: SensitiveType, check: Callable[[str], bool] | None = None) -> Callable[[Any], str]:
    def repl(m: Any) -> str:
        text: str = m.group(0)
        if check is not None and not check(text):
            return text
        return mask(type, text)

    return repl


def _card_ok(text: str) -> bool:
    digits = "".join(c for c in text if c.isdigit())
    return 13 <= len(digits) <= 19 and _luhn(digits)


def _ipv6_ok(text: str) -> bool:
    try:
        return ipaddress.ip_address(text).version == 6
    except ValueError:
        return False


def _kv(m: Any) -> str:
    return f"{m.group(1)}<secret:{digest(m.group(2))}>"


# Order matters: longer, more specific shapes first, so a JWT is not half-masked as a phone.
_STEPS: tuple[tuple[str, Callable[[Any], str]], ...] = (
    (
        r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?"
        r"(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|$)",
        _masker(SensitiveType.PRIVATE_KEY),
    ),
    (TEXT_PATTERNS["jwt"], _masker(SensitiveType.JWT)),
    (TEXT_PATTERNS["bearer"], _masker(SensitiveType.BEARER_TOKEN)),
    (_KV_PATTERN, _kv),
    (TEXT_PATTERNS["aws_access_key"], _masker(SensitiveType.AWS_ACCESS_KEY)),
    (TEXT_PATTERNS["prefixed_api_key"], _masker(SensitiveType.API_KEY)),
    (TEXT_PATTERNS["email"], _masker(SensitiveType.EMAIL)),
    (TEXT_PATTERNS["iban"], _masker(SensitiveType.IBAN)),
    (TEXT_PATTERNS["card"], _masker(SensitiveType.CREDIT_CARD, _card_ok)),
    (TEXT_PATTERNS["ssn"], _masker(SensitiveType.US_SSN)),
    (TEXT_PATTERNS["ipv4"], _masker(SensitiveType.IP_ADDRESS)),
    (TEXT_PATTERNS["ipv6"], _masker(SensitiveType.IP_ADDRESS, _ipv6_ok)),
    (TEXT_PATTERNS["phone"], _masker(SensitiveType.PHONE_NUMBER)),
)


class _TextRedactor:
    """One re2 Set over every step, so text with nothing sensitive costs one scan."""

    def __init__(self) -> None:
        self._set = re2.Set.SearchSet()
        self._steps: list[tuple[Any, Callable[[Any], str]]] = []
        for pattern, repl in _STEPS:
            self._set.Add(pattern)
            self._steps.append((re2.compile(pattern), repl))
        self._set.Compile()

    def __call__(self, text: str) -> str:
        fired = self._set.Match(text)
        if not fired:
            return text
        for index in sorted(fired):
            regex, repl = self._steps[index]
            text = regex.sub(repl, text)
        return text


_REDACTOR: _TextRedactor | None = None
MAX_TEXT = 1 << 20
"""Text longer than this is cut (and marked) before redaction, to bound the work per call."""


def redact_text(text: str) -> str:
    """``text`` with every sensitive-looking substring masked (cards, emails, tokens, keys…)."""
    global _REDACTOR
    if not isinstance(text, str) or not text:
        return text if isinstance(text, str) else str(text)
    if _REDACTOR is None:
        _REDACTOR = _TextRedactor()
    suffix = ""
    if len(text) > MAX_TEXT:
        text, suffix = text[:MAX_TEXT], "…[truncated]"
    return _REDACTOR(text) + suffix


# ---------------------------------------------------------------------- service URLs
_URL_USERINFO = re.compile(r"(^|://|,)[^/@,?#\s]*@")
_URL_SECRET_PARAMS = re.compile(r"(?i)([?&](?:[a-z_]*pass(?:word|file)?|sslkey|token|secret|key|auth)=)[^&#]*")


def redact_url(url: str) -> str:
    """A bus or store URL as logs and messages may show it: any userinfo (``user:password@``,
    a bare token, an empty user; of every server in a list) becomes ``***@``, and
    password-like query parameters (``password``, ``sslpassword``, ``passfile``, ``sslkey``,
    ``token``...) lose their value."""
    return _URL_SECRET_PARAMS.sub(r"\1***", _URL_USERINFO.sub(r"\1***@", url))


# ---------------------------------------------------------------------- digit runs
MIN_DIGIT_RUN = 12
"""Digits in a run (single spaces or dashes between them allowed) that `mask_digit_runs` masks."""
_DIGIT_RUN = re.compile(rf"\d(?:[ -]?\d){{{MIN_DIGIT_RUN - 1},}}")


def _star_digits(m: re.Match[str]) -> str:
    run = m.group()
    total = sum(1 for c in run if c.isdigit())
    out: list[str] = []
    seen = 0
    for c in run:
        if c.isdigit():
            seen += 1
            out.append(c if seen <= 4 or seen > total - 4 else "*")
        else:
            out.append(c)
    return "".join(out)


def mask_digit_runs(text: str) -> str:
    """``text`` with every run of `MIN_DIGIT_RUN` or more digits masked but for its first and
    last four digits, lengths kept: for text shown after `redact_text`, where a number that
    fails Luhn or is glued to other digits is still someone's card or account."""
    return _DIGIT_RUN.sub(_star_digits, text)


# ---------------------------------------------------------------------- keys that are data
VALUE_KEY = "{key}"
"""What an object key or parameter name that is itself data becomes everywhere (locations,
schemas, parameters): ``{"byEmail": {"jane@example.com": …}}`` is a map, and its keys are values."""

SECRET_WORDS = ("key", "token", "secret", "password", "passwd", "pwd", "auth", "session", "signature", "sig")
"""Words that make a parameter or property name say it carries a credential."""

MAX_KEY_NAMES = 8192
KEY_NAMES: dict[str, str] = {}
"""`key_name`'s memo, public so that hot loops try it before the call: ``KEY_NAMES.get(k) or key_name(k)``."""
_E164 = re.compile(r"\+\d{7,15}")


def is_sensitive_text(text: str) -> bool:
    """Whether ``text`` is or holds something `redact_text` masks, or an E.164 phone number
    (``+12025550147``, which free text masking leaves alone: a plus and digits are too common)."""
    return redact_text(text) != text or _E164.fullmatch(text) is not None


def names_a_secret(name: str) -> bool:
    """Whether a parameter or property name says its values are credentials."""
    low = name.lower()
    return any(word in low for word in SECRET_WORDS)


def key_name(key: str) -> str:
    """``key`` as a location or schema may carry it: `VALUE_KEY` when the key looks sensitive
    itself (an email, a card or phone number, an address), else the key unchanged. Memoized:
    the same keys recur in every body."""
    name = KEY_NAMES.get(key)
    if name is None:
        name = VALUE_KEY if is_sensitive_text(key) else key
        if len(KEY_NAMES) >= MAX_KEY_NAMES:
            KEY_NAMES.clear()
        KEY_NAMES[key] = name
    return name

"""Masking of sensitive values, and redaction of sensitive-looking substrings in free text.

Tracehound must never become the place a card number or a token leaks from: samples, detector
evidence, logs and reports hold masked forms only. ``mask`` turns one classified value into a
form that still helps a human (``4111********1111``, ``j***@example.com``) or, for secrets, into
a type tag with a short keyed digest (``<jwt:1a2b3c4d>``, HMAC under a key per tenant derived
from the installation's secret) that lets two reports of one tenant be compared without
revealing anything; secrets too short to resist guessing are tagged ``<password:short>``.
``redact_text`` masks whatever looks sensitive inside arbitrary text.

The regular expressions in ``TEXT_PATTERNS`` are the single source of the value shapes: the
classifiers anchor these same expressions for whole-value matching and add validators, so
what the engine classifies and what redaction masks cannot drift apart. Everything runs on
google-re2 (linear time, no catastrophic backtracking on hostile input). This module is pure and
imports nothing from tracehound but ``model.vocab``, so detectors may use it freely.
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import hmac
import ipaddress
import re
from collections.abc import Callable, Iterator
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
    r"|access[_-]?key|client[_-]?secret|authorization|session(?:id)?"
    r"|[a-z0-9]*(?:pin|cvv\d?|cvc\d?|otp|security[_-]?code|one[_-]?time[_-]?(?:password|code))(?:[_-]?(?:code|number|value))?)[\"']?\s*[=:]\s*[\"']?)"
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
_default_tag_key = b""
_TAG_KEY: contextvars.ContextVar[bytes | None] = contextvars.ContextVar("tracehound_tag_key", default=None)
_TENANT_KEYS: dict[tuple[bytes, str], bytes] = {}
DEFAULT_TAG_TENANT = "default"
"""The tenant whose tag key applies outside `tags_for_tenant` (``analyze``'s default tenant)."""
MIN_TAGGED = 8
"""Secrets shorter than this get no digest at all (``<password:short>``): under any key, whoever
holds the key (the store) can hash every 4-digit PIN and match a tag in seconds."""


def tenant_tag_key(installation: bytes, tenant: str) -> bytes:
    """The key of ``tenant``'s secret tags: HMAC-SHA-256 of the tenant's name under the
    installation key. Tags of one value differ between tenants, so one tenant cannot test its
    guesses against tags another tenant's reports carry."""
    memo = (installation, tenant)
    key = _TENANT_KEYS.get(memo)
    if key is None:
        key = hmac.new(installation, b"tag-key\0" + tenant.encode("utf-8", "surrogatepass"), hashlib.sha256).digest()
        if len(_TENANT_KEYS) >= 1024:
            _TENANT_KEYS.clear()
        _TENANT_KEYS[memo] = key
    return key


def use_installation_key(key: bytes, tenant: str = DEFAULT_TAG_TENANT) -> None:
    """Make `digest` (and so every secret tag) an HMAC under a key derived from this
    installation's secret key, for ``tenant`` unless `tags_for_tenant` names another.

    Set once by each process at start-up from its store (`store.base.installation_key`). An
    8-hex SHA-256 prefix of a weak password is confirmed by hashing a dictionary; under a key
    kept in the store, a report or log shared elsewhere gives a dictionary attack nothing.
    """
    global _installation_key, _default_tag_key
    _installation_key = key
    _default_tag_key = tenant_tag_key(key, tenant) if key else b""


def installation_key() -> bytes:
    """The key `use_installation_key` set (empty when none was)."""
    return _installation_key


def tag_key() -> bytes:
    """The key secret tags and principal ids are made with here: the tenant's of the innermost
    `tags_for_tenant`, else the one `use_installation_key` set (empty: plain SHA-256)."""
    key = _TAG_KEY.get()
    return _default_tag_key if key is None else key


@contextlib.contextmanager
def tags_for_tenant(tenant: str) -> Iterator[None]:
    """Within the block (this thread or task and what it starts), tags use ``tenant``'s key."""
    token = _TAG_KEY.set(tenant_tag_key(_installation_key, tenant) if _installation_key else b"")
    try:
        yield
    finally:
        _TAG_KEY.reset(token)


def digest(value: str, key: bytes = b"") -> str:
    """8 hex characters of HMAC-SHA-256 of ``value`` under ``key`` or `tag_key` (plain SHA-256
    when there is no key at all)."""
    data = value.encode("utf-8", "surrogatepass")
    key = key or tag_key()
    if key:
        return hmac.new(key, data, hashlib.sha256).hexdigest()[:8]
    return hashlib.sha256(data).hexdigest()[:8]


def tag(name: str, value: str, key: bytes = b"") -> str:
    """``<name:xxxxxxxx>`` for a secret, or ``<name:short>`` when it is too short to digest."""
    if len(value) < MIN_TAGGED:
        return f"<{name}:short>"
    return f"<{name}:{digest(value, key)}>"


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
    an HMAC of the value under the tenant's tag key (`tag_key`; ``key`` overrides it), which
    stops dictionary attacks on passwords by whoever reads a report; a secret shorter than
    `MIN_TAGGED` becomes ``<type:short>``, as its tag would be confirmed by whoever holds the key.
    """
    if not isinstance(value, str):
        value = str(value)
    if not value:
        return ""
    name = str(type)
    if name in _SECRET_TYPES or name not in _KNOWN:
        return tag(name, value, key)
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
    return f"{m.group(1)}{tag('secret', m.group(2))}"


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


_NAME_DROP = str.maketrans("", "", "_-. []")
_CODE_NAME = re.compile(
    r"[a-z0-9]*(?:cvv|cvc)[a-z0-9]*|[a-z0-9]*securitycode[a-z0-9]*|[a-z0-9]*onetime(?:password|passcode|code|pin|token)"
    r"[a-z0-9]*|(?:[a-z0-9]*[^s])?pin(?:number|num|no|value|block|digits|\d)?|[a-z0-9]+pincode|otp[a-z0-9]*|[a-z0-9]*otp"
    r"|csc|cvn|mfacode|2facode|twofactorcode|totp[a-z0-9]*|hotp[a-z0-9]*"
)


def names_a_code(name: str) -> bool:
    """Whether a name says it carries a short numeric credential: a card's PIN, CVV/CVC or
    security code, a one-time password (``pin``, ``cardPin``, ``card_cvv``, ``cvv2``, ``otpCode``,
    ``one_time_password``, ``securityCode``). ``pincode`` alone is a postal code (India's)."""
    return _CODE_NAME.fullmatch(name.lower().translate(_NAME_DROP)) is not None


def names_a_secret(name: str) -> bool:
    """Whether a parameter or property name says its values are credentials."""
    low = name.lower()
    return any(word in low for word in SECRET_WORDS) or names_a_code(low)


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

"""Email addresses and phone numbers: the contact details most APIs carry.

An email proves itself by shape. A phone number does not: a bare ten-digit string is as likely
an epoch timestamp or an order id, so a value alone counts as a phone only when it is written
like one (``+``, parentheses, grouped digits, an extension); bare digit strings need a phone key.
"""

from __future__ import annotations

from collections.abc import Sequence

import re2

from tracehound.classifiers._keys import ends_with_any
from tracehound.classifiers._validators import only_digits, parse_date
from tracehound.classifiers.base import Classifier, FieldKey, KeyRule, ValuePattern
from tracehound.model.redaction import TEXT_PATTERNS
from tracehound.model.vocab import SensitiveType

_EMAIL_KEYS = ("email", "emailaddress", "mail", "emailid")
_PHONE_EXACT = frozenset({"tel", "fax", "mobile", "cell", "msisdn", "phone", "telephone", "cellular"})
_PHONE_SUFFIXES = ("phone", "phonenumber", "phoneno", "mobilenumber", "mobileno", "telephone", "faxnumber",
                   "telnumber", "cellnumber", "msisdn")  # fmt: skip
_EXTENSION = re2.compile(r"(?i)\s*(?:x|ext\.?|extension|#)\s*\d{1,6}$")
_PHONE_CHARS = frozenset("0123456789+-. ()")
# Layouts a phone written without ``+`` or parentheses must follow. NANP: NXX-NXX-XXXX with an
# optional 1 / 001 prefix, matched on the digit groups joined by "-".
_NANP = re2.compile(r"(?:1-|001-)?[2-9]\d\d-[2-9]\d\d-\d{4}")
_NATIONAL_HEAD = re2.compile(r"0[1-9]\d{0,3}|00[1-9]\d{0,2}")  # trunk 0 + area code, or 00 + country code


def _email_key(k: FieldKey) -> bool:
    return k.key in _EMAIL_KEYS or (k.key.endswith("email") and len(k.key) > 5)


def _phone_key(k: FieldKey) -> bool:
    return k.key in _PHONE_EXACT or ends_with_any(k.key, _PHONE_SUFFIXES)


def _split_phone(value: str) -> tuple[str, str] | None:
    """(number part, digits) with any extension removed, or None if other characters appear."""
    v = value.strip()
    if len(v) > 32:
        return None
    m = _EXTENSION.search(v)
    if m:
        v = v[: m.start()]
    if not v or not all(c in _PHONE_CHARS for c in v):
        return None
    return v, only_digits(v)


def verify_phone_shape(value: str, key: FieldKey) -> float:
    """A value formatted as a phone number, without any key context."""
    parts = _split_phone(value)
    if parts is None:
        return 0.0
    number, digits = parts
    n = len(digits)
    plus = number.startswith("+")
    if not (10 <= n <= 15 or (plus and 8 <= n <= 15)):
        return 0.0
    if not plus and len(number) == n:
        return 0.0  # bare digits: an id or a timestamp as often as a phone
    if parse_date(number) is not None:
        return 0.0
    groups = [g for g in number.replace("(", " ").replace(")", " ").replace("+", " ").split() if g]
    if number.count(".") >= 3 and not plus and "-" not in number and " " not in number:
        return 0.0  # an IPv4-like dotted quad or a version string
    chunks = [c for g in groups for c in g.replace("-", ".").split(".") if c]
    national = _national_layout(chunks)
    if any(len(c) > 5 for c in chunks) and not plus and not national:
        return 0.0
    if len(chunks) == 3 and [len(c) for c in chunks] == [3, 2, 4]:
        return 0.0  # the SSN layout
    if plus or "(" in number:
        return 0.85
    # Grouping alone proves nothing: ISBNs (978-0-306-40615-7), barcodes (0 12345 67890 5),
    # amounts in thousands (1 234 567 890) and dated reference ids (2024-0115-0042) are
    # grouped too. Without "+" or a parenthesised area code, require a real numbering plan.
    return 0.75 if national or _NANP.fullmatch("-".join(chunks)) else 0.0


def _national_layout(chunks: list[str]) -> bool:
    """A number dialled with its ``0`` trunk prefix and area code (``020 7946 0958``,
    ``07700 900123``, ``01 42 68 53 00``, ``(0161) 4960066``) or ``00`` + country code."""
    rest = chunks[1:]
    return (
        _NATIONAL_HEAD.fullmatch(chunks[0]) is not None and 1 <= len(rest) <= 5 and all(2 <= len(c) <= 8 for c in rest)
    )


def verify_phone_keyed(value: str, key: FieldKey) -> float:
    shaped = verify_phone_shape(value, key)
    if shaped:
        return 0.95
    parts = _split_phone(value)
    if parts is None:
        return 0.0
    n = len(parts[1])
    return 0.9 if 7 <= n <= 15 else 0.0


def verify_email(value: str, key: FieldKey) -> float:
    v = value.strip()
    local, _, domain = v.rpartition("@")
    if not local or len(v) > 254 or ".." in domain or domain.startswith("-"):
        return 0.0
    return 0.97 if _email_key(key) else 0.93


class ContactClassifier(Classifier):
    types = (SensitiveType.EMAIL, SensitiveType.PHONE_NUMBER)

    def patterns(self) -> Sequence[ValuePattern]:
        email = TEXT_PATTERNS["email"]
        return (
            ValuePattern(SensitiveType.EMAIL, rf"^\s*(?:mailto:)?{email}\s*$", verify_email),
            ValuePattern(
                SensitiveType.PHONE_NUMBER,
                r"(?i)^\s*\+?[\d(][\d ().-]{6,24}\d(?:\s*(?:x|ext\.?|extension|#)\s*\d{1,6})?\s*$",
                verify_phone_shape,
            ),
        )

    def key_rules(self) -> Sequence[KeyRule]:
        return (KeyRule(SensitiveType.PHONE_NUMBER, _phone_key, verify_phone_keyed, numbers=True),)

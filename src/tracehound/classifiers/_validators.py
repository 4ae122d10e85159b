"""Second-tier checks: checksums, structure decoders and plausibility rules.

They run only on values whose shape already matched (the re2 Set decided), so they may be a
little costly; they must never raise on any input. Each returns a plain bool or number so that
custom types from the config file can name them (``validator: luhn``).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import ipaddress
import json
import math
import re
from collections import Counter
from collections.abc import Callable

# ---------------------------------------------------------------- payment


def luhn(digits: str) -> bool:
    if not digits.isdigit():
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def only_digits(value: str) -> str:
    return "".join(c for c in value if "0" <= c <= "9")


def card_brand(digits: str) -> str | None:
    """The issuer network a PAN belongs to by its IIN prefix and length, or None."""
    n = len(digits)
    if n < 12 or n > 19:
        return None
    p2, p4, p6 = int(digits[:2]), int(digits[:4]), int(digits[:6])
    if digits[0] == "4" and n in (13, 16, 19):
        return "visa"
    if (51 <= p2 <= 55 or 2221 <= p4 <= 2720) and n == 16:
        return "mastercard"
    if p2 in (34, 37) and n == 15:
        return "amex"
    if (p4 == 6011 or p2 == 65 or 644 <= p4 // 10 <= 649 or 622126 <= p6 <= 622925) and 16 <= n <= 19:
        return "discover"
    if 3528 <= p4 <= 3589 and 16 <= n <= 19:
        return "jcb"
    if p4 in (1800, 2131) and n == 15:
        return "jcb"
    if (300 <= p4 // 10 <= 305 or p2 in (36, 38, 39) or p4 == 3095) and 14 <= n <= 19:
        return "diners"
    if p2 == 62 and 16 <= n <= 19:
        return "unionpay"
    if (p2 == 50 or 56 <= p2 <= 69) and 12 <= n <= 19:
        return "maestro"
    return None


def is_card(value: str) -> bool:
    digits = only_digits(value)
    return 12 <= len(digits) <= 19 and luhn(digits)


IBAN_LENGTHS: dict[str, int] = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
    "BI": 27, "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27,
    "DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27,
    "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22,
    "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32,
    "LI": 21, "LT": 20, "LU": 20, "LV": 21, "LY": 25, "MC": 27, "MD": 24, "ME": 22, "MK": 19,
    "MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18, "NO": 15, "OM": 23, "PK": 24,
    "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33, "SA": 24, "SC": 31,
    "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25, "SV": 28, "TL": 23,
    "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
}  # fmt: skip


def is_iban(value: str) -> bool:
    """Country length and the ISO 13616 mod-97 check."""
    s = value.replace(" ", "").upper()
    if len(s) < 15 or len(s) > 34 or not s.isalnum() or not s.isascii():
        return False
    if IBAN_LENGTHS.get(s[:2]) != len(s) or not s[2:4].isdigit():
        return False
    rotated = s[4:] + s[:4]
    try:
        number = int("".join(str(int(c, 36)) for c in rotated))
    except ValueError:
        return False
    return number % 97 == 1


# ---------------------------------------------------------------- government ids


def is_ssn(value: str) -> bool:
    """US SSN rules: area not 000, 666 or 9xx; group not 00; serial not 0000; no known samples."""
    digits = only_digits(value)
    if len(digits) != 9:
        return False
    area, group, serial = digits[:3], digits[3:5], digits[5:]
    if area in ("000", "666") or area[0] == "9" or group == "00" or serial == "0000":
        return False
    return digits not in ("078051120", "219099999", "123456789") and len(set(digits)) > 1


# ---------------------------------------------------------------- tokens


def b64url_json(segment: str) -> object:
    """Decode one base64url JWT segment to JSON, or None."""
    if len(segment) > 8192:
        return None
    try:
        raw = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
        return json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError, RecursionError):
        return None


def is_jwt(token: str) -> bool:
    """Three base64url segments whose header decodes to a JSON object with ``alg``."""
    parts = token.strip().split(".")
    if len(parts) not in (3, 5) or not parts[0].startswith("eyJ"):
        return False
    header = b64url_json(parts[0])
    return isinstance(header, dict) and "alg" in header


_AWS_PREFIXES = ("AKIA", "ASIA", "AGPA", "AIDA", "AROA", "AIPA", "ANPA", "ANVA", "ABIA", "ACCA", "APKA")
_B32 = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")


def is_aws_access_key(value: str) -> bool:
    v = value.strip()
    return len(v) == 20 and v.startswith(_AWS_PREFIXES) and all(c in _B32 for c in v[4:])


def pem_score(value: str) -> float:
    """1.0 for a framed PEM private key, 0.85 for a BEGIN line with a base64 body but no END."""
    start = value.find("-----BEGIN ")
    if start < 0 or "PRIVATE KEY" not in value[start : start + 64]:
        return 0.0
    header_end = value.find("-----", start + 11)
    if header_end < 0:
        return 0.0
    body_start = header_end + 5
    end = value.find("-----END ", body_start)
    body = value[body_start : end if end >= 0 else body_start + 400]
    b64 = sum(1 for c in body if c.isalnum() or c in "+/=")
    if b64 < 40:
        return 0.0
    return 1.0 if end >= 0 else 0.85


def entropy(value: str) -> float:
    """Shannon entropy in bits per character."""
    n = len(value)
    if not n:
        return 0.0
    return -sum(c / n * math.log2(c / n) for c in Counter(value).values())


_TOKEN_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~+/=:")
_LOWER = frozenset("abcdefghijklmnopqrstuvwxyz")
_UPPER = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_DIGITS = frozenset("0123456789")


def token_score(value: str, min_len: int = 16) -> float:
    """How much ``value`` looks like a machine-generated secret (0 = not at all)."""
    v = value.strip()
    n = len(v)
    if n < min_len or n > 4096:
        return 0.0
    chars = set(v)
    if not chars <= _TOKEN_CHARS:
        return 0.0
    classes = bool(chars & _LOWER) + bool(chars & _UPPER) + bool(chars & _DIGITS)
    if classes < 2:
        return 0.0
    if v.startswith(("http:", "https:")) or (v.count(".") > 3 and not v.startswith("ey")):
        return 0.0
    h = entropy(v)
    if h < 3.0:
        return 0.0
    return min(1.0, 0.55 + 0.1 * (h - 3.0) + 0.05 * classes)


# ---------------------------------------------------------------- network


def _ipv4_score(v: str) -> float:
    parts = v.split(".")
    if len(parts) != 4:
        return 0.0
    octets: list[int] = []
    for p in parts:
        if not p.isdigit() or len(p) > 3 or (len(p) > 1 and p[0] == "0"):
            return 0.0
        o = int(p)
        if o > 255:
            return 0.0
        octets.append(o)
    a, b = octets[0], octets[1]
    if a in (0, 127) or a >= 224 or v == "255.255.255.255":
        return 0.0  # this-network, loopback, multicast, reserved
    if a == 10 or (a == 172 and 16 <= b <= 31) or (a == 192 and b == 168) or (a == 169 and b == 254):
        return 0.75
    if (a == 100 and 64 <= b <= 127) or (a, b, octets[2]) in _DOC_NETS:
        return 0.75
    return 0.9


_DOC_NETS = frozenset({(192, 0, 2), (198, 51, 100), (203, 0, 113)})


def ip_score(value: str) -> float:
    """0.9 for a public address, 0.75 private/link-local, 0 for loopback/unspecified/invalid."""
    v = value.strip().strip("[]")
    if ":" not in v:
        return _ipv4_score(v)
    if "%" in v:
        v = v.split("%", 1)[0]
    try:
        ip = ipaddress.ip_address(v)
    except ValueError:
        return 0.0
    if ip.is_loopback or ip.is_unspecified or ip.is_multicast or ip.is_reserved:
        return 0.0
    return 0.75 if ip.is_private or ip.is_link_local else 0.9


# ---------------------------------------------------------------- dates

_ISO_DATE = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[T ].*)?")
_DMY_DATE = re.compile(r"(\d{1,2})([./-])(\d{1,2})\2(\d{4})")
_COMPACT_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")


def _date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def parse_date(value: str) -> dt.date | None:
    """A calendar date written ``YYYY-MM-DD`` (optionally with a time), ``MM/DD/YYYY``,
    ``DD/MM/YYYY``, ``DD.MM.YYYY`` or ``YYYYMMDD``; ambiguous day/month orders try US first."""
    v = value.strip()
    if len(v) > 40:
        return None
    m = _ISO_DATE.fullmatch(v)
    if m:
        return _date(int(m[1]), int(m[2]), int(m[3]))
    m = _DMY_DATE.fullmatch(v)
    if m:
        a, b, year = int(m[1]), int(m[3]), int(m[4])
        return _date(year, a, b) or _date(year, b, a)
    m = _COMPACT_DATE.fullmatch(v)
    if m:
        return _date(int(m[1]), int(m[2]), int(m[3]))
    return None


def is_birth_date(value: str, today: dt.date | None = None, min_age: int = 0) -> bool:
    """A real calendar date giving an age between ``min_age`` and 120 years, not in the future."""
    d = parse_date(value)
    if d is None:
        return False
    today = today or dt.date.today()
    return d <= today and min_age <= (today.year - d.year) <= 120


# ---------------------------------------------------------------- registry for custom types

VALIDATORS: dict[str, Callable[[str], bool]] = {
    "luhn": lambda v: len(only_digits(v)) >= 2 and luhn(only_digits(v)) and all(c.isdigit() or c in " -" for c in v),
    "credit_card": is_card,
    "iban": is_iban,
    "us_ssn": is_ssn,
    "jwt": is_jwt,
    "aws_access_key": is_aws_access_key,
    "private_key": lambda v: pem_score(v) > 0,
    "ip_address": lambda v: ip_score(v) > 0,
    "date_of_birth": is_birth_date,
    "date": lambda v: parse_date(v) is not None,
    "high_entropy": lambda v: token_score(v) > 0,
}
"""Validators a custom type may name in the config file."""

"""US Social Security numbers and passport numbers.

An SSN written ``123-45-6789`` that passes the SSA allocation rules is recognised anywhere; nine
bare digits are far more often an id, so they count only under an SSN key. Passport numbers
have no checksum outside the machine-readable zone, so they always need a passport key and an
alphanumeric shape of a plausible length.
"""

from __future__ import annotations

from collections.abc import Sequence

from tracehound.classifiers._keys import contains_any, ends_with_any
from tracehound.classifiers._validators import is_ssn
from tracehound.classifiers.base import Classifier, FieldKey, KeyRule, ValuePattern
from tracehound.model.vocab import SensitiveType

_SSN_EXACT = frozenset({"ssn", "socialsecuritynumber", "socialsecurity", "socialsecurityno", "ussn",
                        "ssnumber", "socsecnum"})  # fmt: skip
_PASSPORT_META = ("expir", "issue", "country", "nationality", "type", "authority", "date", "photo", "url",
                  "image", "scan", "valid", "status", "verified")  # fmt: skip


def _ssn_key(k: FieldKey) -> bool:
    return k.key in _SSN_EXACT or ends_with_any(k.key, ("ssn", "socialsecuritynumber"))


def _passport_key(k: FieldKey) -> bool:
    if "passport" not in k.key:
        return k.key in ("number", "no", "num", "id") and k.parent.startswith("passport")
    return not contains_any(k.key, _PASSPORT_META)


def verify_ssn(value: str, key: FieldKey) -> float:
    return 0.9 if is_ssn(value) else 0.0


def verify_ssn_keyed(value: str, key: FieldKey) -> float:
    v = value.strip()
    if len(v) > 11 or not all(c.isdigit() or c in "- " for c in v):
        return 0.0
    return 0.99 if is_ssn(v) else 0.0


def verify_passport(value: str, key: FieldKey) -> float:
    v = value.strip().replace(" ", "")
    if not 6 <= len(v) <= 12 or not v.isascii() or not v.isalnum():
        return 0.0
    digits = sum(c.isdigit() for c in v)
    letters = len(v) - digits
    if digits < 3 or letters > len(v) - 3:
        return 0.0
    return 0.9


class GovernmentIdClassifier(Classifier):
    types = (SensitiveType.US_SSN, SensitiveType.PASSPORT_NUMBER)

    def patterns(self) -> Sequence[ValuePattern]:
        return (ValuePattern(SensitiveType.US_SSN, r"^\s*\d{3}-\d{2}-\d{4}\s*$", verify_ssn),)

    def key_rules(self) -> Sequence[KeyRule]:
        return (
            KeyRule(SensitiveType.US_SSN, _ssn_key, verify_ssn_keyed, numbers=True),
            KeyRule(SensitiveType.PASSPORT_NUMBER, _passport_key, verify_passport, numbers=True),
        )

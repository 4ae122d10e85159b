"""Payment card numbers and IBANs, the data PCI DSS and banking rules care most about.

A digit string is a card only if it passes Luhn *and* carries a real issuer prefix with a length
that issuer uses: random 16-digit ids pass Luhn one time in ten, so without a card key a bare
digit run also needs a brand, and gets a lower confidence than a grouped ``4111 1111 …`` form.
The endpoint-level rule then drops fields where only a few samples happened to pass.
"""

from __future__ import annotations

from collections.abc import Sequence

from tracehound.classifiers._keys import ends_with_any
from tracehound.classifiers._validators import card_brand, is_card, is_iban, luhn, only_digits
from tracehound.classifiers.base import Classifier, FieldKey, KeyRule, ValuePattern
from tracehound.model.vocab import SensitiveType

_CARD_EXACT = frozenset({"pan", "cc", "ccnum", "ccnumber", "cardno", "cardnum", "card", "creditcard",
                         "debitcard", "primaryaccountnumber", "paymentcard"})  # fmt: skip
_CARD_SUFFIXES = ("cardnumber", "cardno", "cardnum", "creditcard", "ccnumber", "debitcard", "cardpan")


def _card_key(k: FieldKey) -> bool:
    if k.key in _CARD_EXACT or ends_with_any(k.key, _CARD_SUFFIXES):
        return True
    return k.key in ("number", "pan", "num") and k.parent in ("card", "creditcard", "paymentcard", "cc")


def _iban_key(k: FieldKey) -> bool:
    return k.key.endswith("iban") or k.key in ("ibannumber", "ibancode")


def verify_card(value: str, key: FieldKey) -> float:
    digits = only_digits(value)
    if not 12 <= len(digits) <= 19 or not luhn(digits) or len(set(digits)) == 1:
        return 0.0
    if card_brand(digits) is None:
        return 0.0
    grouped = len(digits) != len(value.strip())
    return 0.9 if grouped else 0.8


def verify_card_keyed(value: str, key: FieldKey) -> float:
    v = value.strip()
    if not all(c.isdigit() or c in " -" for c in v) or not is_card(v):
        return 0.0
    return 0.99 if card_brand(only_digits(v)) else 0.85


def verify_iban(value: str, key: FieldKey) -> float:
    return 0.97 if is_iban(value) else 0.0


def verify_iban_keyed(value: str, key: FieldKey) -> float:
    return 0.99 if is_iban(value) else 0.0


class PaymentClassifier(Classifier):
    types = (SensitiveType.CREDIT_CARD, SensitiveType.IBAN)

    def patterns(self) -> Sequence[ValuePattern]:
        return (
            ValuePattern(
                SensitiveType.CREDIT_CARD,
                r"^\s*(?:\d{12,19}|\d{4}(?:[ -]\d{4}){2}[ -]\d{1,7}|\d{4}[ -]\d{6}[ -]\d{4,5})\s*$",
                verify_card,
            ),
            ValuePattern(
                SensitiveType.IBAN,
                r"(?i)^\s*[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\s*$",
                verify_iban,
            ),
        )

    def key_rules(self) -> Sequence[KeyRule]:
        return (
            KeyRule(SensitiveType.CREDIT_CARD, _card_key, verify_card_keyed, numbers=True),
            KeyRule(SensitiveType.IBAN, _iban_key, verify_iban_keyed),
        )

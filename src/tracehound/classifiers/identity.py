"""Personal identity: person names, birth dates, street addresses and postal codes.

None of these can be proved from a value alone ("Jordan" is a name, a country and a brand; a
date is rarely a birth date), so every rule here starts from the field's key and then demands a
value shaped like the type: capitalised words for names, a real date that gives an age of 0–120
for birth dates (13 or more under a loose key such as ``born``), a number plus words for street
lines, a known postal format for postal codes. A hint with a contradicting value
(``zip: "abc def ghi"``, ``dob: "2031-01-01"``) never fires.
"""

from __future__ import annotations

from collections.abc import Sequence

from tracehound.classifiers._keys import contains_any, ends_with_any
from tracehound.classifiers._validators import is_birth_date
from tracehound.classifiers.base import Classifier, FieldKey, KeyRule, ValuePattern
from tracehound.model.vocab import SensitiveType

# ---------------------------------------------------------------- person names

_NAME_SUFFIXES = ("firstname", "lastname", "fullname", "givenname", "familyname", "surname", "middlename",
                  "forename", "maidenname", "legalname", "personname", "contactname", "customername",
                  "displayname", "holdername", "cardholder", "recipientname", "beneficiaryname",
                  "patientname", "employeename", "sendername", "payeename", "payername", "ownername",
                  "guardianname", "spousename", "membername")  # fmt: skip
_NAME_EXACT = frozenset({"fname", "lname", "firstnames", "nombre", "apellido", "vorname", "nachname"})
_PERSON_PARENTS = frozenset({"user", "customer", "contact", "person", "employee", "owner", "patient",
                             "member", "recipient", "sender", "beneficiary", "cardholder", "holder",
                             "billing", "shipping", "guardian", "payer", "payee", "applicant",
                             "traveler", "traveller", "passenger", "guest", "author", "signer"})  # fmt: skip
_HONORIFICS = frozenset({"mr.", "mrs.", "ms.", "miss", "dr.", "prof.", "mr", "mrs", "ms", "dr", "jr.", "sr.",
                         "ii", "iii", "iv", "md", "phd", "dds", "dvm", "esq.", "jr", "sr"})  # fmt: skip
_NAME_PUNCT = frozenset("'’-.")


def _name_key(k: FieldKey) -> bool:
    if k.key in _NAME_EXACT or ends_with_any(k.key, _NAME_SUFFIXES):
        return True
    return k.key in ("name", "fullname") and k.parent in _PERSON_PARENTS


def verify_name(value: str, key: FieldKey) -> float:
    v = value.strip()
    if not 2 <= len(v) <= 70:
        return 0.0
    tokens = v.replace(",", " ").split()
    if not 1 <= len(tokens) <= 6:
        return 0.0
    words = 0
    for tok in tokens:
        if tok.lower() in _HONORIFICS:
            continue
        core = "".join(c for c in tok if c not in _NAME_PUNCT)
        if not core or not core.isalpha():
            return 0.0
        first = core[0]
        if first.islower():
            return 0.0  # "neural-net", "pending": names are capitalised
        words += 1
    if not words:
        return 0.0
    return 0.85 if words >= 2 or key.key != "name" else 0.7


# ---------------------------------------------------------------- birth dates

_BIRTH_EXCLUDE = ("place", "country", "city", "town", "state", "region", "certificate", "name", "weight")
_DOB_EXACT = frozenset({"dob", "bday", "dateofbirth", "birthdate", "birthday", "birthdt"})
_DOB_SUFFIXES = ("dob", "dateofbirth", "birthdate", "birthday")
MIN_LOOSE_AGE = 13
"""Youngest age a date under a loose birth key (``born``, ``birthInfo``) is taken for a birth
date at full confidence: recent dates under such keys are mostly when a record, item or account
came to be. Explicit keys (``dob``, ``dateOfBirth``) accept any age from 0 to 120."""


def _dob_key(k: FieldKey) -> bool:
    key = k.key
    if key in _DOB_EXACT or key in ("born", "bornon"):
        return True
    return ("birth" in key or key.endswith("dob")) and not contains_any(key, _BIRTH_EXCLUDE)


def _explicit_dob_key(key: str) -> bool:
    return key in _DOB_EXACT or (ends_with_any(key, _DOB_SUFFIXES) and not contains_any(key, _BIRTH_EXCLUDE))


def verify_dob(value: str, key: FieldKey) -> float:
    if not is_birth_date(value):
        return 0.0
    if _explicit_dob_key(key.key) or is_birth_date(value, min_age=MIN_LOOSE_AGE):
        return 0.92
    return 0.4  # below the reporting mean: a location of such dates alone is not reported


# ---------------------------------------------------------------- street addresses

_ADDRESS_NOT = ("email", "mail", "ip", "ipv4", "ipv6", "mac", "wallet", "remote", "server", "host", "web",
                "contract", "bitcoin", "btc", "eth", "node", "network", "socket", "bind", "listen", "proxy",
                "memory", "ble", "bluetooth", "peer", "gateway", "router", "broadcast", "local", "public",
                "deposit", "payout", "token")  # fmt: skip
_ADDRESS_SUFFIXES = ("address", "streetaddress", "addressline1", "addressline2", "addressline3",
                     "address1", "address2", "address3", "addr", "addr1", "addr2", "street", "streetline",
                     "streetline1", "streetline2")  # fmt: skip
_ADDRESS_PARENTS = frozenset({"address", "billingaddress", "shippingaddress", "homeaddress", "mailingaddress",
                              "postaladdress", "billing", "shipping", "residence", "location"})  # fmt: skip
_STREET_WORDS = frozenset({"st", "st.", "street", "ave", "ave.", "avenue", "rd", "rd.", "road", "blvd",
                           "boulevard", "lane", "ln", "drive", "dr", "dr.", "way", "court", "ct", "place",
                           "pl", "square", "sq", "terrace", "highway", "hwy", "parkway", "pkwy", "circle",
                           "suite", "apt", "apt.", "unit", "floor", "box", "strasse", "straße", "rue",
                           "calle", "via", "weg", "plaza", "trail", "crescent", "close", "row", "alley"})  # fmt: skip


def _address_key(k: FieldKey) -> bool:
    key = k.key
    if key in ("line1", "line2", "line3", "addressline", "streetaddress"):
        return True
    for suffix in ("address", "addr"):
        if key.endswith(suffix):
            return not ends_with_any(key[: -len(suffix)], _ADDRESS_NOT)
    if ends_with_any(key, _ADDRESS_SUFFIXES):
        return not key.startswith(("email", "ip", "mac", "remote", "server", "host"))
    return key in ("line", "lines", "street1", "street2") and k.parent in _ADDRESS_PARENTS


def verify_address(value: str, key: FieldKey) -> float:
    v = value.strip()
    if not 4 <= len(v) <= 200 or "@" in v or "://" in v:
        return 0.0
    tokens = v.replace(",", " ").split()
    if len(tokens) < 2:
        return 0.0
    has_digit = any(c.isdigit() for c in v)
    letters = sum(c.isalpha() for c in v)
    if letters < 3:
        return 0.0
    street_word = any(t.lower() in _STREET_WORDS for t in tokens)
    if has_digit and (tokens[0][0].isdigit() or tokens[-1][-1].isdigit() or street_word):
        return 0.88
    if street_word and any(t[0].isupper() for t in tokens if t[0].isalpha()):
        return 0.75
    return 0.0


# ---------------------------------------------------------------- postal codes

_POSTAL_EXACT = frozenset({"zip", "zipcode", "postcode", "postalcode", "postal", "zip4", "pincode", "plz",
                           "postnummer", "codepostal", "cep", "eircode"})  # fmt: skip
_POSTAL_SUFFIXES = ("zip", "zipcode", "postcode", "postalcode")


def _postal_key(k: FieldKey) -> bool:
    return k.key in _POSTAL_EXACT or ends_with_any(k.key, _POSTAL_SUFFIXES)


def verify_postal(value: str, key: FieldKey) -> float:
    v = value.strip().upper()
    n = len(v)
    if not 3 <= n <= 10:
        return 0.0
    digits = sum(c.isdigit() for c in v)
    if v.isdigit():
        return 0.9 if 4 <= n <= 6 else (0.7 if n == 3 else 0.0)
    if n == 10 and v[5] == "-" and v[:5].isdigit() and v[6:].isdigit():
        return 0.95  # ZIP+4
    compact = v.replace(" ", "").replace("-", "")
    if not compact.isalnum() or not compact.isascii() or digits < 1 or v.count(" ") > 1:
        return 0.0
    letters = len(compact) - digits
    # UK "SW1A 1AA", Canada "K1A 0B1", Netherlands "1234 AB", Poland "00-950", etc.
    return 0.85 if letters <= 5 and 5 <= len(compact) <= 8 else 0.0


class IdentityClassifier(Classifier):
    types = (
        SensitiveType.PERSON_NAME,
        SensitiveType.DATE_OF_BIRTH,
        SensitiveType.STREET_ADDRESS,
        SensitiveType.POSTAL_CODE,
    )

    def patterns(self) -> Sequence[ValuePattern]:
        return ()

    def key_rules(self) -> Sequence[KeyRule]:
        return (
            KeyRule(SensitiveType.PERSON_NAME, _name_key, verify_name),
            KeyRule(SensitiveType.DATE_OF_BIRTH, _dob_key, verify_dob),
            KeyRule(SensitiveType.STREET_ADDRESS, _address_key, verify_address),
            KeyRule(SensitiveType.POSTAL_CODE, _postal_key, verify_postal, numbers=True),
        )

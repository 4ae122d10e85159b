"""IP addresses: personal data under GDPR when they identify a client.

Any dotted quad or colon-hex string that ``ipaddress`` accepts is an address, but loopback,
unspecified and reserved ones identify nobody and are not reported; version strings such as
``1.2.3.4`` under a ``version`` key are rejected.
"""

from __future__ import annotations

from collections.abc import Sequence

from tracehound.classifiers._keys import ends_with_any
from tracehound.classifiers._validators import ip_score
from tracehound.classifiers.base import Classifier, FieldKey, KeyRule, ValuePattern
from tracehound.model.vocab import SensitiveType

_IP_EXACT = frozenset({"ip", "ipv4", "ipv6", "ipaddr", "remoteaddr", "remoteaddress", "clientaddr",
                       "xrealip", "xclientip", "trueclientip", "cfconnectingip", "peeraddress"})  # fmt: skip
_IP_SUFFIXES = ("ip", "ipaddress", "ipaddr", "ipv4", "ipv6")
_NOT_IP = ("version", "ver", "oid", "build", "release")


def _ip_key(k: FieldKey) -> bool:
    if k.key in _IP_EXACT:
        return True
    return ends_with_any(k.key, _IP_SUFFIXES) and not k.key.endswith(("zip", "ship", "tip", "strip", "skip"))


def verify_ip(value: str, key: FieldKey) -> float:
    if ends_with_any(key.key, _NOT_IP):
        return 0.0
    return ip_score(value)


def verify_ip_keyed(value: str, key: FieldKey) -> float:
    best = 0.0
    for part in value.split(",")[:8]:  # x-forwarded-for style lists
        best = max(best, ip_score(part))
    return min(1.0, best + 0.05) if best else 0.0


class NetworkClassifier(Classifier):
    types = (SensitiveType.IP_ADDRESS,)

    def patterns(self) -> Sequence[ValuePattern]:
        return (
            ValuePattern(SensitiveType.IP_ADDRESS, r"^\s*\d{1,3}(?:\.\d{1,3}){3}\s*$", verify_ip),
            ValuePattern(
                SensitiveType.IP_ADDRESS,
                r"(?i)^\s*\[?[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}(?::\d{1,3}(?:\.\d{1,3}){3})?"
                r"(?:%[0-9a-z]+)?\]?\s*$",
                verify_ip,
            ),
        )

    def key_rules(self) -> Sequence[KeyRule]:
        return (KeyRule(SensitiveType.IP_ADDRESS, _ip_key, verify_ip_keyed),)

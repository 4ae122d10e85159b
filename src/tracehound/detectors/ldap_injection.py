"""LDAP filter injection: a value that closes the application's filter and opens new clauses.

The structural signal is a closing parenthesis followed by a new ``(attr=`` clause or a boolean
operator (``)(uid=*)``, ``)(|(``, ``*)!(sn=*``), which does not happen in names, addresses or prose.
"""

from __future__ import annotations

from collections.abc import Sequence

from tracehound.detectors.base import PARAMS, RequestDetector, Signature
from tracehound.model import DetectionType, Severity

_ATTR = r"[\w.;-]+\s*[<>~]?="


class LdapInjectionDetector(RequestDetector):
    type = DetectionType.LDAP_INJECTION
    severity = Severity.HIGH

    def signatures(self) -> Sequence[Signature]:
        return (
            Signature("filter_break", rf"\)\s*[&|!]?\s*\(\s*(?:[&|!]|{_ATTR})", parts=PARAMS),
            Signature("operator_clause", rf"(?:^|[*)])\s*[&|!]\s*\(\s*(?:{_ATTR}|[&|!(])", parts=PARAMS),
            Signature(
                "wildcard_close",
                r"\*\s*\)\s*[(&|!]|\(\s*(?:uid|cn|sn|mail|objectclass|ou|dc|samaccountname|userpassword|givenname|memberof)\s*=\s*\*",
                parts=PARAMS,
            ),
            Signature("nested_operator", rf"\(\s*[&|!]\s*\(\s*{_ATTR}", parts=PARAMS),
            Signature("empty_filter", r"\(\s*[&|]\s*\)", parts=PARAMS),
            Signature("close_paren_attr", rf"^[^()]*\)\s*\(\s*{_ATTR}", level=2, parts=PARAMS),
        )

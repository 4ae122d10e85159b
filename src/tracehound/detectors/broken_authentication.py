"""``broken_authentication``: an endpoint whose traffic is authenticated answers 2xx without credentials.

When nearly every request to an endpoint carries a credential, the endpoint is meant to be
protected; a request with no credential at all that still gets a success answer shows the
check is missing (OWASP API2:2023). The evidence is the request itself, so the detection is
attributed to it. Counts are the stored baseline plus this run so far, so a single run catches it
once enough authenticated traffic preceded.

Login-like endpoints and CORS preflights (OPTIONS) are unauthenticated by design and skipped, and
so are endpoints whose usual credential is a session cookie: browsers send it to public pages too,
so a mostly-cookie-carrying endpoint is not evidence of a protected one. Header, query and basic
credentials (bearer, JWT, API keys) are sent on purpose.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from tracehound.detectors._behaviour_base import BehaviourDetector, Seen, Verdict, is_login_path
from tracehound.model import Detection, DetectionType, Severity
from tracehound.profiles.behaviour import EndpointBehaviour

MIN_AUTHENTICATED = 20
"""Authenticated requests an endpoint needs before it counts as protected."""
MIN_SHARE = 0.9
"""Share of its requests that must carry a credential."""
_EXEMPT_METHODS = frozenset({"OPTIONS", "HEAD"})


def credential_location(schemes: dict[str, int]) -> str:
    """Where the endpoint's usual credential travels, as a location."""
    if not schemes:
        return "request.header.authorization"
    label = max(sorted(schemes), key=lambda s: schemes[s])
    kind, _, rest = label.partition(":")
    if kind in ("api_key", "session_cookie") and rest:
        where, _, name = rest.partition(":") if kind == "api_key" else ("cookie", "", rest)
        prefix = {"header": "request.header.", "query": "request.query.", "cookie": "request.cookie."}.get(where)
        if prefix and name:
            return prefix + name
    return "request.header.authorization"


class BrokenAuthenticationDetector(BehaviourDetector):
    types: ClassVar[tuple[DetectionType, ...]] = (DetectionType.BROKEN_AUTHENTICATION,)
    severity: ClassVar[Severity] = Severity.HIGH

    def inspect(self, seen: Seen) -> Sequence[Detection]:
        ex = seen.ex
        if seen.principal is not None or not 200 <= ex.status < 300 or ex.method in _EXEMPT_METHODS:
            return ()
        if is_login_path(ex.method, seen.endpoint[2]):
            return ()
        live, learned = seen.live, seen.learned
        authenticated = live.authenticated + (learned.authenticated if learned else 0)
        anonymous = live.anonymous + (learned.anonymous if learned else 0)
        if authenticated < MIN_AUTHENTICATED or authenticated < MIN_SHARE * (authenticated + anonymous):
            return ()
        schemes = dict(learned.schemes) if learned else {}
        for label, n in live.schemes.items():
            schemes[label] = schemes.get(label, 0) + n
        location = credential_location(schemes)
        if location.startswith("request.cookie."):
            # Browsers send session cookies to every page, public ones included: cookie-borne
            # sessions do not show that an endpoint is meant to be protected.
            return ()
        return (
            self.detection(
                location,
                f"answered {ex.status} without credentials; {authenticated} of {authenticated + anonymous} "
                "requests to this endpoint are authenticated",
            ),
        )

    def evaluate(self, endpoint: tuple[str, str, str], state: EndpointBehaviour) -> Sequence[Verdict]:
        return ()

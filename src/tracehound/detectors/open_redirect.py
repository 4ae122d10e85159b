"""Open redirect: a navigation parameter that sends the browser off-site.

``?next=/account`` and ``?returnTo=https://<own host>/cart`` are how logins and checkouts work;
the attack is the same parameter pointing elsewhere, usually in a shape that slips past a naive
"starts with /" check: protocol-relative ``//evil.example``, ``/\\evil``, ``\\/\\/evil``,
``https:evil``, ``@evil`` (appended to a host: ``https://site@evil``), a URL with a user name
(``https://site@evil``) or a ``javascript:`` URL.
Those shapes are findings in any redirect-named query or form parameter. A plain absolute URL
counts only where the name says "send the browser there" (``redirect``, ``return_to``, ``next``,
``continue``, ``dest``, ``goto``) and its host is not the request's own site: the engine hands
the exchange to ``confirm_request`` for that comparison. Generic names (``url``, ``u``,
``target``, ``callback``) carry absolute URLs to fetch or to notify, and ``redirect_uri`` is an
OAuth client's registered callback on its own host, so only the evasion shapes count there.
JSON bodies are API payloads, not browser navigation, and are not judged.

Severity ``medium``: the server is not harmed; the redirect lends the site's name to phishing
and can leak OAuth codes or tokens to the attacker's host.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import urlsplit

from tracehound.detectors._roles import field_name
from tracehound.detectors.base import Part, RequestDetector, Signature
from tracehound.model import BodyKind, DetectionType, Exchange, Severity

_NAMES = re.compile(
    r"^(?:redirect|redirect_?(?:uri|url|to)|redir|return|return_?(?:to|url|uri|path)|next|next_?url|url|continue|"
    r"dest|destination|goto|go_?to|target|forward|r|u|callback)$"
)
"""Parameter names that a server may send the browser to."""
_NAVIGATION_NAMES = re.compile(
    r"^(?:redirect|redirect_?(?:url|to)|redir|return|return_?(?:to|url|path)|next|next_?url|continue|"
    r"dest|destination|goto|go_?to|forward)$"
)
"""The subset whose only purpose is navigation: an absolute URL to another site there is the attack."""
_PARTS = frozenset({Part.QUERY, Part.BODY})
_NAVIGATION_BODIES = frozenset({BodyKind.FORM, BodyKind.TEXT, BodyKind.MULTIPART})
"""Bodies a browser form submits; a JSON field is an API payload, not where the browser goes next."""


class OpenRedirectDetector(RequestDetector):
    type = DetectionType.OPEN_REDIRECT
    severity = Severity.MEDIUM

    def signatures(self) -> Sequence[Signature]:
        return (
            # //evil, ///evil, /\evil, \/\/evil, \\evil: the browser reads each as another host.
            Signature("scheme_relative", r"^\s*(?:[/\\]\s*){2,}[^/\\\s]", parts=_PARTS),
            Signature("userinfo_host", r"^\s*@[\w.-]+\.[a-z]{2,}", parts=_PARTS),
            Signature("scheme_without_slashes", r"^\s*https?:\s*(?:[^/\s]|/[^/\s])", parts=_PARTS),
            Signature(
                "script_scheme",
                r"^\s*(?:j\s*a\s*v\s*a\s*s\s*c\s*r\s*i\s*p\s*t|v\s*b\s*s\s*c\s*r\s*i\s*p\s*t|data)\s*:",
                parts=_PARTS,
            ),
            # https://own.example@evil.example: everything before the @ is a user name.
            Signature("userinfo_url", r"^\s*https?:/*[^/?#\s@]*@", parts=_PARTS),
            Signature("absolute_url", r"^\s*https?://[^\s]", parts=_PARTS),
        )

    def confirm_request(
        self, signature: Signature, matched: str, text: str, location: str, ex: Exchange | None
    ) -> bool:
        if location.startswith("request.body.") and (ex is None or ex.request_body.kind not in _NAVIGATION_BODIES):
            return False
        name = field_name(location).replace("-", "_")
        if not _NAMES.match(name):
            return False
        if signature.name != "absolute_url":
            return True
        if not _NAVIGATION_NAMES.match(name):
            return False
        return not _same_site(text, ex)


def _same_site(url: str, ex: Exchange | None) -> bool:
    """Whether ``url`` points at the request's own host or a sibling of it (``www.`` beside ``api.``).

    Without the exchange there is nothing to compare with, and the URL is given the benefit of the doubt.
    """
    if ex is None:
        return True
    try:
        host = (urlsplit(url.strip()).hostname or "").rstrip(".")
    except ValueError:
        return False
    if not host:
        return False
    own = {h.split(":")[0].lower().rstrip(".") for h in (ex.service, ex.headers.get("host", "")) if h}
    for o in own:
        if host == o or host.endswith("." + o):
            return True
        parent = o.split(".", 1)[1] if o.count(".") >= 2 else ""
        if parent and (host == parent or host.endswith("." + parent)):
            return True
    return False

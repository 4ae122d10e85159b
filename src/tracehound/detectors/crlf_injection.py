"""CRLF injection and HTTP response splitting.

A carriage return or line feed followed by something shaped like a header (``\\r\\nSet-Cookie:``),
a status line, or a second request, in a parameter, cookie, header or path; also CR/LF inside a
parameter name or a path segment, where no legitimate client puts one. Multi-line text in a body
field is only judged by the header-name list, since textareas legitimately hold newlines. A bare
newline counts only with something after it: a trailing one (``echo name | base64`` leaves one in
a base64 header value) cannot start a second header.
"""

from __future__ import annotations

from collections.abc import Sequence

from tracehound.detectors.base import Part, RequestDetector, Signature
from tracehound.model import DetectionType, Severity

_HEADERS = (
    r"(?:set-cookie|cookie|location|content-(?:type|length|disposition|security-policy|encoding)|"
    r"refresh|x-[\w-]+|access-control-[\w-]+|transfer-encoding|host|connection|cache-control|"
    r"remote-addr|referer|user-agent|authorization|strict-transport-security|link|vary|etag|server|"
    r"www-authenticate|proxy-[\w-]+|forwarded|upgrade|keep-alive|expires|last-modified|pragma)"
)
_NOT_BODY = frozenset({Part.PATH, Part.QUERY, Part.HEADER, Part.COOKIE, Part.KEY})


class CrlfInjectionDetector(RequestDetector):
    type = DetectionType.CRLF_INJECTION
    severity = Severity.MEDIUM

    def signatures(self) -> Sequence[Signature]:
        return (
            Signature("header_after_newline", rf"[\r\n]\s*{_HEADERS}[\r\n\s]*:"),
            Signature("status_line", r"[\r\n]\s*http/\d(?:\.\d)?\s+\d{3}|[\r\n]{2}\s*<\s*(?:html|script|body|meta)"),
            Signature(
                "request_line",
                r"\b(?:get|post|head|put|delete|options|connect|trace|patch)\s+(?:https?://\S+|/\S*)\s+http/\d",
            ),
            Signature("meta_refresh", r"<\s*meta\b[^>]*http-equiv"),
            Signature("newline_in_name", r"[\r\n]", parts=frozenset({Part.KEY, Part.PATH})),
            Signature("generic_header", r"[\r\n]+\s*[a-z][\w-]{1,40}[\r\n\s]*:", parts=_NOT_BODY, free_text=False),
            Signature("newline", r"[\r\n]", level=2, parts=frozenset({Part.QUERY, Part.COOKIE, Part.HEADER})),
        )

    def confirm(self, signature: Signature, matched: str, text: str, location: str) -> bool:
        if signature.name == "newline":
            return any(c in text.rstrip("\r\n\t \"'") for c in "\r\n")
        return True

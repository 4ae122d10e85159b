"""``security_misconfiguration``: what responses say about how the API is set up (OWASP API8:2023).

* CORS: ``Access-Control-Allow-Origin: *`` (or ``null``) together with
  ``Access-Control-Allow-Credentials: true``;
* HSTS: an HTTPS response without ``Strict-Transport-Security``;
* version banners: ``Server`` with a version, ``X-Powered-By``, ``X-AspNet(Mvc)-Version``;
* stack traces and verbose errors in a response body (Python, Java, .NET, PHP, Node, Go, Ruby
  traces; SQL error messages), which tell an attacker the stack and often the query.

Header issues describe the endpoint, not the request: each is logged on the first transaction of
the endpoint that shows it in a run (``EndpointBehaviour.posture`` remembers), so the detections
log is not flooded. A stack trace is about that response and is raised every time.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import ClassVar

import msgspec
import re2

from tracehound.detectors._behaviour_base import BehaviourDetector, Seen, Verdict
from tracehound.detectors._evidence import excerpt
from tracehound.model import BodyKind, Detection, DetectionType, Severity
from tracehound.profiles.behaviour import EndpointBehaviour

CORS = 1
HSTS = 2
BANNER = 4
MAX_SCAN = 65536
"""Bytes of a response body searched for traces."""

_TRACE = re2.compile(
    r"Traceback \(most recent call last\)"
    r"|File \\?\"[^\"\n]{1,300}\.py\\?\", line \d+"
    r"|Exception in thread \\?\""
    r"|\bat [A-Za-z_$][\w$]*(?:\.[\w$<>]+)+\([\w$]*\.(?:java|kt|scala|groovy):\d+\)"
    r"|\bat [\w.<>`]+\([^)\n]*\) in [^\n]{1,300}:line \d+"
    r"|System\.[A-Za-z.]*Exception\b"
    r"|in (?:/|[A-Za-z]:\\)[^\s<]{1,300}\.php(?:</b>)? on line (?:<b>)?\d+"
    r"|\bat (?:[\w$.<>]+ )?\((?:/|[A-Za-z]:\\|node:|internal/)[^)\n]{1,300}:\d+:\d+\)"
    r"|goroutine \d+ \[running\]"
    r"|\.rb:\d+:in `"
    r"|SQLSTATE\[\w+\]"
    r"|\bORA-\d{5}\b"
    r"|You have an error in your SQL syntax"
    r"|Unclosed quotation mark after the character string"
    r"|Werkzeug Debugger|Whitelabel Error Page"
)
_BANNER_VERSION = re.compile(r"[A-Za-z][\w.-]{0,40}/\d")
"""``Apache/2.4.41``; stdlib ``re`` on a short header is cheaper than a call into re2."""
_JSON = msgspec.json.Encoder()
_BANNER_HEADERS = ("x-powered-by", "x-aspnet-version", "x-aspnetmvc-version")


def _trace_text(seen: Seen) -> str:
    body = seen.ex.response_body
    if body.kind in (BodyKind.TEXT, BodyKind.XML) and isinstance(body.value, str):
        return body.value[:MAX_SCAN]
    if body.kind is BodyKind.JSON and seen.ex.status >= 400 and body.value is not None:
        # One C-level encode beats walking the fields; escapes (``\n``, ``\"``) do not hide the patterns.
        try:
            return _JSON.encode(body.value)[:MAX_SCAN].decode("utf-8", "replace")
        except (TypeError, ValueError, OverflowError):
            return ""
    return ""


class SecurityMisconfigurationDetector(BehaviourDetector):
    types: ClassVar[tuple[DetectionType, ...]] = (DetectionType.SECURITY_MISCONFIGURATION,)
    severity: ClassVar[Severity] = Severity.LOW

    def inspect(self, seen: Seen) -> Sequence[Detection]:
        ex = seen.ex
        headers = ex.response_headers
        out: list[Detection] = []
        live = seen.live
        if headers:
            origin = headers.get("access-control-allow-origin", "").strip()
            if (
                not live.posture & CORS
                and origin in ("*", "null")
                and headers.get("access-control-allow-credentials", "").strip().lower() == "true"
            ):
                live.posture |= CORS
                out.append(
                    self.detection(
                        "response.header.access-control-allow-origin",
                        f"Access-Control-Allow-Origin: {origin} with Access-Control-Allow-Credentials: true",
                        severity=Severity.HIGH,
                    )
                )
            if not live.posture & HSTS and ex.scheme == "https" and "strict-transport-security" not in headers:
                live.posture |= HSTS
                out.append(
                    self.detection(
                        "response.header.strict-transport-security", "HTTPS response without Strict-Transport-Security"
                    )
                )
            if not live.posture & BANNER:
                banner = self._banner(headers)
                if banner is not None:
                    live.posture |= BANNER
                    out.append(banner)
        text = _trace_text(seen)
        if text:
            m = _TRACE.search(text)
            if m is not None:
                out.append(
                    self.detection(
                        "response.body",
                        f"stack trace or verbose error in the response: {excerpt(m.group(0))}",
                        severity=Severity.MEDIUM,
                    )
                )
        return out

    def _banner(self, headers: dict[str, str]) -> Detection | None:
        server = headers.get("server")
        if server and _BANNER_VERSION.search(server[:256]):
            return self.detection("response.header.server", f"version banner: Server: {excerpt(server)}")
        for name in _BANNER_HEADERS:
            value = headers.get(name)
            if value:
                return self.detection(f"response.header.{name}", f"version banner: {name}: {excerpt(value)}")
        return None

    def evaluate(self, endpoint: tuple[str, str, str], state: EndpointBehaviour) -> Sequence[Verdict]:
        return ()

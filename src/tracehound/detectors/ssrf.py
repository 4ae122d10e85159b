"""Server-side request forgery: URLs and hosts that point inside the server's network.

The prefilter finds URL-ish text with an internal-looking host or a dangerous scheme; ``confirm``
then parses the host and decides with ``ipaddress``, so every notation the resolver accepts is
covered: dotted, dotless decimal (``2130706433``), octal (``0177.0.0.1``), hex (``0x7f000001``),
short forms (``127.1``), IPv6 loopback, link-local, ULA and IPv4-mapped (``[::ffff:127.0.0.1]``),
``localhost`` names and the cloud metadata endpoints. Headers are not scanned: proxies put
internal addresses there legitimately.

A bare value without a scheme is judged with more care, because integers are everywhere: a
dotless decimal is read as an address only when it decodes into loopback, link-local or a
private range (never ``0.0.0.0/8``, where every integer below 16,777,216 falls), and only with a
port or path after it or in a field whose name says it holds a URL or host: on its own it is an
id, an amount or a phone number (US numbers of area codes 213 and 214 decode into 127.0.0.0/8,
as does 2147483647). Path segments, where numeric ids live, are not read as hosts at all, and
browser-navigation parameters (``redirect_uri=http://localhost:8080/cb``) are not fetched by the
server: only a metadata address counts there. A bare private address in a field that records
one (``client_ip``, ``subnet``, ``gateway``) describes a network, not a target, and so does a
``localhost`` URL inside a JSON document sent as one field (an OpenAPI file).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence

from tracehound.detectors._roles import address_data, expects_url, navigates
from tracehound.detectors.base import PARAMS, Part, RequestDetector, Signature
from tracehound.model import DetectionType, Severity

_SCAN = PARAMS | {Part.RAW_BODY}
_METADATA_HOSTS = frozenset(
    {
        "169.254.169.254",
        "169.254.170.2",
        "100.100.100.200",
        "metadata.google.internal",
        "metadata",
        "metadata.azure.com",
        "instance-data",
        "instance-data.ec2.internal",
        "fd00:ec2::254",
        "192.0.0.192",
    }
)
_HOST_CHARS = r"[\w.\-\[\]:%]"
_URL_HOST = re.compile(r"(?i)^[a-z][a-z0-9+.\-]*:/{2,}(?:[^@/?#\s]*@)?(\[[^\]]*\]|[^/:?#\s\\]*)")
_INTERNAL_NAMES = re.compile(
    r"(?i)^(?:localhost|localhost\.localdomain|ip6-localhost|ip6-loopback|[\w.-]+\.(?:local|internal|localhost|"
    r"intranet|corp|lan|home\.arpa)|localtest\.me|[\w.-]*\.?(?:nip\.io|xip\.io|sslip\.io)|0|metadata)$"
)


_INTERNAL_NETS = tuple(
    ipaddress.ip_network(n)
    for n in ("0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7", "fec0::/10")
)
"""Private and shared ranges; documentation ranges (TEST-NET) are public here, unlike ``is_private``."""


def _ipv4_from_parts(host: str) -> ipaddress.IPv4Address | None:
    """inet_aton semantics: 1-4 parts, each decimal, octal (leading 0) or hex (0x)."""
    parts = host.split(".")
    if not 1 <= len(parts) <= 4:
        return None
    nums: list[int] = []
    for p in parts:
        if not p:
            return None
        try:
            if p.lower().startswith("0x"):
                nums.append(int(p[2:] or "0", 16))
            elif len(p) > 1 and p.startswith("0"):
                nums.append(int(p, 8))
            else:
                nums.append(int(p, 10))
        except ValueError:
            return None
    value = 0
    for n in nums[:-1]:
        if n > 255:
            return None
        value = value << 8 | n
    rest_bits = 8 * (5 - len(nums))
    if nums[-1] >= 1 << rest_bits:
        return None
    value = value << rest_bits | nums[-1]
    return ipaddress.IPv4Address(value)


def _ip_of(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    host = host.strip("[]").split("%", 1)[0]
    if ":" in host:
        try:
            v6 = ipaddress.IPv6Address(host)
        except ValueError:
            return None
        return v6.ipv4_mapped or v6
    if re.fullmatch(r"(?i)[0-9a-fx.]+", host) and any(c.isdigit() for c in host):
        return _ipv4_from_parts(host)
    return None


def internal_host(host: str) -> bool:
    """True for hosts that reach the server itself, its network, or a cloud metadata service."""
    host = host.strip().rstrip(".").lower()
    if not host:
        return False
    if host in _METADATA_HOSTS or _INTERNAL_NAMES.match(host):
        return True
    ip = _ip_of(host)
    if ip is None:
        return False
    return ip.is_loopback or ip.is_link_local or ip.is_unspecified or any(ip in net for net in _INTERNAL_NETS)


def _is_document(text: str) -> bool:
    """A JSON object or array sent as one field's value (an OpenAPI document, a saved config):
    a ``localhost`` URL inside it is content the server stores, not a target it fetches. Its
    fields are not walked here; a JSON body is, field by field, and a raw body is judged whole.
    Judged by shape, since the shell view of a value has its quotes removed."""
    return _DOCUMENT.fullmatch(text) is not None


_DOCUMENT = re.compile(r"\s*(?:\{\s*[\"']?[\w$@-]+[\"']?\s*:.*\}|\[\s*[\[{\"'\d].*\])\s*", re.DOTALL)


def _internal_decimal(number: int) -> bool:
    """A dotless decimal as ``inet_aton`` reads it, in loopback, link-local or a private range;
    ``0.0.0.0/8`` never, since every integer below 16,777,216 decodes into it."""
    if not 1 << 24 <= number < 1 << 32:
        return False
    ip = ipaddress.IPv4Address(number)
    return ip.is_loopback or ip.is_link_local or any(ip in net for net in _INTERNAL_NETS[1:5])


class SsrfDetector(RequestDetector):
    type = DetectionType.SSRF
    severity = Severity.HIGH

    def signatures(self) -> Sequence[Signature]:
        return (
            Signature(
                "metadata_host",
                r"169\.254\.169\.254|169\.254\.170\.2|100\.100\.100\.200|metadata\.google\.internal|metadata\.azure\.com|fd00:ec2::254|instance-data\b|/latest/meta-data\b|/computemetadata/v1|/metadata/instance\b",
                parts=_SCAN,
            ),
            Signature(
                "dangerous_scheme",
                r"\b(?:gopher|dict|ldap|ldaps|tftp|sftp|jar|netdoc|ftp|smb|telnet|mailto|jdbc|redis|mongodb|mysql|postgres|memcache|http2|fastcgi)://",
                parts=_SCAN,
            ),
            Signature(
                "url_host",
                rf"(?:^|[\s=\"'(,;@\[])[a-z][a-z0-9+.\-]*:/{{2,}}(?:[^@/?#\s]*@)?{_HOST_CHARS}+",
                parts=_SCAN,
            ),
            Signature(
                "bare_internal_host",
                r"^\s*(?:localhost|127(?:\.\d{1,3}){3}|0x[0-9a-f]{8}|0\d+\.[\d.]+|\d{8,10}|\[?::1\]?|\[?::ffff:[\d.a-f:]+\]?|\[?f[cd][0-9a-f]{2}:[0-9a-f:]+\]?|\[?fe80:[0-9a-f:%\w]+\]?|10(?:\.\d{1,3}){3}|192\.168(?:\.\d{1,3}){2}|172\.(?:1[6-9]|2\d|3[01])(?:\.\d{1,3}){2}|169\.254(?:\.\d{1,3}){2}|0\.0\.0\.0)(?::\d+)?(?:/\S*)?\s*$",
                level=2,
                parts=PARAMS - {Part.KEY, Part.PATH},
            ),
        )

    def confirm(self, signature: Signature, matched: str, text: str, location: str) -> bool:
        if signature.name in ("metadata_host", "dangerous_scheme"):
            return True
        if navigates(location):
            return False
        if signature.name == "url_host":
            if location != "request.body" and _is_document(text):
                return False
            start = re.search(r"(?i)[a-z][a-z0-9+.\-]*:/", matched)
            m = _URL_HOST.match(matched[start.start() :] if start else matched)
            if m is None:
                return False
            return internal_host(m.group(1).split(":")[0] if not m.group(1).startswith("[") else m.group(1))
        if address_data(location):
            return False
        host = matched.strip()
        if host.isdigit():
            return expects_url(location) and _internal_decimal(int(host))
        if re.fullmatch(r"\d+(?:[:/].*)?", host):
            return _internal_decimal(int(re.split(r"[:/]", host, maxsplit=1)[0]))
        if host.startswith("["):
            host = host[: host.find("]") + 1] if "]" in host else host
        elif host.count(":") <= 1:
            host = host.split("/")[0].split(":")[0]
        else:
            host = host.split("/")[0]
        return internal_host(host)

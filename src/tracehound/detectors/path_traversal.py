"""Path traversal and direct access to sensitive operating-system files.

Traversal is judged on decoded views (``%2e%2e%2f``, ``..%c0%af``, ``..\\``, ``0x2e``), and a
reference to a well-known secret file (``/etc/passwd``, ``boot.ini``, ``.ssh/id_rsa``) counts even
without dots, as CRS's restricted-file rules do. A JSON key path is judged key by key: the
engine joins nested keys with dots, and ``serviceDescriptors.env`` is a key ``env``, not ``.env``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from tracehound.detectors.base import PARAMS, Part, RequestDetector, Signature
from tracehound.model import DetectionType, Severity

_OS_FILES = (
    r"etc/(?:passwd|shadow|master\.passwd|group|hosts|issue|motd|sudoers|crontab|fstab|resolv\.conf|"
    r"httpd|apache2|nginx|mysql|ssh|security|pam\.d|network|profile|bashrc|environment|hostname|"
    r"inittab|inetd\.conf|lilo\.conf|modules|mtab|php\.ini|release|\w+-release)|"
    r"(?:boot|win|system)\.ini|system32|windows[\\/](?:win|system)|autoexec\.bat|"
    r"\.ssh[\\/](?:id_\w+|authorized_keys|known_hosts)|\.(?:htaccess|htpasswd|bash_history|bashrc|git[\\/]|svn[\\/]|"
    r"env\b|aws[\\/]credentials|docker[\\/]config|npmrc|netrc|pgpass|my\.cnf)|web\.config|"
    r"proc[\\/](?:self|\d+)[\\/](?:environ|cmdline|fd|maps|status|mem|exe|cwd)|"
    r"(?:httpd|apache2?|nginx|php|my|lighttpd)\.conf|var[\\/]log[\\/]|wp-config\.php|config\.inc\.php|"
    r"localsettings\.php|\bconfiguration\.php|global\.asax?\b|inetpub[\\/]wwwroot|desktop\.ini|ntuser\.dat|"
    r"\b[a-z]\$[\\/](?:users|windows|winnt|program files|inetpub)\b"
)


class PathTraversalDetector(RequestDetector):
    type = DetectionType.PATH_TRAVERSAL
    severity = Severity.HIGH

    def signatures(self) -> Sequence[Signature]:
        return (
            Signature("dot_dot_slash", r"(?:^|[\\/=\s\"':;,])\.{2,}[\\/]+\.{0,2}[\\/]*\S"),
            # "/.." at the end, not the ellipsis of a placeholder ("https://...").
            Signature("slash_dot_dot", r"[\\/]\.{2,}(?:[\\/]|\x00)|[\\/]\.\.$"),
            Signature(
                "encoded_dots",
                r"(?:%c0%ae|%c0%af|%c1%9c|%c1%1c|%e0%80%ae|%25c0%25ae|%uff0e|%u2215|%u2216|%252e|0x2e0x2e|0x2e%2e|\.%00\.)|(?:0x2e|0x5c|0x2f){2}|0x5c0x2e|\.{2}(?:0x2f|0x5c)",
            ),
            Signature("dots_semicolon", r"\.\.;[\\/]|[\\/];[\\/]\.\."),
            Signature("os_file", rf"(?:^|[\\/.=\s\"':]){_OS_FILES}", parts=PARAMS | {Part.HEADER, Part.RAW_BODY}),
            Signature("null_byte_ext", r"\x00\.?\w{0,5}$|\.\w{2,5}\x00"),
            Signature("dot_dot", r"\.\.[\\/]", level=2),
            Signature(
                "absolute_path",
                r"^(?:[a-z]:)?[\\/](?:etc|bin|usr|var|proc|root|home|windows|winnt|boot|tmp|dev|sys)[\\/]",
                level=2,
                parts=PARAMS,
            ),
            Signature("windows_share", r"^\\\\\\\\[\w.$-]+\\\\", level=3, parts=PARAMS),
        )

    def confirm(self, signature: Signature, matched: str, text: str, location: str) -> bool:
        is_key_path = location.startswith("request.body.") and text == location[13:].replace("[]", "")
        if signature.name == "os_file" and "." in text and is_key_path:
            return any(_OS_FILE.search(key) for key in text.split("."))
        return True


_OS_FILE = re.compile(rf"(?i)(?:^|[\\/=\s\"':]){_OS_FILES}")

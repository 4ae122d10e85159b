"""Log4Shell (CVE-2021-44228 and relatives): JNDI lookups in any logged value.

Obfuscation nests lookups that evaluate to single letters (``${${lower:j}ndi:``, ``${::-j}``,
``${env:X:-j}``); ``confirm`` evaluates those nestings, innermost first, and then looks for
``jndi:``. Other lookups that leak secrets (``${env:AWS_SECRET_ACCESS_KEY}``) are level 2.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from tracehound.detectors.base import RequestDetector, Signature
from tracehound.model import DetectionType, Severity

_INNER = re.compile(r"\$\{([^${}]*)\}")
_JNDI = re.compile(r"(?i)\$\{\s*jndi\s*:")
_MAX_ROUNDS = 32


def _resolve(m: re.Match[str]) -> str:
    body = m.group(1)
    if ":-" in body:
        return body.split(":-", 1)[1]
    prefix, sep, rest = body.partition(":")
    if sep and prefix.lower() in ("lower", "upper"):
        return rest.lower()
    if sep and prefix.lower() in ("jndi",):
        return "\x00JNDI:" + rest
    if sep:
        return rest if prefix.lower() in ("date", "main", "base64") else ""
    return body


def deobfuscate(text: str) -> str:
    """Evaluate nested Log4j lookups that only spell out letters; JNDI lookups are kept marked."""
    for _ in range(_MAX_ROUNDS):
        nxt = _INNER.sub(_resolve, text)
        if nxt == text:
            break
        text = nxt
    return text


class Log4ShellDetector(RequestDetector):
    type = DetectionType.LOG4SHELL
    severity = Severity.CRITICAL

    def signatures(self) -> Sequence[Signature]:
        return (
            Signature("jndi_lookup", r"\$\{\s*jndi\s*:"),
            Signature("nested_lookup", r"\$\{[^}]{0,40}\$\{|\$\{\s*(?:lower|upper|::-|[\w:]*:-)[^}]{0,20}\}"),
            Signature("jndi_scheme", r"\bjndi\s*:\s*(?:ldaps?|rmi|dns|iiop|corba|nds|nis|https?)\s*:"),
            Signature(
                "secret_lookup",
                r"\$\{\s*(?:env|sys|java|k8s|docker|spring|bundle|ctx|main|web|sd|log4j|event|map)\s*:[^}]{1,80}\}",
                level=2,
            ),
        )

    def confirm(self, signature: Signature, matched: str, text: str, location: str) -> bool:
        if signature.name != "nested_lookup":
            return True
        resolved = deobfuscate(text)
        return "\x00JNDI:" in resolved or bool(_JNDI.search(resolved)) or "jndi:" in resolved.lower()

"""XML external entities: a DOCTYPE that declares entities resolved from files or URLs.

Only the raw body (and any value, for XML smuggled inside a parameter) is scanned; the finding is
the declaration itself, whether or not the server resolves it.
"""

from __future__ import annotations

from collections.abc import Sequence

from tracehound.detectors.base import RequestDetector, Signature
from tracehound.model import DetectionType, Severity


class XxeDetector(RequestDetector):
    type = DetectionType.XXE
    severity = Severity.HIGH

    def signatures(self) -> Sequence[Signature]:
        return (
            Signature("external_entity", r"<!entity\s+(?:%\s*)?[\w.:-]+\s+(?:system|public)\b"),
            Signature("external_doctype", r"<!doctype\s+[\w.:-]+\s+(?:system|public)\s+[\"'][^\"']*(?:://|\.dtd)"),
            Signature(
                "xinclude",
                r"<\w*:?include\b[^>]*xmlns\s*(?::\w+)?\s*=\s*[\"']http://www\.w3\.org/2001/xinclude|<xi:include\b",
            ),
            Signature("parameter_entity_ref", r"<!doctype[^>]*\[[\s\S]*%[\w.-]+;"),
            Signature("entity_declaration", r"<!entity\b", level=2),
            Signature("doctype_subset", r"<!doctype\s+\w+\s*\[", level=3),
        )

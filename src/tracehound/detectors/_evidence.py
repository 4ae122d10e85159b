"""Short, redacted evidence for a detection: the matched span with a little context."""

from __future__ import annotations

from tracehound.model.redaction import redact_text

MAX_EVIDENCE = 120
_CONTEXT = 20


def evidence(text: str, start: int, end: int) -> str:
    """The span ``text[start:end]`` with some context, redacted and cut to ``MAX_EVIDENCE``."""
    lo = max(0, start - _CONTEXT)
    hi = min(len(text), max(end, start + 1) + _CONTEXT)
    snippet = text[lo:hi]
    snippet = "".join(ch if ch.isprintable() else f"\\x{ord(ch):02x}" if ord(ch) < 256 else "?" for ch in snippet)
    out = redact_text(snippet)
    return out if len(out) <= MAX_EVIDENCE else out[: MAX_EVIDENCE - 1] + "…"

"""Short, redacted evidence for a detection: the matched span with a little context.

The value is redacted *before* the window is cut out of it. Cutting first would let a card
number or a token that straddles the cut (or is glued to the attack text) escape masking,
because the redaction patterns no longer see the whole value. Any run of 12 or more digits left
after redaction (a number that fails the Luhn check, digits glued to others) is masked too.
"""

from __future__ import annotations

from tracehound.model.redaction import mask_digit_runs, redact_text

MAX_EVIDENCE = 120
_CONTEXT = 20
_REGION = 8192
"""Characters of the value, either side of the match, that are redacted for the evidence. The
window shown is ``_CONTEXT`` characters wide, so a secret cut at the region's edge could only
reach it if redaction shrank the ``_REGION`` characters in between to almost nothing."""
_MAX_MATCH = 4096
"""A longer match is treated as this long: the evidence shows its start only."""


def _printable(text: str) -> str:
    return "".join(ch if ch.isprintable() else f"\\x{ord(ch):02x}" if ord(ch) < 256 else "?" for ch in text)


def evidence(text: str, start: int, end: int) -> str:
    """The span ``text[start:end]`` with some context, redacted and cut to ``MAX_EVIDENCE``."""
    end = min(max(end, start + 1), start + _MAX_MATCH)
    lo = max(0, start - _REGION)
    hi = min(len(text), end + _REGION)
    region = text[lo:hi]
    start, end = start - lo, min(end - lo, len(region))
    redacted = mask_digit_runs(redact_text(region))
    # Where the match lies in the redacted text: exactly so unless a masked value straddles
    # one of its ends, and then close to it (the whole text is redacted either way).
    head = len(redact_text(region[:start])) if start else 0
    tail = len(redacted) - len(redact_text(region[end:])) if end < len(region) else len(redacted)
    head = min(head, len(redacted))
    tail = min(max(tail, head + 1), len(redacted))
    snippet = redacted[max(0, head - _CONTEXT) : tail + _CONTEXT]
    out = _printable(snippet)
    return out if len(out) <= MAX_EVIDENCE else out[: MAX_EVIDENCE - 1] + "…"


def excerpt(text: str, limit: int = 60) -> str:
    """``text`` redacted, digit runs masked, controls escaped, and only then cut to ``limit``
    characters: cutting first could split a secret where ``redact_text`` no longer sees it, and
    show its first part."""
    out = _printable(mask_digit_runs(redact_text(text)))
    return out if len(out) <= limit else out[: limit - 1] + "…"

"""Base64 fragments of a keyword at every alignment, for payloads serialized inside base64 blobs.

A keyword inside a longer base64 string is encoded differently depending on its offset modulo 3.
For each offset we encode the keyword behind that many filler bytes and keep only the characters
that do not depend on the unknown neighbours, giving three fixed strings per keyword that can be
searched for in the raw (case-sensitive) value.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable


def fragments(keyword: bytes) -> list[str]:
    out: list[str] = []
    for offset in range(3):
        encoded = base64.b64encode(b"\x00" * offset + keyword).decode("ascii").rstrip("=")
        # Drop the characters that mix filler bits in, and the last one, which mixes in what follows.
        head = (offset * 4 + 2) // 3
        tail = len(encoded) - 1 if (offset + len(keyword)) % 3 else len(encoded)
        frag = encoded[head:tail]
        if len(frag) >= 4:
            out.append(frag)
    return out


def alternation(keywords: Iterable[bytes]) -> str:
    """An RE2 alternation of the fragments of every keyword (they are plain base64 characters)."""
    frags = sorted({f.replace("+", r"\+") for kw in keywords for f in fragments(kw)}, key=len, reverse=True)
    return "(?:" + "|".join(frags) + ")"

"""Traffic-derived text made safe for a terminal: control characters are shown, never obeyed.

Hosts, paths, methods, header names, JSON keys and payloads come from whoever sent the traffic.
Printed raw, they drive the terminal that shows them: ``ESC c`` resets it, ``ESC [8m`` hides what
follows, OSC 8 turns text into a link, a bidi override reorders what the reader sees. Given to
Rich as a ``str``, they are also parsed as markup: ``[/oops]`` raises ``MarkupError`` and
``[link=https://evil.example/]`` becomes a clickable link.

So every such string goes through ``visible`` (each C0 and C1 control character, DEL, the bidi
controls and the line/paragraph separators become a ``\\x1b`` or ``\\u202e`` style escape) and
reaches Rich as a ``Text`` (``plain``), never as markup. Backslashes are left as they are, so a
Windows path or a ``..\\..\\`` payload stays readable; the escapes are for showing, not for
decoding. The module sits at the package top so that the terminal renderers (``report/``,
``cli/``) and the text log formatter (``cluster/logging.py``) share one rule.
"""

from __future__ import annotations

from rich.text import Text

__all__ = ["UNSAFE_CODEPOINTS", "plain", "visible"]

UNSAFE_CODEPOINTS: frozenset[int] = frozenset(
    (
        *range(0x00, 0x20),  # C0, including tab, newline and ESC
        0x7F,  # DEL
        *range(0x80, 0xA0),  # C1, including CSI (0x9b) and OSC (0x9d)
        0x061C,  # Arabic letter mark
        0x200E,  # left-to-right mark
        0x200F,  # right-to-left mark
        0x2028,  # line separator
        0x2029,  # paragraph separator
        *range(0x202A, 0x202F),  # bidi embeddings and overrides (LRE, RLE, PDF, LRO, RLO)
        *range(0x2066, 0x206A),  # bidi isolates (LRI, RLI, FSI, PDI)
    )
)
"""Code points that a terminal interprets (or that reorder text) rather than shows."""

_ESCAPES = str.maketrans({c: f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}" for c in UNSAFE_CODEPOINTS})


def visible(text: object) -> str:
    """``str(text)`` with every code point of ``UNSAFE_CODEPOINTS`` replaced by a visible escape."""
    return str(text).translate(_ESCAPES)


def plain(text: object, style: str = "") -> Text:
    """``text`` as a Rich ``Text``: no markup, no emoji codes, no highlighting, controls escaped."""
    return Text(visible(text), style=style)

"""JSON decoding that keeps records whose strings hold invalid UTF-8.

Browsers and proxies export bodies and headers with stray Latin-1 or truncated multi-byte
sequences; losing the whole entry for one bad byte would drop traffic. msgspec's decoders
signal invalid UTF-8 differently across releases (``UnicodeDecodeError`` up to 0.19,
``msgspec.DecodeError("Invalid UTF-8 ...")`` from 0.20 on), so the repair does not read the
error: when a decode fails and the bytes are not valid UTF-8, it decodes again with each bad
sequence replaced by U+FFFD. Valid input costs nothing extra; any other error is re-raised.

It is also where nesting is refused, for every source and the collector alike. msgspec's decoders
recurse in C under the interpreter's recursion guard, so a record nested thousands of levels deep
raises ``RecursionError`` (at about ``sys.getrecursionlimit()`` levels, minus the caller's own
stack) rather than overflowing the C stack; that error, which callers did not expect, becomes
``TooDeep``, a ``msgspec.DecodeError``, so every caller that rejects invalid JSON rejects the record
with its reason. Records are decoded into shallow typed structs (four or five levels), so nothing
deeper is ever built: nesting that decodes is only skipped, in C, and costs no Python recursion
later. A pre-scan for depth was measured and refused: even counting brackets costs half a typed
decode per HAR entry (``bytes.count`` twice over 5 KB: 5 us against 9), and the exact scan three.
Bodies, which are parsed into values and walked, get their own depth cap (``limits.max_json_depth``,
in the normalize stage).
"""

from __future__ import annotations

from typing import Any, TypeVar

import msgspec

T = TypeVar("T")

TOO_DEEP = "nested too deeply to decode"


class TooDeep(msgspec.DecodeError):
    """JSON nested beyond what the decoder's recursion guard allows (a ``RecursionError`` in msgspec)."""


_Buffer = bytes | bytearray | memoryview


def _is_utf8(data: _Buffer) -> bool:
    try:
        bytes(data).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def decode_repairing_utf8(decoder: msgspec.json.Decoder[T], data: _Buffer) -> T:
    """``decoder.decode(data)``, retried with U+FFFD for invalid UTF-8 when that is why it failed.

    Raises what the decoder raises for anything else (``msgspec.DecodeError`` for invalid JSON,
    ``msgspec.ValidationError`` for the wrong shape, ``TooDeep`` for nesting too deep to decode).
    """
    try:
        return decoder.decode(data)
    except msgspec.ValidationError:
        raise
    except (msgspec.DecodeError, UnicodeDecodeError):
        if _is_utf8(data):
            raise
    except RecursionError:
        raise TooDeep(TOO_DEEP) from None
    repaired = bytes(data).decode("utf-8", "replace").encode("utf-8")
    try:
        return decoder.decode(repaired)
    except RecursionError:
        raise TooDeep(TOO_DEEP) from None


def loads_repairing_utf8(data: _Buffer) -> Any:
    """Untyped ``msgspec.json.decode`` with the same repair."""
    return decode_repairing_utf8(_ANY, data)


_ANY: msgspec.json.Decoder[Any] = msgspec.json.Decoder()

"""JSON decoding that keeps records whose strings hold invalid UTF-8.

Browsers and proxies export bodies and headers with stray Latin-1 or truncated multi-byte
sequences; losing the whole entry for one bad byte would drop traffic. msgspec's decoders
signal invalid UTF-8 differently across releases (``UnicodeDecodeError`` up to 0.19,
``msgspec.DecodeError("Invalid UTF-8 ...")`` from 0.20 on), so the repair does not read the
error: when a decode fails and the bytes are not valid UTF-8, it decodes again with each bad
sequence replaced by U+FFFD. Valid input costs nothing extra; any other error is re-raised.
"""

from __future__ import annotations

from typing import Any, TypeVar

import msgspec

T = TypeVar("T")

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
    ``msgspec.ValidationError`` for the wrong shape, ``RecursionError`` for deep nesting).
    """
    try:
        return decoder.decode(data)
    except msgspec.ValidationError:
        raise
    except (msgspec.DecodeError, UnicodeDecodeError):
        if _is_utf8(data):
            raise
    repaired = bytes(data).decode("utf-8", "replace").encode("utf-8")
    return decoder.decode(repaired)


def loads_repairing_utf8(data: _Buffer) -> Any:
    """Untyped ``msgspec.json.decode`` with the same repair."""
    return decode_repairing_utf8(_ANY, data)


_ANY: msgspec.json.Decoder[Any] = msgspec.json.Decoder()

"""Decoding a gzip batch in steps, within a byte budget, and the slots that bound how many run at once.

A 64 KB gzip body can decode to 63 MiB, so what a compressed batch costs the collector is set by
the collector, not by the sender: each request may hold at most ``max_decompressed_bytes`` of
decoded output (413 beyond; the decoder works in 1 MiB steps, so it never holds more than the
budget plus one step), and only ``max_concurrent_decompressions`` requests may decode past the
first :data:`FREE_DECODE_BYTES` at the same time. A request that finds every slot taken gets 503
with ``Retry-After`` at once rather than queueing, so memory stays bounded by the settings
whatever the number of connections. Small batches, what sensors send, decode within the free
allowance and never wait for a slot.
"""

from __future__ import annotations

import io
import threading
import zlib

from tracehound.cluster.batch import BatchError, TooLarge

__all__ = ["FREE_DECODE_BYTES", "DecodeSlots", "GzipDecoder"]

FREE_DECODE_BYTES = 256 * 1024
"""Decoded bytes any request may produce without a slot (batches this small are parsed inline too)."""
_IN_STEP = 64 * 1024
_OUT_STEP = 1024 * 1024


class GzipDecoder:
    """A gzip body decoded on demand: :meth:`advance` decodes up to a mark, :meth:`result` gives it all.

    Raises :class:`~tracehound.cluster.batch.TooLarge` past ``budget`` decoded bytes and
    :class:`~tracehound.cluster.batch.BatchError` for a corrupt or truncated body, as
    :func:`~tracehound.cluster.batch.gunzip_capped` does (the first gzip member is the body).
    """

    def __init__(self, body: bytes, budget: int) -> None:
        self._body = memoryview(body)
        self._pos = 0
        self._budget = budget
        self._decoder = zlib.decompressobj(wbits=31)
        self._out = io.BytesIO()
        self._size = 0
        self.done = False

    def advance(self, mark: int) -> bool:
        """Decode until ``mark`` decoded bytes are held (never more) or the body ends; True once it has ended."""
        decoder = self._decoder
        while not self.done and self._size < mark:
            if decoder.eof:
                self.done = True
                break
            data: bytes | memoryview = decoder.unconsumed_tail
            if not data and self._pos < len(self._body):
                data = self._body[self._pos : self._pos + _IN_STEP]
                self._pos += len(data)
            # With all input given, zlib may still hold output (a match cut by the step size):
            # an empty call releases it, and only an empty call that releases nothing is the end.
            try:
                out = decoder.decompress(data, min(_OUT_STEP, mark - self._size, self._budget + 1 - self._size))
            except zlib.error as exc:
                raise BatchError(f"invalid gzip body: {exc}") from None
            if not data and not out and not decoder.eof:
                raise BatchError("invalid gzip body: truncated")
            self._size += len(out)
            if self._size > self._budget:
                self._out = io.BytesIO()  # let the memory go now, not when the request ends
                raise TooLarge(f"gzip body decodes to more than {self._budget} bytes")
            self._out.write(out)
        if decoder.eof:
            self.done = True
        return self.done

    def result(self) -> bytes:
        """The decoded body (call once :meth:`advance` has returned True)."""
        if not self.done:
            raise RuntimeError("the gzip body is not fully decoded")
        return self._out.getvalue()


class DecodeSlots:
    """A semaphore that never waits: :meth:`try_take` is True when a slot was free (then :meth:`give_back`)."""

    def __init__(self, slots: int) -> None:
        self.slots = slots
        self._free = threading.BoundedSemaphore(slots) if slots > 0 else None

    def try_take(self) -> bool:
        return self._free is not None and self._free.acquire(blocking=False)

    def give_back(self) -> None:
        assert self._free is not None
        self._free.release()

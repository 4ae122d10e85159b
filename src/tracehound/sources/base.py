"""What every traffic source is: a one-shot stream of transactions and counted rejections.

A source reads one input file and yields, in input order, a ``Transaction`` for every entry it
could read and a ``Rejection`` (where and why) for every entry it could not, so that one bad
entry is reported and the run goes on (ARCHITECTURE.md, "Failure and bad input"). Only a file
that cannot be read at all (missing, not the format its name promises) raises ``InputError``.

Sources do not own the run-wide numbering: the caller passes ``start_seq`` and a source numbers
its entries ``start_seq + index``; after the stream ends, ``next_seq`` is where the next file
starts. ``bytes_read``/``total_bytes`` let the CLI draw a progress bar with rate and ETA (for a
compressed file both count compressed bytes, so the ratio is still right).

``traffic_files`` and ``holds_no_data`` serve the CLI before any source is opened: a directory
stands for the traffic files directly inside it, and an input whose content is empty (or only
whitespace) holds no entries in either format, so both formats treat it the same way.
"""

from __future__ import annotations

import gzip
import os
import zlib
from abc import ABC, abstractmethod
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

import msgspec

from tracehound.errors import InputError
from tracehound.model import Transaction

DEFAULT_MAX_ENTRY_BYTES = 64 * 1024 * 1024
"""Cap on one HAR entry or NDJSON line; anything larger is rejected without being buffered."""

GZIP_MAGIC = b"\x1f\x8b"

TRAFFIC_SUFFIXES = (".har", ".ndjson", ".jsonl")
"""Names (each optionally ending ``.gz``) that a directory input reads; other files are skipped."""


class Rejection(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """An entry a source could not turn into a transaction, with where and why."""

    source: str
    """The file it came from, as given to the source."""
    index: int
    """0-based: the entry's index in ``log.entries`` for HAR, the line number for NDJSON."""
    reason: str


class Source(ABC):
    """A one-shot stream of ``Transaction | Rejection`` read from one file, in file order.

    The file is opened (and, where the format allows, checked) by the constructor, so an
    unreadable input fails with ``InputError`` before any work is done. Iterating reads the file
    once and closes it; use the source as a context manager, or ``close()`` it, when a stream is
    abandoned part-way.
    """

    def __init__(self, path: Path, start_seq: int = 0) -> None:
        self.path = path
        self.name = str(path)
        self.start_seq = start_seq
        self.count = 0
        """Entries seen so far (transactions plus rejections counted by entry index)."""
        self._raw: BinaryIO | None = None
        self._total = 0
        self._started = False

    # -- the stream ------------------------------------------------------------------------

    def __iter__(self) -> Iterator[Transaction | Rejection]:
        if self._started:
            raise RuntimeError(f"{type(self).__name__} for {self.name} can be iterated only once")
        self._started = True
        try:
            yield from self._read()
        finally:
            self.close()

    @abstractmethod
    def _read(self) -> Iterator[Transaction | Rejection]:
        """Yield every entry; the base class handles one-shot use and closing."""

    @property
    def next_seq(self) -> int:
        """The ``start_seq`` for the file that follows this one, once this stream has ended."""
        return self.start_seq + self.count

    # -- progress --------------------------------------------------------------------------

    @property
    def total_bytes(self) -> int:
        """Size of the file on disk (compressed size for ``.gz``)."""
        return self._total

    @property
    def bytes_read(self) -> int:
        """Position in the file on disk (compressed position for ``.gz``)."""
        raw = self._raw
        if raw is None or raw.closed:
            return self._total if self._started else 0
        try:
            return raw.tell()
        except (OSError, ValueError):
            return 0

    # -- lifetime --------------------------------------------------------------------------

    def close(self) -> None:
        if self._raw is not None:
            self._raw.close()

    def __enter__(self) -> Source:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- helpers for subclasses --------------------------------------------------------------

    def _open(self, compressed: bool | None = None) -> BinaryIO:
        """Open the file for reading, transparently gunzipping; ``None`` sniffs the magic bytes."""
        try:
            raw: BinaryIO = open(self.path, "rb")  # noqa: SIM115 - closed by close()
        except OSError as e:
            raise InputError(f"{self.path}: cannot open: {e.strerror or e}") from None
        self._raw = raw
        try:
            self._total = os.fstat(raw.fileno()).st_size
            if compressed is None:
                compressed = raw.read(2) == GZIP_MAGIC
                raw.seek(0)
        except OSError as e:
            raw.close()
            raise InputError(f"{self.path}: cannot read: {e.strerror or e}") from None
        if compressed:
            return gzip.GzipFile(fileobj=raw, mode="rb")  # type: ignore[return-value]
        return raw

    def _reject(self, index: int, reason: str) -> Rejection:
        return Rejection(source=self.name, index=index, reason=reason)


READ_ERRORS: tuple[type[Exception], ...] = (OSError, EOFError, ValueError, gzip.BadGzipFile, zlib.error)
"""What reading a (possibly gzipped) file can raise: I/O errors, truncated or corrupt gzip (a bad
header or CRC is ``BadGzipFile``, a corrupt deflate stream inside it is ``zlib.error``)."""


def describe_read_error(e: Exception) -> str:
    """A one-line description of a read error, for an InputError or a Rejection reason."""
    if isinstance(e, EOFError):
        return "file truncated (compressed stream ends early)"
    if isinstance(e, gzip.BadGzipFile):
        return f"not a valid gzip file ({e})"
    if isinstance(e, zlib.error):
        return f"corrupt gzip data ({e})"
    if isinstance(e, OSError) and e.strerror:
        return f"cannot read: {e.strerror}"
    return f"cannot read: {e}"


def _sniff(path: Path) -> str:
    """``"har"`` when the content starts like a HAR document (``{"log"``), else ``"ndjson"``."""
    try:
        with open(path, "rb") as raw:
            head = raw.read(2)
            raw.seek(0)
            stream: BinaryIO = raw
            if head == GZIP_MAGIC:
                stream = gzip.GzipFile(fileobj=raw, mode="rb")  # type: ignore[assignment]
            start = stream.read(4096)
    except READ_ERRORS as e:
        raise InputError(f"{path}: {describe_read_error(e)}") from None
    start = start.removeprefix(b"\xef\xbb\xbf").lstrip()
    if start.startswith(b"{") and start[1:].lstrip().startswith(b'"log"'):
        return "har"
    return "ndjson"


def is_traffic_name(name: str) -> bool:
    """Whether a file called ``name`` is read when its directory is given: a ``TRAFFIC_SUFFIXES``
    suffix, optionally followed by ``.gz`` (case does not matter)."""
    return name.lower().removesuffix(".gz").endswith(TRAFFIC_SUFFIXES)


def traffic_files(directory: Path) -> tuple[list[Path], list[Path]]:
    """``(read, skipped)``: the traffic files directly inside ``directory``, in name order, and
    every other entry in it (other files, subdirectories: a directory input is not recursive, so
    that what a run reads is what ``ls`` shows). Raises ``InputError`` when it cannot be listed."""
    try:
        entries = sorted(directory.iterdir(), key=lambda p: p.name)
    except OSError as e:
        raise InputError(f"{directory}: cannot list the directory: {e.strerror or e}") from None
    read = [p for p in entries if is_traffic_name(p.name) and p.is_file()]
    taken = set(read)
    return read, [p for p in entries if p not in taken]


def holds_no_data(path: Path) -> bool:
    """Whether the file's content (gunzipped when it starts like gzip) is empty or only whitespace
    and a byte order mark. A file that cannot be read is not empty: its source reports why."""
    try:
        with open(path, "rb") as raw:
            stream: BinaryIO = raw
            if raw.read(2) == GZIP_MAGIC:
                stream = gzip.GzipFile(fileobj=raw, mode="rb")  # type: ignore[assignment]
            raw.seek(0)
            chunk = stream.read(64 * 1024).removeprefix(b"\xef\xbb\xbf")
            while chunk:
                if chunk.strip():
                    return False
                chunk = stream.read(64 * 1024)
    except READ_ERRORS:
        return False
    return True


def open_source(path: Path, start_seq: int = 0) -> Source:
    """The source for ``path``, chosen by suffix (``.har``, ``.ndjson``, ``.jsonl``, each
    optionally ``.gz``), else by content. Raises ``InputError`` when the file cannot be read."""
    # Imported here: har/ndjson import this module for Source and Rejection.
    from tracehound.sources.har import HarSource
    from tracehound.sources.ndjson import NdjsonSource

    name = path.name.lower()
    compressed = name.endswith(".gz")
    stem = name.removesuffix(".gz")
    if stem.endswith(".har"):
        return HarSource(path, start_seq, compressed=compressed)
    if stem.endswith((".ndjson", ".jsonl")):
        return NdjsonSource(path, start_seq, compressed=compressed)
    if path.is_dir():
        raise InputError(f"{path}: is a directory, not a traffic file")
    if _sniff(path) == "har":
        return HarSource(path, start_seq)
    return NdjsonSource(path, start_seq)


__all__ = [
    "DEFAULT_MAX_ENTRY_BYTES",
    "TRAFFIC_SUFFIXES",
    "Rejection",
    "Source",
    "describe_read_error",
    "holds_no_data",
    "is_traffic_name",
    "open_source",
    "traffic_files",
]

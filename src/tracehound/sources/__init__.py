"""Traffic sources: read input files into transactions, counting what cannot be read.

``open_source(path, start_seq)`` picks the reader for a file; each reader is a ``Source``
yielding ``Transaction | Rejection`` in file order (see ``base.py``).
"""

from __future__ import annotations

from tracehound.sources.base import DEFAULT_MAX_ENTRY_BYTES, Rejection, Source, open_source
from tracehound.sources.har import HarSource
from tracehound.sources.ndjson import NdjsonSource, encode_ndjson

__all__ = [
    "DEFAULT_MAX_ENTRY_BYTES",
    "HarSource",
    "NdjsonSource",
    "Rejection",
    "Source",
    "encode_ndjson",
    "open_source",
]

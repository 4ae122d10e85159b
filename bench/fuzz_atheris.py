"""Coverage-guided fuzzing with atheris (libFuzzer), an optional companion to tests/fuzz.

The hypothesis harness in tests/fuzz is the main one (structure-aware, runs in CI); this feeds raw
bytes, mutated by libFuzzer towards new coverage, to the same entry points with the same property:
only the documented errors may escape. atheris is not a dependency (it ships a 35 MB wheel):

    python -m venv /tmp/atheris && /tmp/atheris/bin/pip install atheris -e .
    /tmp/atheris/bin/python bench/fuzz_atheris.py -atheris_runs=100000 [-max_len=4096] [corpus_dir]

The first byte picks the target (HAR file, NDJSON file, gzip file, collector batch, bus message,
gunzip, spec, config); the rest is its input. A crash prints the input that raised and stops.
"""

from __future__ import annotations

import contextlib
import sys
import tempfile
from pathlib import Path

import atheris

with atheris.instrument_imports():
    from tracehound.analyzer.spec import load_spec
    from tracehound.cluster.batch import BatchError, TooLarge, decode_message, gunzip_capped, parse_har, parse_ndjson
    from tracehound.config import load_settings
    from tracehound.errors import ConfigError, InputError
    from tracehound.model import Transaction
    from tracehound.pipeline.normalize import normalize
    from tracehound.sources import open_source

WORK = Path(tempfile.mkdtemp(prefix="tracehound-atheris-"))


def read_file(name: str, data: bytes) -> None:
    path = WORK / name
    path.write_bytes(data)
    try:
        source = open_source(path)
    except InputError:
        return
    for item in source:
        if isinstance(item, Transaction):
            normalize(item)


def batch(data: bytes) -> None:
    for parse in (parse_har, parse_ndjson):
        with contextlib.suppress(BatchError):
            parse(data)
    try:
        _, items = decode_message(data, "atheris")
        list(items)
    except BatchError:
        pass
    with contextlib.suppress(BatchError, TooLarge):
        gunzip_capped(data, 1 << 20)


def spec(data: bytes, name: str) -> None:
    path = WORK / name
    path.write_bytes(data)
    with contextlib.suppress(InputError):
        load_spec(path)


def config(data: bytes) -> None:
    path = WORK / "c.yaml"
    path.write_bytes(data)
    with contextlib.suppress(ConfigError):
        load_settings(path, environ={})


def one_input(data: bytes) -> None:
    if not data:
        return
    which, body = data[0] % 8, data[1:]
    if which == 0:
        read_file("t.har", body)
    elif which == 1:
        read_file("t.ndjson", body)
    elif which == 2:
        read_file("t.har.gz", body)
    elif which == 3:
        read_file("t", body)
    elif which == 4:
        batch(body)
    elif which == 5:
        spec(body, "api.json")
    elif which == 6:
        spec(body, "api.yaml")
    else:
        config(body)


def main() -> None:
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()

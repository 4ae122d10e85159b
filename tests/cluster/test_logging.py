"""Structured logs carry client-derived values without letting a control character reach a terminal."""

from __future__ import annotations

import json
import logging
import re

import pytest

from tracehound.cluster.logging import JsonFormatter, TextFormatter

HOSTILE = [
    "a\x1bc\x1b[8mb.example",
    "/l/\x1b]8;;https://evil.example/\x07x\x1b]8;;\x07",
    "\x9b2J\x9d0;title\x9c",
    "gnp\u202e.exe\u2066\u2069",
    "line\nforged=1 level=INFO\r",
    "tab\there\x00\x7f",
]
CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def record(message: str, **fields: object) -> logging.LogRecord:
    rec = logging.LogRecord("tracehound.test", logging.WARNING, __file__, 1, message, None, None)
    rec.tracehound_fields = fields
    return rec


@pytest.mark.parametrize("value", HOSTILE)
def test_text_format_quotes_hostile_values_and_escapes_the_message(value: str) -> None:
    line = TextFormatter().format(record(f"worker.bad_message {value}", reason=value, seq=3))
    assert not CONTROLS.search(line), repr(line)
    assert line.endswith(f"reason={json.dumps(value)} seq=3")
    assert json.loads(line.split("reason=", 1)[1].rsplit(" seq=", 1)[0]) == value


@pytest.mark.parametrize("value", HOSTILE)
def test_json_format_escapes_hostile_values_by_construction(value: str) -> None:
    line = JsonFormatter().format(record(value, reason=value))
    assert not CONTROLS.search(line), repr(line)
    doc = json.loads(line)
    assert doc["event"] == value and doc["reason"] == value


def test_plain_values_stay_unquoted() -> None:
    line = TextFormatter().format(record("worker.flushed", tenant="acme", transactions=10, host="héllo.example"))
    assert line.endswith("WARNING worker.flushed tenant=acme transactions=10 host=héllo.example")

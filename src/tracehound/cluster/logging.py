"""Structured logs: an event name plus key/values, as text (``event k=v``) or one JSON object a line.

Services log what happened (``worker.flushed tenant=acme transactions=1000 seqs=3``), never what
traffic contained: callers pass counts, ids and reasons, not bodies, headers or keys. A fixed event
vocabulary keeps logs greppable and machine-parseable without a log-shipping schema.

Values can still carry client input (a rejection reason quotes a URL's structure, an error names
a header), and a log is read on a terminal: the text format JSON-quotes any value holding a
space, quote, ``=`` or a character that is not printable (``\x1b`` becomes ``\u001b``, and with it
every C0/C1 control and bidi override), and the message is passed through
``tracehound._plain.visible``; the JSON format escapes them by construction (``json.dumps`` with
``ensure_ascii``).
"""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import Any

from tracehound._plain import visible

__all__ = ["configure", "event"]

_FIELDS = "tracehound_fields"


def event(logger: logging.Logger, name: str, level: int = logging.INFO, /, **fields: Any) -> None:
    """Log event ``name`` with ``fields`` (keep them to counts, ids and reasons)."""
    if logger.isEnabledFor(level):
        logger.log(level, name, extra={_FIELDS: fields})


def _text_value(value: Any) -> str:
    text = str(value)
    if not text or not text.isprintable() or any(c in text for c in ' "='):
        return json.dumps(text)
    return text


class TextFormatter(logging.Formatter):
    """``2026-01-01T10:00:00Z INFO worker.flushed tenant=acme transactions=10``."""

    def format(self, record: logging.LogRecord) -> str:
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(record.created))
        fields: dict[str, Any] = getattr(record, _FIELDS, {})
        parts = [stamp, record.levelname, visible(record.getMessage())]
        parts += [f"{k}={_text_value(v)}" for k, v in fields.items()]
        if record.exc_info:
            parts.append("error=" + _text_value(repr(record.exc_info[1])))
        return " ".join(parts)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ``time``, ``level``, ``logger``, ``event`` and the fields."""

    def format(self, record: logging.LogRecord) -> str:
        doc: dict[str, Any] = {
            "time": round(record.created, 3),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
        }
        for key, value in getattr(record, _FIELDS, {}).items():
            doc.setdefault(key, value if isinstance(value, int | float | bool | None) else str(value))
        if record.exc_info:
            doc["error"] = repr(record.exc_info[1])
        return json.dumps(doc)


def configure(level: str = "info", fmt: str = "text") -> None:
    """Send every log record to stderr in the chosen format (called once by each service command)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)

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

uvicorn logs through the same handler (its servers are started with ``log_config=None``, so its
loggers propagate to ours): its records become events too (``http.server`` with uvicorn's fixed
message, ``http.access`` with the path but never the query string), and an exception attached to
one is reduced to its type and code locations. A traceback's text would carry the exception's
message, which can quote traffic, and it would break the one-event-a-line format.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
import traceback
from types import TracebackType
from typing import Any

from tracehound._plain import visible

__all__ = ["configure", "describe_exception", "event"]

UVICORN_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access", "uvicorn.asgi")

_FIELDS = "tracehound_fields"


def event(logger: logging.Logger, name: str, level: int = logging.INFO, /, **fields: Any) -> None:
    """Log event ``name`` with ``fields`` (keep them to counts, ids and reasons)."""
    if logger.isEnabledFor(level):
        logger.log(level, name, extra={_FIELDS: fields})


def describe_exception(exc: BaseException, frames: int = 4) -> dict[str, str]:
    """An exception as log fields without its message (which can quote traffic): the type and the
    innermost ``frames`` code locations, ``file:line function``, innermost last."""
    tb: TracebackType | None = exc.__traceback__
    summary = traceback.extract_tb(tb)[-frames:] if tb is not None else []
    where = " < ".join(f"{os.path.basename(f.filename)}:{f.lineno} {f.name}" for f in reversed(summary))
    return {"exception": f"{type(exc).__module__}.{type(exc).__qualname__}", "at": where or "-"}


class _UvicornRecords(logging.Filter):
    """Turns uvicorn's records into events: ``http.access`` (method, path without query, status)
    and ``http.server`` (uvicorn's own fixed message), an attached exception as type and locations."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.name.startswith("uvicorn") or hasattr(record, _FIELDS):
            return True
        fields: dict[str, Any]
        if record.name == "uvicorn.access" and isinstance(record.args, tuple) and len(record.args) == 5:
            client, method, path, _version, status = record.args
            fields = {"method": method, "path": str(path).partition("?")[0], "status": status, "client": client}
            name = "http.access"
        else:
            fields = {"message": record.getMessage().strip()}
            name = "http.server"
        if record.exc_info and record.exc_info[1] is not None:
            fields.update(describe_exception(record.exc_info[1]))
        record.msg, record.args = name, ()
        record.exc_info, record.exc_text = None, None
        setattr(record, _FIELDS, fields)
        return True


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
    handler.addFilter(_UvicornRecords())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in UVICORN_LOGGERS:  # whatever configured them before (uvicorn's own dictConfig), ours now
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = True
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)

"""Builders for HAR documents and entries used by the source tests."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any


def har_entry(
    url: str = "https://api.example.com/users/42?x=1",
    method: str = "get",
    *,
    request_headers: list[tuple[str, str]] | None = None,
    status: Any = 200,
    response_text: str | None = '{"id": 42}',
    post_text: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    headers = request_headers if request_headers is not None else [("Host", "api.example.com")]
    request: dict[str, Any] = {
        "method": method,
        "url": url,
        "httpVersion": "HTTP/1.1",
        "headers": [{"name": n, "value": v} for n, v in headers],
        "queryString": [],
        "cookies": [],
        "headersSize": -1,
        "bodySize": 0,
    }
    if post_text is not None:
        request["postData"] = {"mimeType": "application/json", "text": post_text}
    entry: dict[str, Any] = {
        "startedDateTime": "2026-11-25T10:00:00.000Z",
        "time": 12.5,
        "request": request,
        "response": {
            "status": status,
            "statusText": "OK",
            "httpVersion": "HTTP/1.1",
            "headers": [{"name": "Content-Type", "value": "application/json"}],
            "cookies": [],
            "content": {"size": 10, "mimeType": "application/json", "text": response_text},
            "redirectURL": "",
            "headersSize": -1,
            "bodySize": -1,
        },
        "cache": {},
        "timings": {"send": 0, "wait": 12.5, "receive": 0},
    }
    entry.update(extra)
    return entry


def har_document(entries: list[Any], **log_extra: Any) -> dict[str, Any]:
    log: dict[str, Any] = {"version": "1.2", "creator": {"name": "test", "version": "1"}}
    log.update(log_extra)
    log["entries"] = entries
    return {"log": log}


def har_bytes(entries: list[Any], indent: int | None = None, **log_extra: Any) -> bytes:
    return json.dumps(har_document(entries, **log_extra), indent=indent).encode()


def join_entries(raw_entries: list[bytes]) -> bytes:
    """A HAR document whose entries are given as raw bytes (which may be invalid JSON)."""
    return b'{"log": {"version": "1.2", "entries": [' + b",".join(raw_entries) + b"]}}"


def write(path: Path, data: bytes) -> Path:
    if path.name.endswith(".gz"):
        data = gzip.compress(data)
    path.write_bytes(data)
    return path

"""Hostile input through the whole pipeline: counted or reported, never a crash, nothing silently lost."""

from __future__ import annotations

import base64
import gzip
import json
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracehound.analysis import run_files
from tracehound.config import Settings
from tracehound.pipeline.stages import build_pipeline


def har_file(path: Path, entries: list[Any]) -> Path:
    path.write_text(json.dumps({"log": {"version": "1.2", "creator": {"name": "t"}, "entries": entries}}))
    return path


def entry(url: str, req_headers: list[dict[str, str]] | None = None, **response: Any) -> dict[str, Any]:
    content = {"mimeType": "application/json", "text": ""}
    content.update(response)
    return {
        "startedDateTime": "2026-11-25T10:00:00Z",
        "time": 5,
        "request": {"method": "POST", "url": url, "headers": req_headers or []},
        "response": {"status": 200, "headers": [], "content": content},
    }


def test_hostile_bodies_and_headers_are_processed_and_counted(tmp_path: Path) -> None:
    bomb = gzip.compress(b"0" * (64 << 20))
    deep = "[" * 5000 + "]" * 5000
    entries = [
        entry("https://api.example.com/a", text=base64.b64encode(bomb).decode(), encoding="base64"),
        entry("https://api.example.com/a", text=deep),
        entry(
            "https://api.example.com/a",
            text=base64.b64encode(b"\x89PNG\r\n\x1a\n\x00\x00").decode(),
            encoding="base64",
            mimeType="image/png",
        ),
        entry("https://api.example.com/a", [{"name": "X-Big", "value": "A" * 2_000_000}]),
        entry("https://api.example.com/%ff%fe/\udcff".encode("utf-8", "surrogatepass").decode("utf-8", "replace")),
        entry("https://api.example.com/a", text='{"a": "\\ud800"}'),
    ]
    entries[0]["response"]["headers"] = [{"name": "Content-Encoding", "value": "gzip"}]
    result = run_files([har_file(tmp_path / "h.har", entries)], build_pipeline(Settings()))
    assert result.transactions + result.rejected == len(entries)
    assert result.transactions >= 5
    # The bomb was cut at the decompression cap and said so.
    assert sum(result.body_errors.values()) >= 1


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=8), c, max_size=4),
    max_leaves=25,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(json_values, max_size=6))
def test_arbitrary_json_entries_never_crash_the_pipeline(tmp_path: Path, entries: list[Any]) -> None:
    path = har_file(tmp_path / "any.har", entries)
    result = run_files([path], build_pipeline(Settings()))
    assert result.transactions + result.rejected == len(entries)
    for rejection in result.rejections:
        assert rejection.reason and rejection.source.endswith("any.har")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.text(max_size=40),
    st.dictionaries(
        st.sampled_from(["content-type", "content-encoding", "cookie", "authorization", "x-a"]),
        st.text(max_size=40),
        max_size=5,
    ),
    st.binary(max_size=300),
)
def test_arbitrary_requests_never_crash_the_pipeline(
    tmp_path: Path, path: str, headers: dict[str, str], body: bytes
) -> None:
    e = entry("https://api.example.com/" + path, [{"name": k, "value": v} for k, v in headers.items()])
    e["request"]["postData"] = {
        "mimeType": headers.get("content-type", ""),
        "text": base64.b64encode(body).decode(),
        "encoding": "base64",
    }
    result = run_files([har_file(tmp_path / "r.har", [e])], build_pipeline(Settings()))
    assert result.transactions + result.rejected == 1

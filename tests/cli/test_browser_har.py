"""``tracehound analyze`` on traffic as browsers export it: bodies already decoded under a
Content-Encoding header, and the report fields that describe it documented in REPORT_FORMAT.md."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from tracehound.cli.main import cli

REPORT_FORMAT = Path(__file__).resolve().parents[2] / "REPORT_FORMAT.md"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def browser_entry(
    url: str,
    method: str = "GET",
    text: str = "",
    mime: str = "application/json",
    encoding: str | None = "gzip",
    request_text: str | None = None,
) -> dict[str, Any]:
    """An entry as Chrome and Firefox write it: ``content.text`` decoded, ``Content-Encoding`` kept."""
    headers = [{"name": "Content-Type", "value": mime}]
    if encoding is not None:
        headers.append({"name": "Content-Encoding", "value": encoding})
    request: dict[str, Any] = {"method": method, "url": url, "headers": [], "queryString": [], "cookies": []}
    if request_text is not None:
        request["postData"] = {"mimeType": "application/json", "text": request_text}
    return {
        "startedDateTime": "2026-11-25T10:00:00.000Z",
        "time": 10,
        "request": request,
        "response": {
            "status": 200,
            "headers": headers,
            "content": {"size": len(text), "mimeType": mime, "text": text},
        },
    }


def analyze(tmp_path: Path, entries: list[dict[str, Any]], *extra: str) -> dict[str, Any]:
    har = tmp_path / "browser.har"
    har.write_text(
        json.dumps({"log": {"version": "1.2", "creator": {"name": "t", "version": "1"}, "entries": entries}})
    )
    out = tmp_path / "r.json"
    code, _, err = run("analyze", str(har), "--db", str(tmp_path / "t.db"), "--json", str(out), "-q", *extra)
    assert code == 0, err
    report: dict[str, Any] = json.loads(out.read_text())
    return report


def endpoint(report: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    for service in report["services"]:
        for ep in service["endpoints"]:
            if ep["method"] == method and ep["path"] == path:
                return dict(ep)
    raise AssertionError(f"{method} {path} not in the report")


def test_browser_exported_bodies_keep_their_schema_and_are_counted(tmp_path: Path) -> None:
    entries = [
        browser_entry(
            "https://shop.example.com/api/check-cookie",
            "POST",
            json.dumps({"valid": True, "expires": 3600}),
            encoding=encoding,
            request_text=json.dumps({"cookie": "abc"}),
        )
        for encoding in ("gzip", "br", "deflate", "zstd")
    ]
    entries.append(browser_entry("https://shop.example.com/api/plain", text='{"a": 1}', encoding=None))
    report = analyze(tmp_path, entries)
    assert report["run"]["bodies_already_decoded"] == 4
    assert report["run"]["body_errors"] == {}
    ep = endpoint(report, "POST", "/api/check-cookie")
    assert set(ep["responses"]["200"]["properties"]) == {"valid", "expires"}


def test_a_really_compressed_body_in_a_har_is_decoded_and_not_counted(tmp_path: Path) -> None:
    import base64

    body = gzip.compress(json.dumps({"valid": True}).encode())
    entry = browser_entry("https://shop.example.com/api/check-cookie", "POST")
    entry["response"]["content"] = {
        "mimeType": "application/json",
        "encoding": "base64",
        "text": base64.b64encode(body).decode(),
    }
    report = analyze(tmp_path, [entry])
    assert report["run"]["bodies_already_decoded"] == 0
    assert report["run"]["body_errors"] == {}
    assert set(endpoint(report, "POST", "/api/check-cookie")["responses"]["200"]["properties"]) == {"valid"}


def _documented_fields() -> set[str]:
    """Every backticked name in REPORT_FORMAT.md, plus the keys of its JSON examples."""
    text = REPORT_FORMAT.read_text()
    return set(re.findall(r"`([A-Za-z_][A-Za-z0-9_.\[\]]*)`", text)) | set(
        re.findall(r'"([A-Za-z_][A-Za-z0-9_]*)":', text)
    )


def test_the_run_section_of_the_report_is_documented(tmp_path: Path) -> None:
    report = analyze(tmp_path, [browser_entry("https://shop.example.com/api/a", text="{}")])
    documented = _documented_fields()
    assert "run" in documented
    missing = [f"run.{key}" for key in report["run"] if f"run.{key}" not in documented and key not in documented]
    assert missing == [], f"not in REPORT_FORMAT.md: {missing}"
    assert "run.bodies_already_decoded" in documented

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


# -- API versus assets and pages ----------------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n" + bytes(120)


def asset_entry(url: str, mime: str, text: str = "", b64: bytes | None = None, status: int = 200) -> dict[str, Any]:
    import base64

    entry = browser_entry(url, text=text, mime=mime, encoding=None)
    entry["response"]["status"] = status
    if b64 is not None:
        entry["response"]["content"] = {"mimeType": mime, "encoding": "base64", "text": base64.b64encode(b64).decode()}
    return entry


def mixed_har() -> list[dict[str, Any]]:
    site = "https://www.example.com"
    entries = [asset_entry(f"{site}/", "text/html", "<!doctype html><html><body>hi</body></html>")]
    entries += [
        asset_entry(f"{site}/static/js/app.{h}.js", "application/javascript", "var a=1;") for h in ("3f2a9c", "77b1e0")
    ]
    entries.append(asset_entry(f"{site}/static/js/app.3f2a9c.js.map", "application/json", '{"version":3,"sources":[]}'))
    entries.append(asset_entry(f"{site}/static/css/site.css", "text/css", "body{color:red}"))
    entries.append(asset_entry(f"{site}/img/200@70.png", "image/png", b64=PNG))
    entries.append(asset_entry(f"{site}/img/logo_272x92dp.png", "", status=304))  # no body: the extension decides
    entries.append(asset_entry(f"{site}/fonts/inter.woff2", "font/woff2", b64=b"wOF2" + bytes(60)))
    # An attack aimed at an asset path is still detected.
    entries.append(
        asset_entry(
            f"{site}/static/js/app.js?v=1%27%20UNION%20SELECT%20password%20FROM%20users--", "text/javascript", "var b;"
        )
    )
    for uid in (1, 2, 3):
        entries.append(
            browser_entry(f"{site}/api/users/{uid}", text=json.dumps({"id": uid, "name": "x"}), encoding="gzip")
        )
    entries.append(browser_entry(f"{site}/api/check-cookie", "POST", '{"valid": true}', request_text='{"c": 1}'))
    return entries


def test_default_report_lists_api_endpoints_and_counts_assets_and_pages(tmp_path: Path) -> None:
    report = analyze(tmp_path, mixed_har(), "--openapi", str(tmp_path / "oa"))
    (service,) = report["services"]
    paths = {(e["method"], e["path"]) for e in service["endpoints"]}
    assert paths == {("GET", "/api/users/{userId}"), ("POST", "/api/check-cookie")}
    assert {e["kind"] for e in service["endpoints"]} == {"api"}
    assert report["summary"]["endpoints"] == 2
    by_family = {(a["kind"], a["family"]): a for a in service["assets"]}
    assert set(by_family) == {
        ("asset", "script"),
        ("asset", "source_map"),
        ("asset", "style"),
        ("asset", "image"),
        ("asset", "font"),
        ("page", "html"),
    }
    assert by_family[("asset", "script")]["count"] == 3
    assert by_family[("asset", "image")]["count"] == 2
    assert by_family[("asset", "image")]["bytes"] == len(PNG)
    assert by_family[("page", "html")]["bytes"] == len("<!doctype html><html><body>hi</body></html>")
    openapi = json.loads((tmp_path / "oa" / "www.example.com.json").read_text())
    assert set(openapi["paths"]) == {"/api/users/{userId}", "/api/check-cookie"}
    # Detection saw the asset request.
    sqli = [f for f in report["findings"] if f["type"] == "sqli"]
    assert sqli and sqli[0]["path"].startswith("/static/js/")
    # No file name became an email or anything else sensitive in the API inventory.
    assert not [f for f in report["findings"] if f["type"] == "sensitive_data_in_url" and "/api/" in f["path"]]


def test_include_assets_lists_every_endpoint_with_its_kind(tmp_path: Path) -> None:
    report = analyze(tmp_path, mixed_har(), "--include-assets")
    (service,) = report["services"]
    kinds: dict[str, set[str]] = {}
    for e in service["endpoints"]:
        kinds.setdefault(e["kind"], set()).add(e["path"])
    assert set(kinds) == {"api", "asset", "page"}
    assert kinds["page"] == {"/"}
    assert any(p.endswith(".css") for p in kinds["asset"]) and any(p.endswith(".woff2") for p in kinds["asset"])
    assert kinds["api"] == {"/api/users/{userId}", "/api/check-cookie"}
    assert report["summary"]["endpoints"] == len(service["endpoints"])
    assert {(a["kind"], a["family"]) for a in service["assets"]} >= {("page", "html"), ("asset", "script")}


def test_the_assets_summary_and_endpoint_kind_are_documented(tmp_path: Path) -> None:
    report = analyze(tmp_path, mixed_har())
    documented = _documented_fields()
    (service,) = report["services"]
    assert "assets" in documented and "kind" in documented
    for row in service["assets"]:
        assert {f"assets[].{key}" for key in row} <= documented


def test_terminal_summary_lists_api_endpoints_and_mentions_the_assets(tmp_path: Path) -> None:
    har = tmp_path / "browser.har"
    har.write_text(
        json.dumps({"log": {"version": "1.2", "creator": {"name": "t", "version": "1"}, "entries": mixed_har()}})
    )
    code, out, err = run("analyze", str(har), "--db", str(tmp_path / "t.db"))
    assert code == 0, err
    tables = out.split("Findings")[0]  # findings on asset requests are listed below, as they should be
    assert "/api/users/{userId}" in tables and ".css" not in tables and "woff2" not in tables
    assert "assets and pages not listed" in tables and "--include-assets" in tables
    code, out, err = run("analyze", str(har), "--db", str(tmp_path / "t2.db"), "--include-assets")
    assert code == 0, err
    assert "/static/css/site.css" in out.split("Findings")[0] and "assets and pages not listed" not in out


def test_html_report_lists_api_endpoints_and_the_assets_summary(tmp_path: Path) -> None:
    analyze(tmp_path, mixed_har(), "--html", str(tmp_path / "r.html"))
    html = (tmp_path / "r.html").read_text()
    endpoints_part, _, rest = html.partition("<h3>Assets and pages</h3>")
    assert "/api/users/{userId}" in endpoints_part and "site.css" not in endpoints_part.split("<h2>Findings")[0]
    assert "<td>source_map</td>" in rest.split("<h2>Findings")[0]

"""``tracehound analyze`` end to end: outputs in the contract's shape, accumulation, --no-learn, bad input."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from openapi_spec_validator import validate

from tracehound.cli.main import cli

DEMO = Path(__file__).resolve().parents[2] / "src" / "tracehound" / "demo" / "shop.har.gz"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def har(entries: list[dict[str, object]]) -> dict[str, object]:
    return {"log": {"version": "1.2", "creator": {"name": "t", "version": "1"}, "entries": entries}}


def entry(url: str, status: int = 200, body: object = None, method: str = "GET") -> dict[str, object]:
    text = "" if body is None else json.dumps(body)
    return {
        "startedDateTime": "2026-11-25T10:00:00.000Z",
        "time": 10,
        "request": {"method": method, "url": url, "headers": [], "queryString": [], "cookies": []},
        "response": {"status": status, "headers": [], "content": {"mimeType": "application/json", "text": text}},
    }


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    code, _, err = run(
        "analyze",
        str(DEMO),
        "--db",
        str(out / "t.db"),
        "--json",
        str(out / "r.json"),
        "--openapi",
        str(out / "oa"),
        "--html",
        str(out / "r.html"),
        "--sarif",
        str(out / "r.sarif"),
        "--detections",
        str(out / "d.jsonl"),
        "-q",
    )
    assert code == 0, err
    return out


def test_report_follows_the_contract(demo_run: Path) -> None:
    report = json.loads((demo_run / "r.json").read_text())
    assert report["version"] == 1
    assert set(report["summary"]) >= {"transactions", "rejected", "services", "endpoints", "findings"}
    assert report["summary"]["transactions"] == 1239
    service = report["services"][0]
    assert service["name"] == "shop.example.com"
    paths = {(e["method"], e["path"]) for e in service["endpoints"]}
    assert ("GET", "/api/v1/users/me") in paths
    assert ("GET", "/api/v1/orders/search") in paths
    assert ("GET", "/api/v1/orders/{orderId}") in paths
    assert ("GET", "/api/v1/users/{userId}/orders") in paths
    ep = next(e for e in service["endpoints"] if e["path"] == "/api/v1/orders/{orderId}")
    assert set(ep) >= {
        "method",
        "path",
        "count",
        "first_seen",
        "last_seen",
        "status",
        "latency_ms",
        "auth",
        "parameters",
        "request_body",
        "responses",
        "sensitive",
        "origin",
        "risk",
    }
    assert {"name": "orderId", "in": "path", "type": "integer", "format": "int64", "required": True} in ep["parameters"]
    assert ep["latency_ms"]["p50"] <= ep["latency_ms"]["p95"] <= ep["latency_ms"]["p99"]
    assert ep["origin"] == "observed"
    for f in report["findings"]:
        assert set(f) >= {
            "type",
            "severity",
            "owasp",
            "service",
            "method",
            "path",
            "location",
            "count",
            "first_seen",
            "last_seen",
            "clients",
            "evidence",
        }


def test_every_openapi_document_validates(demo_run: Path) -> None:
    docs = list((demo_run / "oa").glob("*.json"))
    assert [d.name for d in docs] == ["shop.example.com.json"]
    for doc in docs:
        spec = json.loads(doc.read_text())
        validate(spec)
        assert "/api/v1/users/{userId}/orders" in spec["paths"]


def test_detections_lines_and_sarif(demo_run: Path) -> None:
    lines = [json.loads(line) for line in (demo_run / "d.jsonl").read_text().splitlines()]
    keys = {"seq", "request_id", "detections", "method", "path", "client"}
    assert lines and all(set(line) == keys for line in lines)
    assert all(set(d) == {"type", "location", "severity", "evidence"} for line in lines for d in line["detections"])
    sqli = [line for line in lines if any(d["type"] == "sqli" for d in line["detections"])]
    # What an analyst needs to see what was flagged, without a second tool.
    assert sqli and all(line["method"] and line["path"].startswith("/") and line["client"] for line in sqli)
    assert all(d["evidence"] for line in sqli for d in line["detections"] if d["type"] == "sqli")
    sarif = json.loads((demo_run / "r.sarif").read_text())
    assert sarif["version"] == "2.1.0" and sarif["runs"][0]["results"]
    report = json.loads((demo_run / "r.json").read_text())
    fingerprints = [r["partialFingerprints"]["tracehoundFindingId/v1"] for r in sarif["runs"][0]["results"]]
    assert fingerprints == [f["id"] for f in report["findings"]]
    assert len(set(fingerprints)) == len(fingerprints)
    html = (demo_run / "r.html").read_text()
    assert html.startswith("<!doctype html>") and "<script" not in html.lower().replace("&lt;script", "")


def test_runs_accumulate_and_no_learn_keeps_profiles(tmp_path: Path) -> None:
    db = str(tmp_path / "t.db")
    first = tmp_path / "a.har"
    first.write_text(json.dumps(har([entry(f"https://api.example.com/items/{1000 + i}") for i in range(5)])))
    assert run("analyze", str(first), "--db", db, "--json", str(tmp_path / "1.json"), "-q")[0] == 0
    assert run("analyze", str(first), "--db", db, "--json", str(tmp_path / "2.json"), "-q")[0] == 0
    report = json.loads((tmp_path / "2.json").read_text())
    assert report["summary"]["transactions"] == 10
    assert report["services"][0]["endpoints"][0]["count"] == 10
    assert run("analyze", str(first), "--db", db, "--no-learn", "--json", str(tmp_path / "3.json"), "-q")[0] == 0
    assert run("analyze", str(first), "--db", db, "--no-learn", "--json", str(tmp_path / "4.json"), "-q")[0] == 0
    no_learn = json.loads((tmp_path / "4.json").read_text())
    # The store still holds 10 learned samples; the report adds only this run's 5.
    assert no_learn["services"][0]["endpoints"][0]["count"] == 15


def test_seq_counts_across_inputs_and_gz(tmp_path: Path) -> None:
    attack = entry("https://api.example.com/search?q=1%27%20OR%20%271%27%3D%271")
    a = tmp_path / "a.har"
    a.write_text(json.dumps(har([entry("https://api.example.com/x"), entry("https://api.example.com/y")])))
    b = tmp_path / "b.har.gz"
    b.write_bytes(gzip.compress(json.dumps(har([attack])).encode()))
    code, _, _ = run(
        "analyze", str(a), str(b), "--db", str(tmp_path / "t.db"), "--detections", str(tmp_path / "d.jsonl"), "-q"
    )
    assert code == 0
    lines = [json.loads(x) for x in (tmp_path / "d.jsonl").read_text().splitlines()]
    assert [line["seq"] for line in lines] == [2]


def test_bad_entries_are_counted_and_reported(tmp_path: Path) -> None:
    doc = har([entry("https://api.example.com/ok"), {"request": {"method": 5}}, entry("https://api.example.com/ok")])
    path = tmp_path / "mixed.har"
    path.write_text(json.dumps(doc))
    code, _, _ = run("analyze", str(path), "--db", str(tmp_path / "t.db"), "--json", str(tmp_path / "r.json"), "-q")
    assert code == 0
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["summary"]["rejected"] == 1 and report["summary"]["transactions"] == 2
    assert report["run"]["rejections"][0]["index"] == 1
    assert report["run"]["rejections"][0]["source"].endswith("mixed.har")


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"not json at all", "mixed"), (b'{"log": {"entries": 5}}', "mixed"), (b"", "mixed")],
)
def test_unreadable_input_exits_2_with_one_line(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "mixed.har"
    path.write_bytes(content)
    code, _, err = run("analyze", str(path), "--db", str(tmp_path / "t.db"), "-q")
    assert code == 2
    assert message in err and len(err.strip().splitlines()) == 1


def test_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    code, _, err = run("analyze", str(tmp_path / "nope.har"), "--db", str(tmp_path / "t.db"))
    assert code == 2 and "nope.har" in err


def test_spec_drift_shadow_zombie_and_spec_only(tmp_path: Path) -> None:
    spec = {
        "openapi": "3.0.0",
        "info": {"title": "t", "version": "1"},
        "servers": [{"url": "https://api.example.com/v1"}],
        "paths": {
            "/items/{itemId}": {
                "get": {
                    "parameters": [{"name": "itemId", "in": "path", "required": True}],
                    "responses": {"200": {"description": "ok"}},
                }
            },
            "/legacy": {"get": {"deprecated": True, "responses": {"200": {"description": "ok"}}}},
            "/never": {"post": {"responses": {"200": {"description": "ok"}}}},
        },
    }
    (tmp_path / "spec.json").write_text(json.dumps(spec))
    traffic = [entry(f"https://api.example.com/v1/items/{n}?debug=1") for n in ("abc", "def")]
    traffic += [entry("https://api.example.com/v1/legacy"), entry("https://api.example.com/v1/admin/export")]
    (tmp_path / "t.har").write_text(json.dumps(har(traffic)))
    code, _, _ = run(
        "analyze",
        str(tmp_path / "t.har"),
        "--spec",
        str(tmp_path / "spec.json"),
        "--db",
        str(tmp_path / "t.db"),
        "--json",
        str(tmp_path / "r.json"),
        "-q",
    )
    assert code == 0
    report = json.loads((tmp_path / "r.json").read_text())
    eps = {(e["method"], e["path"]): e for e in report["services"][0]["endpoints"]}
    assert eps[("GET", "/v1/items/{itemId}")]["origin"] == "both"
    assert eps[("GET", "/v1/items/{itemId}")]["undocumented_parameters"] == ["query.debug"]
    assert eps[("POST", "/v1/never")]["origin"] == "spec"
    assert eps[("GET", "/v1/admin/export")]["origin"] == "observed"
    types = {(f["type"], f["path"]) for f in report["findings"]}
    assert ("shadow_endpoint", "/v1/admin/export") in types
    assert ("zombie_endpoint", "/v1/legacy") in types


def test_custom_sensitive_types_reach_the_report(tmp_path: Path) -> None:
    config = tmp_path / "tracehound.yaml"
    config.write_text(
        "sensitive:\n  custom_types:\n    - name: employee_id\n      pattern: 'EMP-[0-9]{6}'\n"
        "      key_hints: [staff]\n"
    )
    entries = [
        entry(f"https://api.example.com/people/{i}?ref=EMP-{200000 + i}", body={"staff": f"EMP-{100000 + i}"})
        for i in range(6)
    ]
    doc = tmp_path / "t.har"
    doc.write_text(json.dumps(har(entries)))
    code, _, err = run(
        "analyze", str(doc), "--config", str(config), "--db", str(tmp_path / "t.db"), "--json", str(tmp_path / "r.json")
    )
    assert code == 0, err
    [endpoint] = json.loads((tmp_path / "r.json").read_text())["services"][0]["endpoints"]
    assert {"location": "response.body.staff", "type": "employee_id", "count": 6} in endpoint["sensitive"]
    assert {"location": "request.query.ref", "type": "employee_id", "count": 6} in endpoint["sensitive"]
    report = (tmp_path / "r.json").read_text()
    assert "EMP-100003" not in report and "EMP-200003" not in report
    findings = json.loads(report)["findings"]
    assert any(f["type"] == "sensitive_data_in_url" and f["location"] == "request.query.ref" for f in findings)


def test_sensitive_counts_do_not_depend_on_how_the_traffic_was_split(tmp_path: Path) -> None:
    """Each run studies an endpoint's first bodies in depth and then one in eight; body counts
    scale by the share studied, so one run and four runs of the same traffic agree."""
    entries = [
        entry(f"https://api.example.com/people/{1000 + i}", body={"email": f"p{i}@example.org", "n": i})
        for i in range(800)
    ]
    counts = []
    for parts in (1, 4):
        db = str(tmp_path / f"{parts}.db")
        size = len(entries) // parts
        for k in range(parts):
            part = tmp_path / f"{parts}-{k}.har"
            part.write_text(json.dumps(har(entries[k * size : (k + 1) * size])))
            out = tmp_path / f"{parts}-{k}.json"
            assert run("analyze", str(part), "--db", db, "--json", str(out), "-q")[0] == 0
        (endpoint,) = json.loads(out.read_text())["services"][0]["endpoints"]
        assert endpoint["count"] == 800
        (found,) = endpoint["sensitive"]
        assert found["location"] == "response.body.email"
        counts.append(found["count"])
    assert all(abs(c - 800) <= 800 * 0.15 for c in counts), counts

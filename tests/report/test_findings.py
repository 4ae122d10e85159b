"""Findings a team can work with: posture per service and cause, attacks per endpoint with clients, stable ids."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from hypothesis import example, given
from hypothesis import strategies as st

from tracehound.cli.main import cli
from tracehound.profiles.findings import CLIENT_SKETCH, MAX_CLIENTS, FindingStats
from tracehound.report.findings import MAX_LISTED_ENDPOINTS, finding_id

SQLI = "1%27%20OR%20%271%27%3D%271"
TOKEN = "tokCANARYabcdefghij0123456789XYZ"
RESOURCES = ("health", "v1/users", "v1/users/me", "v1/orders/recent/summary", "v1/catalog/products/featured/today")


def _entry(
    url: str, *, client: str = "203.0.113.9", server: str = "openresty/1.19.3.1", when: str = "10:00:00"
) -> dict[str, Any]:
    return {
        "startedDateTime": f"2026-11-25T{when}.000Z",
        "time": 10,
        "_clientIPAddress": client,
        "request": {"method": "GET", "url": url, "headers": [], "queryString": [], "cookies": []},
        "response": {
            "status": 200,
            "headers": [{"name": "Server", "value": server}, {"name": "Content-Type", "value": "application/json"}],
            "content": {"mimeType": "application/json", "text": "{}"},
        },
    }


def _traffic() -> dict[str, Any]:
    """Endpoints behind one banner, over HTTPS without HSTS; sqli from 30 clients on one."""
    entries = [_entry(f"https://api.example.com/{name}") for name in RESOURCES]
    entries += [
        _entry(f"https://api.example.com/search?q={SQLI}", client=f"198.51.100.{i}", when=f"10:{i:02d}:00")
        for i in range(30)
    ]
    entries.append(_entry(f"https://api.example.com/files/{TOKEN}/raw?q={SQLI}"))
    return {"log": {"version": "1.2", "creator": {"name": "t"}, "entries": entries}}


def _analyze(tmp: Path, har: Path, db: Path, name: str) -> tuple[dict[str, Any], dict[str, Any], list[dict[str, Any]]]:
    out = tmp / name
    args = ["analyze", str(har), "--db", str(db), "-q"]
    args += ["--json", str(out / "r.json"), "--sarif", str(out / "r.sarif"), "--detections", str(out / "d.jsonl")]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in (out / "d.jsonl").read_text().splitlines()]
    return json.loads((out / "r.json").read_text()), json.loads((out / "r.sarif").read_text()), lines


def _har(tmp: Path) -> Path:
    path = tmp / "in.har"
    path.write_text(json.dumps(_traffic()))
    return path


def test_posture_is_one_finding_per_service_and_cause(tmp_path: Path) -> None:
    report, sarif, _ = _analyze(tmp_path, _har(tmp_path), tmp_path / "t.db", "a")
    posture = [f for f in report["findings"] if f["type"] == "security_misconfiguration"]
    by_location = {f["location"]: f for f in posture}
    # One banner and one missing HSTS for the service, not one per endpoint (was 7 + 7).
    assert sorted(by_location) == ["response.header.server", "response.header.strict-transport-security"]
    for f in posture:
        assert f["scope"] == "service" and f["method"] == "*" and f["path"] == "*"
        assert f["endpoint_count"] == 7 and len(f["endpoints"]) == min(7, MAX_LISTED_ENDPOINTS)
        assert {"method": "GET", "path": "/v1/users/me"} in f["endpoints"]
        assert f["count"] == 7  # once per endpoint, as the detector reports posture
    assert "openresty" in by_location["response.header.server"]["evidence"]
    assert report["summary"]["findings"] == len(report["findings"])
    results = sarif["runs"][0]["results"]
    assert len(results) == len(report["findings"])
    banner = next(r for r in results if r["partialFingerprints"]["tracehoundFindingId/v1"] == posture[0]["id"])
    assert "on 7 endpoints" in banner["message"]["text"]


def test_attacks_group_per_endpoint_and_location_with_distinct_clients(tmp_path: Path) -> None:
    report, _, _ = _analyze(tmp_path, _har(tmp_path), tmp_path / "t.db", "a")
    search = [f for f in report["findings"] if f["type"] == "sqli" and f["path"] == "/search"]
    assert len(search) == 1
    f = search[0]
    assert f["scope"] == "endpoint" and f["location"] == "request.query.q" and f["count"] == 30
    assert f["endpoints"] == [{"method": "GET", "path": "/search"}] and f["endpoint_count"] == 1
    assert f["client_count"] == 30 and len(f["clients"]) == MAX_CLIENTS
    assert f["first_seen"] == "2026-11-25T10:00:00Z" and f["last_seen"] == "2026-11-25T10:29:00Z"


def test_ids_are_stable_across_runs_and_stores(tmp_path: Path) -> None:
    har = _har(tmp_path)
    first, sarif, _ = _analyze(tmp_path, har, tmp_path / "one.db", "a")
    again, _, _ = _analyze(tmp_path, har, tmp_path / "one.db", "b")  # the same store, accumulating
    fresh, _, _ = _analyze(tmp_path, har, tmp_path / "two.db", "c")  # a fresh store, the same traffic
    ids = [f["id"] for f in first["findings"]]
    assert len(set(ids)) == len(ids) == len(first["findings"])
    assert sorted(ids) == sorted(f["id"] for f in again["findings"]) == sorted(f["id"] for f in fresh["findings"])
    assert [r["partialFingerprints"]["tracehoundFindingId/v1"] for r in sarif["runs"][0]["results"]] == ids
    guids = {r["correlationGuid"] for r in sarif["runs"][0]["results"]}
    assert len(guids) == len(ids)
    assert {f["count"] for f in again["findings"] if f["path"] == "/search"} == {60}


def test_detection_lines_name_the_request_without_its_secrets(tmp_path: Path) -> None:
    _, _, lines = _analyze(tmp_path, _har(tmp_path), tmp_path / "t.db", "a")
    attacks = [line for line in lines if any(d["type"] == "sqli" for d in line["detections"])]
    assert len(attacks) == 31
    search = [line for line in attacks if line["path"] == "/search"]
    assert len(search) == 30 and {line["method"] for line in search} == {"GET"}
    assert {line["client"] for line in search} == {f"198.51.100.{i}" for i in range(30)}
    assert all("OR" in d["evidence"] for line in search for d in line["detections"] if d["type"] == "sqli")
    tokened = [line for line in attacks if line["path"] != "/search"]
    assert len(tokened) == 1 and tokened[0]["path"].startswith("/files/")
    assert TOKEN not in json.dumps(lines) and "CANARY" not in json.dumps(lines)


def test_client_count_is_exact_below_the_sketch_and_close_beyond() -> None:
    stats = FindingStats()
    for i in range(CLIENT_SKETCH - 1):
        stats.add("high", 1.0, f"10.0.{i // 256}.{i % 256}", "")
        stats.add("high", 2.0, f"10.0.{i // 256}.{i % 256}", "")  # repeats are not new clients
    assert stats.client_count() == CLIENT_SKETCH - 1
    big, halves = FindingStats(), (FindingStats(), FindingStats())
    for i in range(5000):
        client = f"10.{i // 65536}.{i // 256 % 256}.{i % 256}"
        big.add("high", None, client, "")
        halves[i % 2].add("high", None, client, "")
    assert 5000 * 0.6 <= big.client_count() <= 5000 * 1.4
    merged = FindingStats()
    merged.merge(halves[1])
    merged.merge(halves[0])
    assert merged.client_hashes == big.client_hashes  # any split and merge order agree


_text = st.text(min_size=0, max_size=20)


@given(st.tuples(_text, _text, _text, _text, _text), st.tuples(_text, _text, _text, _text, _text))
@example(("a\x00", "b", "", "", ""), ("a", "\x00b", "", "", ""))  # a separator join would make these one key
def test_distinct_keys_get_distinct_ids(a: tuple[str, str, str, str, str], b: tuple[str, str, str, str, str]) -> None:
    assert finding_id(*a) == finding_id(*a)
    assert len(finding_id(*a)) == 16
    if a != b:
        assert finding_id(*a) != finding_id(*b)

"""Deep nesting through ``tracehound analyze``: traffic is a counted rejection, documents exit 2 in one line."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tracehound.cli.main import cli

GOOD = {"v": 1, "request": {"method": "GET", "url": "https://api.example.com/users/1"}}


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stderr


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def alias_bomb() -> str:
    """Nine aliases of nine aliases...: a few hundred bytes that expand to 9**9 values."""
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("depth", [1000, 100_000])
def test_a_deep_ndjson_line_is_one_counted_rejection_and_the_run_goes_on(tmp_path: Path, depth: int) -> None:
    deep = '{"v": 1, "x": ' + nested(depth) + ', "request": {"method": "GET", "url": "https://api.example.com/a"}}'
    traffic = tmp_path / "deep.ndjson"
    traffic.write_text("\n".join([json.dumps(GOOD), deep, json.dumps(GOOD)]) + "\n")
    report = tmp_path / "r.json"
    code, err = run("analyze", str(traffic), "--db", str(tmp_path / "t.db"), "--json", str(report), "-q")
    assert code == 0, err
    doc = json.loads(report.read_text())
    assert doc["summary"]["transactions"] == 2
    assert doc["summary"]["rejected"] == 1
    assert doc["run"]["rejections"] == [
        {"source": str(traffic), "index": 1, "reason": "invalid JSON: nested too deeply to decode"}
    ]


def test_deep_json_bodies_are_counted_transactions(tmp_path: Path) -> None:
    lines = [json.dumps(GOOD)]
    for body in (nested(1000), nested(100_000), '{"a":' * 500 + "1" + "}" * 500):
        lines.append(
            json.dumps(
                {
                    "v": 1,
                    "request": {
                        "method": "POST",
                        "url": "https://api.example.com/users",
                        "headers": [["content-type", "application/json"]],
                        "body": body,
                    },
                    "response": {"status": 200, "headers": {"content-type": "application/json"}, "body": body},
                }
            )
        )
    traffic = tmp_path / "bodies.ndjson"
    traffic.write_text("\n".join(lines) + "\n")
    report = tmp_path / "r.json"
    code, err = run("analyze", str(traffic), "--db", str(tmp_path / "t.db"), "--json", str(report), "-q")
    assert code == 0, err
    summary = json.loads(report.read_text())["summary"]
    assert (summary["transactions"], summary["rejected"]) == (4, 0)


def _spec(tmp_path: Path, name: str, text: str) -> list[str]:
    spec = tmp_path / name
    spec.write_text(text)
    traffic = tmp_path / "ok.ndjson"
    traffic.write_text(json.dumps(GOOD) + "\n")
    return ["analyze", str(traffic), "--db", str(tmp_path / "t.db"), "-q", "--spec", str(spec)]


@pytest.mark.parametrize(
    ("name", "text", "reason"),
    [
        ("deep.json", '{"openapi": "3.0.0", "paths": {}, "x": ' + nested(100_000) + "}", "nested deeper than"),
        ("deep.json", '{"openapi": "3.0.0", "paths": {"/a": ' + '{"a":' * 1000 + "1" + "}" * 1001, "nested"),
        ("deep.yaml", "openapi: 3.0.0\npaths: {}\nx: " + nested(100_000) + "\n", "nested deeper than"),
        ("deep.yaml", "openapi: 3.0.0\npaths: {}\nx: " + nested(400) + "\n", "nested deeper than"),
        ("deep.yaml", "openapi: 3.0.0\npaths: {}\nx:\n" + "".join(" " * i + "-\n" for i in range(1, 2000)), "nested"),
        ("bomb.yaml", "openapi: 3.0.0\npaths: {}\n" + alias_bomb(), "aliases are expanded"),
        ("bomb.yaml", "openapi: 3.0.0\n" + alias_bomb() + "paths: {'/a': {get: {parameters: *i}}}\n", "aliases"),
    ],
)
def test_a_hostile_spec_exits_2_with_one_line(tmp_path: Path, name: str, text: str, reason: str) -> None:
    code, err = run(*_spec(tmp_path, name, text))
    assert code == 2
    assert err.startswith(f"error: {tmp_path / name}: reference spec refused: ") and reason in err
    assert len(err.strip().splitlines()) == 1


def test_a_spec_nested_within_the_bound_is_read(tmp_path: Path) -> None:
    text = "openapi: 3.0.0\npaths: {'/a': {get: {}}}\nx: " + nested(120) + "\n"
    assert run(*_spec(tmp_path, "ok.yaml", text))[0] == 0


@pytest.mark.parametrize(
    "text",
    [
        "limits: " + nested(100_000) + "\n",
        "tenant: " + nested(300) + "\n",
        "limits:\n" + "".join(" " * i + "a:\n" for i in range(1, 1000)),  # 500 KB, under the size cap
        alias_bomb() + "tenant: x\n",
        alias_bomb() + "sensitive: {custom_types: [{name: n, key_hints: *i}]}\n",
    ],
)
def test_a_hostile_config_exits_2_with_one_line(tmp_path: Path, text: str) -> None:
    config = tmp_path / "c.yaml"
    config.write_text(text)
    traffic = tmp_path / "ok.ndjson"
    traffic.write_text(json.dumps(GOOD) + "\n")
    code, err = run("analyze", str(traffic), "--db", str(tmp_path / "t.db"), "-q", "--config", str(config))
    assert code == 2
    assert err.startswith(f"error: {config}: ") and len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def _analyze(tmp_path: Path, records: list[dict[str, object]]) -> dict[str, Any]:
    traffic = tmp_path / "t.ndjson"
    traffic.write_text("".join(json.dumps(r) + "\n" for r in records))
    report = tmp_path / "r.json"
    code, err = run("analyze", str(traffic), "--db", str(tmp_path / "t.db"), "--json", str(report), "-q")
    assert code == 0, err
    doc: dict[str, Any] = json.loads(report.read_text())
    return doc


def test_a_bearer_token_nested_too_deeply_does_not_stop_the_run(tmp_path: Path) -> None:
    def b64(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    deep = b"[" * 50_000 + b"]" * 50_000
    token = b64(b'{"alg": "HS256"}') + "." + b64(b'{"sub": ' + deep + b"}") + ".sig"
    request = {"method": "GET", "url": "https://api.example.com/me", "headers": [["authorization", f"Bearer {token}"]]}
    doc = _analyze(tmp_path, [GOOD, {"v": 1, "request": request}, GOOD])
    assert (doc["summary"]["transactions"], doc["summary"]["rejected"]) == (3, 0)


def test_a_payload_nested_past_the_json_depth_cap_is_still_detected(tmp_path: Path) -> None:
    payload = "1' UNION SELECT password FROM users--"
    body = "[" * 70 + json.dumps(payload) + "]" * 70
    request = {
        "method": "POST",
        "url": "https://api.example.com/search",
        "headers": [["content-type", "application/json"]],
        "body": body,
    }
    doc = _analyze(tmp_path, [{"v": 1, "request": request, "response": {"status": 200}}])
    assert doc["run"]["body_errors"] == {"nesting deeper than 64": 1}
    assert [(f["type"], f["location"]) for f in doc["findings"]] == [("sqli", "request.body")]

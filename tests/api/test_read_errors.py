"""An exception nothing expected (here: a corrupt row in the store) is a plain JSON 500 and one
structured log event without traceback, query or key; uvicorn's own output is structured too.

The second test runs ``tracehound api`` as a user does, in a subprocess with its real uvicorn."""

from __future__ import annotations

import json
import logging
import socket
import sqlite3
from pathlib import Path

import httpx
import pytest
from read_api_helpers import TestClient, bearer, report

from e2e._procs import Service, wait_until
from servers import free_ports
from tracehound.api.read import create_read_app
from tracehound.store import open_store

CANARY = "CANARYzq8Xpayload"


def _corrupt_one_endpoint(path: Path) -> str:
    """Publish a report, then break the stored JSON of one endpoint; returns its id."""
    store = open_store(f"sqlite:///{path}")
    try:
        store.create_tenant("acme")
        store.replace_inventory("acme", report("api.acme.test", 2))
    finally:
        store.close()
    with sqlite3.connect(path) as db:
        (endpoint_id,) = db.execute("SELECT id FROM inv_endpoints LIMIT 1").fetchone()
        db.execute("UPDATE inv_endpoints SET entry=? WHERE id=?", (f"{{{CANARY}", endpoint_id))
    db.close()
    return str(endpoint_id)


def test_an_unexpected_error_is_a_plain_500_and_one_event(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    db = tmp_path / "broken.db"
    endpoint_id = _corrupt_one_endpoint(db)
    store = open_store(f"sqlite:///{db}")
    key = store.create_key("acme", "read")[1]
    try:
        with TestClient(create_read_app(store)) as client, caplog.at_level(logging.INFO):
            r = client.get(f"/v1/endpoints/{endpoint_id}", params={"q": CANARY}, headers=bearer(key))
            metrics = client.get("/metrics").text
    finally:
        store.close()
    assert r.status_code == 500
    assert r.json() == {"error": "internal", "reason": "unexpected server error; it was logged, retry later"}
    errors = [rec for rec in caplog.records if rec.getMessage() == "http.unhandled_error"]
    assert len(errors) == 1
    fields = errors[0].tracehound_fields  # type: ignore[attr-defined]
    assert fields["route"] == "/v1/endpoints/{endpoint_id}" and fields["exception"] == "msgspec.DecodeError"
    assert "query_endpoints" in fields["at"] or "get_endpoint" in fields["at"]
    assert errors[0].exc_info is None
    server_side = "\n".join(  # the test's own httpx client logs the URL it asked for; the server must not
        f"{rec.getMessage()} {getattr(rec, 'tracehound_fields', '')}" for rec in caplog.records if rec.name != "httpx"
    )
    assert CANARY not in server_side and key not in server_side and "Traceback" not in server_side
    assert 'tracehound_api_requests_total{route="/v1/endpoints/{endpoint_id}",status="500"} 1.0' in metrics


def test_the_api_command_logs_uvicorn_and_app_errors_as_json_events(tmp_path: Path) -> None:
    db = tmp_path / "api.db"
    endpoint_id = _corrupt_one_endpoint(db)
    store = open_store(f"sqlite:///{db}")
    key = store.create_key("acme", "read")[1]
    store.close()
    port = free_ports(1)[0]
    url = f"http://127.0.0.1:{port}"
    args = ["api", "--store", f"sqlite:///{db}", "--listen", f"127.0.0.1:{port}", "--log-level", "info"]
    api = Service(tmp_path, "api", [*args, "--log-format", "json"])

    def up() -> bool:
        try:
            return httpx.get(f"{url}/healthz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        wait_until(up, 30, "the read API to listen", [api])
        r = httpx.get(f"{url}/v1/endpoints/{endpoint_id}?q={CANARY}", headers=bearer(key), timeout=10)
        assert r.status_code == 500 and r.json()["error"] == "internal" and "Traceback" not in r.text
        with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:  # not HTTP at all
            raw.sendall(b"\x16\x03\x01 " + CANARY.encode() + b"\r\n\r\n")
            assert raw.recv(1024).startswith(b"HTTP/1.1 400")
        assert httpx.get(f"{url}/v1/stats", headers=bearer(key), timeout=10).status_code == 200
    finally:
        assert api.stop() == 0, api.log()  # drained, then a normal exit (not killed by the re-raised SIGTERM)
    lines = [line for line in api.log_path.read_text().splitlines() if not line.startswith("read API on ")]
    events = [json.loads(line) for line in lines]  # every line is one JSON event
    errors = [e for e in events if e["event"] == "http.unhandled_error"]
    assert len(errors) == 1
    assert errors[0]["exception"] == "msgspec.DecodeError" and errors[0]["route"] == "/v1/endpoints/{endpoint_id}"
    server = [e for e in events if e["event"] == "http.server" and e["logger"].startswith("uvicorn")]
    assert any(e["message"] == "Invalid HTTP request received." for e in server), events
    text = api.log_path.read_text()
    assert CANARY not in text and key not in text and "Traceback" not in text

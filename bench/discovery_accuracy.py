"""Discovery accuracy on generated traffic: analyze each HAR, score with ../shared/tools/score.py.

    python bench/discovery_accuracy.py [--gen DIR] [--seed 7] [--specs LIST] [--stores DIR] [--pii]
    python bench/discovery_accuracy.py --gen DIR --times 4     # duplication invariance

Generates traffic for the specs listed in ``--specs`` (default: the 40 dev specs) with
``../shared/tools/gen_traffic.py`` as ``--many`` does, skipping a spec the generator fails on
(unless ``--gen`` already holds traffic), runs ``tracehound
analyze`` on every HAR into a fresh store, and scores the JSON reports with ``score.py
discovery`` (and ``score.py pii`` with ``--pii``).

``--stores DIR`` keeps each HAR's store in DIR; when a store is already there the HAR is not
analyzed again and only the inventory is rebuilt from the stored provisional profiles, in this
process. Templating is the whole-picture step, so this measures a templating change in seconds
instead of re-reading every HAR (a change to per-transaction segment typing needs fresh stores).

``--times N`` analyzes every HAR once and N times in one run (``analyze a.har a.har ...``) and
prints how many endpoints differ: the inventory depends on distinct observations, so the
expected count is 0.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED = next(
    (p / "shared" for p in ROOT.parents if (p / "shared" / "tools" / "score.py").exists()), ROOT.parent / "shared"
)
"""``../shared`` of the checkout (a worktree sits one level deeper)."""


def _analyze(hars: list[Path], db: Path, report: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "tracehound.cli.main",
            "analyze",
            *map(str, hars),
            "--db",
            str(db),
            "--json",
            str(report),
            "--quiet",
        ],
        check=True,
    )


def _report_from_store(db: Path) -> dict[str, Any]:
    """The JSON report of what a kept store knows, templated by the code in this checkout."""
    from tracehound.analysis import report_of, snapshot
    from tracehound.config import load_settings
    from tracehound.pipeline.stages import build_classifier
    from tracehound.store.sqlite import SqliteStore

    settings = load_settings(None, {})
    store = SqliteStore(db)
    try:
        inventory = snapshot(store, settings)
        return report_of(store, inventory, settings, None, build_classifier(settings))
    finally:
        store.close()


def _endpoints(report: dict[str, Any]) -> set[tuple[str, str, str]]:
    return {(s["name"], e["method"], e["path"]) for s in report["services"] for e in s.get("endpoints", [])}


def _duplication(gen: Path, work: Path, times: int) -> int:
    """Endpoints found only in the x1 or only in the x``times`` analysis, over every HAR."""
    differ = 0
    for har in sorted(gen.glob("*.har")):
        counts = []
        reports = []
        for n in (1, times):
            out = work / f"{har.stem}.x{n}.json"
            _analyze([har] * n, work / f"{har.stem}.x{n}.db", out)
            reports.append(_endpoints(json.loads(out.read_text())))
            counts.append(len(reports[-1]))
        diff = len(reports[0] ^ reports[1])
        differ += diff
        if diff:
            print(f"{har.stem}: x1 {counts[0]} endpoints, x{times} {counts[1]}, {diff} differ")
    print(f"duplication x1 vs x{times}: {differ} endpoints differ")
    return differ


def _generate(specs: Path, gen: Path, seed: int) -> None:
    """``gen_traffic.py --many``, one spec at a time: a spec the generator fails on is skipped.

    Same seeds and provider hints as ``--many`` (so the same traffic), but ``--many`` stops at
    the first failure (``KeyError: 'enum'`` on a few specs at some seeds).
    """
    sys.path.insert(0, str(SHARED / "tools"))
    import zlib

    import gen_traffic  # type: ignore[import-not-found]

    gen.mkdir(parents=True, exist_ok=True)
    root = specs.with_suffix("")
    ids = [line.strip() for line in specs.read_text().splitlines() if line.strip() and not line.startswith("#")]
    for spec_id in ids:
        stem = gen_traffic.spec_stem(spec_id)
        har, truth = gen / f"{stem}.har", gen / f"{stem}.truth.json"
        try:
            spec_seed = seed * 1_000_003 + zlib.crc32(spec_id.encode())
            gen_traffic.generate(root / spec_id, spec_seed, "auto", har, truth, provider_hint=spec_id.split("/")[0])
        except Exception as exc:  # the generator's own bugs: skip the spec, say so
            print(f"skipped {spec_id}: gen_traffic failed ({exc!r})", file=sys.stderr)
            har.unlink(missing_ok=True)
            truth.unlink(missing_ok=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--gen", type=Path, help="directory with <stem>.har and <stem>.truth.json")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--specs", type=Path, default=SHARED / "data" / "specs-dev.txt")
    ap.add_argument("--stores", type=Path, help="keep (and reuse) one store per HAR in this directory")
    ap.add_argument("--times", type=int, help="check duplication invariance: each HAR once vs N times")
    ap.add_argument("--out", type=Path, help="write score.py's JSON result here")
    ap.add_argument("--pii", action="store_true", help="also score sensitive-data classification")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="th-accuracy-"))
    gen = args.gen or work / "gen"
    if not any(gen.glob("*.har")):
        _generate(args.specs, gen, args.seed)
    if args.times:
        differ = _duplication(gen, work, args.times)
        print(f"work dir: {work}")
        return 1 if differ else 0
    stores = args.stores or work
    stores.mkdir(parents=True, exist_ok=True)
    services = []
    for har in sorted(gen.glob("*.har")):
        db = stores / f"{har.stem}.db"
        if args.stores and db.exists():
            report = _report_from_store(db)
        else:
            out = work / f"{har.stem}.json"
            _analyze([har], db, out)
            report = json.loads(out.read_text())
        services += report["services"]
    # One combined report so score.py sees every service at once.
    combined = work / "combined.json"
    combined.write_text(json.dumps({"version": 1, "services": services, "findings": []}))
    score = [sys.executable, str(SHARED / "tools" / "score.py")]
    verbose = ["-v"] if args.verbose else []
    out = args.out or work / "score.json"
    subprocess.run(
        [*score, "discovery", "--truth", str(gen), "--report", str(combined), "--out", str(out), *verbose],
        check=True,
        stdout=subprocess.DEVNULL if not args.verbose else None,
    )
    result = json.loads(out.read_text())
    micro = result["micro"]
    print(
        f"micro P {micro['precision']:.4f} R {micro['recall']:.4f} F1 {micro['f1']:.4f} "
        f"(tp {micro['tp']} fp {micro['fp']} fn {micro['fn']}); macro F1 {result['macro_f1']:.4f}; "
        f"parameter types {result['param_type_accuracy']}"
    )
    if args.pii:
        subprocess.run([*score, "pii", "--truth", str(gen), "--report", str(combined)], check=True)
    print(f"work dir: {work}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

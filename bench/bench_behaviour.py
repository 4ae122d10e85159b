"""Cost of the behaviour engine on the hot path: ``run_files`` with and without it, same process.

    .venv/bin/python bench/bench_behaviour.py [HAR] [--repeat 2]

Without HAR, generates 20,000 transactions of the Spotify dev spec with
``../shared/tools/gen_traffic.py``. Each configuration runs ``repeat`` times alternately (so
machine noise hits both) and the best time counts; the figure that matters is the ratio, as
CONVENTIONS.md asks. The second pass with the engine is primed with what the first learned
(the ``--no-learn`` detection workflow, where the positive model judges every parameter).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

from tracehound.analysis import new_pipeline, run_files
from tracehound.config import Settings
from tracehound.pipeline.behaviour import BehaviourEngine

ROOT = Path(__file__).resolve().parent.parent


def _timed(har: Path, behaviour: bool, primed: BehaviourEngine | None) -> tuple[float, int]:
    pipeline, _ = new_pipeline(Settings())
    if not behaviour:
        pipeline.behaviour = None
    elif primed is not None:
        pipeline.behaviour = primed
    started = time.perf_counter()
    result = run_files([har], pipeline)
    return time.perf_counter() - started, result.transactions


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("har", nargs="?", type=Path)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    har = args.har
    if har is None:
        har = Path("/tmp/bench_behaviour.har")
        if not har.exists():
            spec = ROOT.parent / "shared" / "data" / "specs-dev" / "spotify.com.json"
            tool = ROOT.parent / "shared" / "tools" / "gen_traffic.py"
            truth = har.with_suffix(".truth.json")
            cmd = [
                sys.executable,
                str(tool),
                str(spec),
                "--transactions",
                "20000",
                "--har",
                str(har),
                "--truth",
                str(truth),
            ]
            subprocess.run(cmd, check=True)
    # A primed engine: baseline learned from the same traffic, as in a --no-learn detection run.
    learner, _ = new_pipeline(Settings())
    learned = run_files([har], learner)
    primed = BehaviourEngine()
    assert learned.deltas.behaviour is not None
    primed.prime(learned.deltas.endpoints, learned.deltas.behaviour)
    best: dict[str, float] = {}
    n = 0
    for _ in range(args.repeat):
        for name, on, engine in (("without", False, None), ("with", True, None), ("with, primed", True, primed)):
            seconds, n = _timed(har, on, engine)
            best[name] = min(best.get(name, seconds), seconds)
    for name, seconds in best.items():
        print(f"{name:>14} behaviour engine: {n / seconds:8.0f} tx/s ({seconds:.2f}s for {n} tx)")
    print(
        f"cost ratio (with / without): {best['with'] / best['without']:.3f}, primed: "
        f"{best['with, primed'] / best['without']:.3f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Detection accuracy as issue 10 defines it: request-attack rate on benign traffic, recall on attacks.

    .venv/bin/python bench/detection_accuracy.py [--labelled crs-v3.3.4 gotestwaf wafbypass csic-normal-train]
                                                [--benign NAME=DIR ...] [--out bench/out/detection]

For each labelled set of ``../shared/data`` it runs ``tracehound analyze --detections`` and prints
``../shared/tools/score_detections.py`` on the result (typed recall per family, and the false
positive rate on the ``normal`` transactions). For each benign directory of HAR files (generated
with ``../shared/tools/gen_traffic.py`` from ``specs-dev`` or ``specs-more``, e.g.
``--benign more7=/tmp/more7``) it prints the share of transactions with at least one
request-attack detection (a type of a signature family, ``detectors.engine``), and that share per
type; behaviour detections are counted apart. Everything runs through the CLI, exactly as a user
would; ``bench/signature_hits.py`` then says which signature fired on which value.

Which sets were fitted and which only reported is a property of the experiment, not of this
script: the README's "Detection accuracy" table says it for the published figures.
"""

from __future__ import annotations

import argparse
import collections
import json
import subprocess
import sys
from pathlib import Path

from tracehound.detectors.engine import registered_detectors

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
POSTURE = {"jwt_weakness", "security_misconfiguration", "sensitive_data_in_url", "shadow_endpoint", "zombie_endpoint"}


def analyze(hars: list[Path], out: Path) -> Path:
    exe = str(ROOT / ".venv" / "bin" / "tracehound")
    det = out.with_suffix(".det.jsonl")
    db = out.with_suffix(".db")
    cmd = [exe, "analyze", *map(str, hars), "--db", str(db), "--fresh", "-q", "--detections", str(det)]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    for leftover in out.parent.glob(db.name + "*"):
        leftover.unlink()
    return det


def entries(hars: list[Path]) -> int:
    return sum(len(json.loads(h.read_text(encoding="utf-8"))["log"]["entries"]) for h in hars)


def benign(name: str, directory: Path, out: Path) -> None:
    hars = sorted(directory.glob("*.har"))
    det = analyze(hars, out / name)
    signature_types = {cls.type.value for cls in registered_detectors().values()}
    total = entries(hars)
    flagged = behaviour = 0
    by_type: collections.Counter[str] = collections.Counter()
    for line in det.read_text().splitlines():
        types = {d["type"] for d in json.loads(line)["detections"]}
        attack = types & signature_types
        if attack:
            flagged += 1
            by_type.update(attack)
        elif types - POSTURE:
            behaviour += 1
    print(
        f"{name}: {flagged}/{total} = {flagged / max(total, 1):.3%} of transactions with a request-attack "
        f"detection; {behaviour} more with only a behaviour detection"
    )
    for typ, n in by_type.most_common():
        print(f"    {typ:20s} {n:7d}  {n / max(total, 1):.3%}")


def labelled(name: str, out: Path) -> None:
    data = SHARED / "data"
    det = analyze([data / f"{name}.har.gz"], out / name)
    scorer = [sys.executable, str(SHARED / "tools" / "score_detections.py")]
    args = ["--labels", str(data / f"{name}.labels.jsonl"), "--detections", str(det)]
    args += ["--out", str(out / f"{name}.score.json")]
    print(subprocess.run([*scorer, *args], check=True, capture_output=True, text=True).stdout)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--labelled", nargs="*", default=["crs-v3.3.4", "gotestwaf", "wafbypass", "csic-normal-train"])
    ap.add_argument("--benign", nargs="*", default=[], metavar="NAME=DIR")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "detection")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for name in args.labelled:
        labelled(name, args.out)
    for spec in args.benign:
        name, _, directory = spec.partition("=")
        benign(name, Path(directory), args.out)


if __name__ == "__main__":
    main()

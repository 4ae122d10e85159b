"""Discovery accuracy and time of mitmproxy2swagger on the same generated traffic as Tracehound.

    python bench/peer_mitmproxy2swagger.py --gen DIR [--exe PATH]

mitmproxy2swagger works in two passes: the first lists candidate path templates as
``ignore:/path`` under ``x-path-templates`` for a human to review; the second turns the kept ones
into ``paths``. The review is automated here the generous way: every candidate is kept. The
resulting specs are scored with ``../shared/tools/score.py discovery --openapi``.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--gen", type=Path, required=True, help="directory of <stem>.har + <stem>.truth.json")
    ap.add_argument("--exe", default=shutil.which("mitmproxy2swagger") or "/tmp/m2s/bin/mitmproxy2swagger")
    args = ap.parse_args()
    out = Path(tempfile.mkdtemp(prefix="th-m2s-"))
    total = 0.0
    failures = 0
    for har in sorted(args.gen.glob("*.har")):
        truth = json.loads(har.with_suffix(".truth.json").read_text())
        prefix = f"https://{truth['service']}"
        spec = out / f"{har.stem}.yaml"
        cmd = [args.exe, "-i", str(har), "-o", str(spec), "-p", prefix, "-f", "har"]
        start = time.perf_counter()
        try:
            subprocess.run(cmd, check=True, capture_output=True, timeout=600)
            spec.write_text(re.sub(r"- ignore:/", "- /", spec.read_text()))
            subprocess.run(cmd, check=True, capture_output=True, timeout=600)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            failures += 1
            print(f"{har.stem}: mitmproxy2swagger failed: {exc}", file=sys.stderr)
        total += time.perf_counter() - start
    print(f"mitmproxy2swagger: {len(list(args.gen.glob('*.har')))} HARs in {total:.1f} s ({failures} failed)")
    subprocess.run(
        [
            sys.executable,
            str(SHARED / "tools" / "score.py"),
            "discovery",
            "--truth",
            str(args.gen),
            "--openapi",
            str(out),
        ],
        check=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Size knob, settings and input counters shared by the fuzz targets.

The fuzz tests run in CI at a small size and by hand at full size with the same code: the size is
``TRACEHOUND_FUZZ_EXAMPLES``, the number of generated inputs per *target* (a target is one parser
or loader: the HAR source, the NDJSON source, normalize, ...). A target with several tests splits
its budget between them by the ``share`` each test declares, so the shares of a target add up to 1.

Hypothesis may stop a test early (it found a failure, or it ran out of distinct inputs), so the
counts reported at the end are the inputs actually executed, counted inside the test bodies, not
the budget: ``fuzz_input(target)`` is called once per input executed (a generated document, or a
byte-level mutant of one, see ``fanout``), with the entries (HAR entries, NDJSON lines) it held.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from hypothesis import HealthCheck, Phase, settings

F = TypeVar("F", bound=Callable[..., Any])

CI_EXAMPLES_PER_TARGET = 700
"""Seven targets at 700 inputs each: about 5,000 inputs in CI."""
FULL_EXAMPLES_PER_TARGET = 100_000
"""What ``make fuzz`` runs."""

TARGETS = ("sources.har", "sources.ndjson", "normalize", "pipeline", "batch", "config", "spec", "nesting")
"""``nesting`` (deep JSON and YAML at every decoder) is a known-open class: see test_nesting.py."""

inputs: Counter[str] = Counter()
"""Inputs executed per target (one generated document, transaction or body each)."""
entries: Counter[str] = Counter()
"""Entries those inputs held (HAR entries, NDJSON lines, batch entries), where a target has them."""


def examples_per_target() -> int:
    raw = os.environ.get("TRACEHOUND_FUZZ_EXAMPLES", "")
    if not raw:
        return CI_EXAMPLES_PER_TARGET
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"TRACEHOUND_FUZZ_EXAMPLES must be a whole number, not {raw!r}") from None
    if value < 1:
        raise ValueError("TRACEHOUND_FUZZ_EXAMPLES must be at least 1")
    return value


def fanout() -> int:
    """``TRACEHOUND_FUZZ_FANOUT``: byte-level mutants run per generated document (0 in CI).

    Each is an input executed and counted; ``make fuzz`` sets it so a full run reaches 100,000
    inputs per target in minutes rather than hours (generating a structured document costs
    milliseconds, mutating one microseconds)."""
    raw = os.environ.get("TRACEHOUND_FUZZ_FANOUT", "") or "0"
    if not raw.isdigit():
        raise ValueError(f"TRACEHOUND_FUZZ_FANOUT must be a whole number, not {raw!r}")
    return int(raw)


_IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
_SHRINK = os.environ.get("TRACEHOUND_FUZZ_SHRINK", "1") != "0"
"""``TRACEHOUND_FUZZ_SHRINK=0`` reports a failure as found, unshrunk: a long run then stops at once."""

settings.register_profile(
    "tracehound-fuzz",
    deadline=None,
    database=None,
    # CI runs the same inputs every time (a red CI is then reproducible from the log); by hand each
    # run explores new ones, and a failure prints the blob that replays it (@reproduce_failure).
    derandomize=_IN_CI,
    print_blob=True,
    # No "explain" phase: its line tracer makes Python 3.11 minutes slower on these inputs.
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, *([Phase.shrink] if _SHRINK else [])],
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
        HealthCheck.large_base_example,
    ],
)


def fuzz(target: str, share: float = 1.0) -> Callable[[F], F]:
    """The settings of one fuzz test: ``share`` of ``target``'s budget of generated inputs."""
    if target not in TARGETS:
        raise ValueError(f"unknown fuzz target {target!r}")
    count = max(1, round(examples_per_target() * share))
    return settings(settings.get_profile("tracehound-fuzz"), max_examples=count)


def fuzz_input(target: str, held: int = 0) -> None:
    """Count one executed input of ``target`` (and the ``held`` entries it contained)."""
    inputs[target] += 1
    if held:
        entries[target] += held
    if inputs.total() % 10_000 == 0:
        write_summary()  # a long run stopped part-way still tells what it ran


def write_summary() -> None:
    """The counts as JSON to ``$TRACEHOUND_FUZZ_SUMMARY``, when it is set."""
    out = os.environ.get("TRACEHOUND_FUZZ_SUMMARY")
    if out:
        summary = {"examples_per_target": examples_per_target(), "fanout": fanout(), "inputs": dict(inputs)}
        Path(out).write_text(json.dumps({**summary, "entries": dict(entries)}, indent=2, sort_keys=True) + "\n")


def summary_lines() -> list[str]:
    lines = [f"{'target':<16} {'inputs':>10} {'entries':>10}"]
    for target in TARGETS:
        if inputs[target]:
            lines.append(f"{target:<16} {inputs[target]:>10} {entries[target] or '':>10}")
    lines.append(f"{'total':<16} {sum(inputs.values()):>10} {sum(entries.values()) or '':>10}")
    return lines

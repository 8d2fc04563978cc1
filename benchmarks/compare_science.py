"""Diff two JSON outputs of synpharm numerically: did the science move?

Compares every number found at the same place in two documents (``synpharm validate --json``
output, a run's ``summary.json``, ...) and reports the largest relative difference, the places
that differ and the places present in only one of them. Provenance (versions, timings, paths,
peak memory) is skipped.

Usage::

    python benchmarks/compare_science.py BEFORE.json AFTER.json [--show 20]

Exit code 0 when every number is identical, 1 otherwise (so it can gate a refactoring).
"""

from __future__ import annotations

import argparse
import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

#: keys whose values describe the run, not the science
SKIPPED_KEYS = {"provenance", "peak_memory_mb", "elapsed_s", "wall_s", "timing", "date_utc"}


def leaves(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """Every scalar of a JSON document with its path (``a.b[3].c``)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key not in SKIPPED_KEYS:
                yield from leaves(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from leaves(item, f"{path}[{index}]")
    else:
        yield path, value


def relative_difference(a: float, b: float) -> float:
    """|a - b| / max(|a|, |b|); 0 for equal numbers (also both NaN), inf for NaN vs number."""
    if a == b or (math.isnan(a) and math.isnan(b)):
        return 0.0
    if math.isnan(a) or math.isnan(b):
        return math.inf
    return abs(a - b) / max(abs(a), abs(b))


def compare(before: Any, after: Any) -> dict[str, Any]:
    """Numbers that differ, non-numbers that differ and paths present on one side only."""
    old, new = dict(leaves(before)), dict(leaves(after))
    numeric: list[tuple[float, str, Any, Any]] = []
    other: list[tuple[str, Any, Any]] = []
    for path in sorted(old.keys() & new.keys()):
        a, b = old[path], new[path]
        numbers = all(isinstance(x, int | float) and not isinstance(x, bool) for x in (a, b))
        if numbers:
            diff = relative_difference(float(a), float(b))
            if diff:
                numeric.append((diff, path, a, b))
        elif a != b:
            other.append((path, a, b))
    numeric.sort(reverse=True)
    return {
        "n_compared": len(old.keys() & new.keys()),
        "numeric": numeric,
        "other": other,
        "only_before": sorted(old.keys() - new.keys()),
        "only_after": sorted(new.keys() - old.keys()),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--show", type=int, default=10, help="differences to list")
    args = parser.parse_args()
    result = compare(json.loads(args.before.read_text()), json.loads(args.after.read_text()))
    numeric = result["numeric"]
    largest = numeric[0][0] if numeric else 0.0
    print(f"values compared: {result['n_compared']}")
    print(f"numbers that differ: {len(numeric)}; largest relative difference: {largest:.3g}")
    for diff, path, a, b in numeric[: args.show]:
        print(f"  {diff:.3g}  {path}: {a!r} -> {b!r}")
    for path, a, b in result["other"][: args.show]:
        print(f"  changed  {path}: {a!r} -> {b!r}")
    for side in ("only_before", "only_after"):
        if result[side]:
            print(f"{side}: {len(result[side])} e.g. {result[side][: args.show]}")
    changed = numeric or result["other"] or result["only_before"] or result["only_after"]
    return 1 if changed else 0


if __name__ == "__main__":
    raise SystemExit(main())

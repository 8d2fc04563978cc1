"""Seed robustness of validation targets: rerun targets with seeds 0..N-1, count passes.

The scorecard runs each target once (its study's seed); a target whose outcome hinges on
sampling noise passes for some seeds and not others. This reruns the chosen targets with other
seeds and prints, per target, the pass count and every check value (JSON).

Usage::

    .venv/bin/python benchmarks/validate_seeds.py --targets SEED-KET-7 SEED-KET-11 --seeds 12
"""

from __future__ import annotations

import argparse
import json

from synpharm.validation import PACKAGE_TARGET_FILES, load_targets, run_targets


def seed_robustness(ids: list[str], n_seeds: int) -> dict[str, dict]:
    """Per target id: ``passes`` (count), ``seeds`` and the check ``values`` per seed."""
    target_sets = [load_targets(path) for path in PACKAGE_TARGET_FILES]
    known = {t.id for target_set in target_sets for t in target_set.targets}
    unknown = sorted(set(ids) - known)
    if unknown:
        raise SystemExit(f"--targets: no target {unknown[0]!r}; use ids from the targets files")
    out: dict[str, dict] = {i: {"passes": 0, "seeds": n_seeds, "values": []} for i in ids}
    for seed in range(n_seeds):
        chosen = [
            target_set.model_copy(update={"targets": tuple(
                t.model_copy(update={"seed": seed}) for t in target_set.targets if t.id in ids
            )})
            for target_set in target_sets
        ]
        scorecard = run_targets([c for c in chosen if c.targets])
        for outcome in scorecard.outcomes:
            entry = out[outcome.target.id]
            entry["passes"] += outcome.status == "pass"
            entry["values"].append([round(float(c.value), 4) for c in outcome.checks])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", nargs="+", required=True, help="target ids")
    parser.add_argument("--seeds", type=int, default=12, help="number of seeds (0..N-1)")
    args = parser.parse_args()
    if args.seeds < 1:
        raise SystemExit("--seeds: give a positive number of seeds, e.g. 12")
    print(json.dumps(seed_robustness(args.targets, args.seeds), indent=2))


if __name__ == "__main__":
    main()

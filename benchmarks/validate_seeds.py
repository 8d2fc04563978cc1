"""Seed robustness of validation targets: rerun targets with seeds 0..N-1, count passes.

The scorecard runs each target at its study's seed (``synpharm validate --seeds K`` at K
consecutive seeds, pass at >= 80 %); a target whose outcome hinges on sampling noise passes for
some seeds and not others. This reruns every target (or the chosen ones) of the packaged
targets files (``targets.toml`` and ``physiology_targets.toml``) at each seed 0..N-1 on its
own and prints, per target, how many seeds pass, whether the target is expected to fail, and
the check values per seed (``--json``).

Usage::

    .venv/bin/python benchmarks/validate_seeds.py --seeds 10            # every target, table
    .venv/bin/python benchmarks/validate_seeds.py --targets PHYS-PPF-1 --seeds 10 --json
"""

from __future__ import annotations

import argparse
import json

from synpharm.validation import PACKAGE_TARGET_FILES, load_targets, run_targets


def seed_robustness(ids: list[str] | None, n_seeds: int) -> dict[str, dict]:
    """Per target id: ``passes`` (count), ``seeds``, ``role``, ``expected`` and the check
    ``values`` per seed; ``ids`` None = every target of the packaged files."""
    target_sets = [load_targets(path) for path in PACKAGE_TARGET_FILES]
    known = {t.id: t for s in target_sets for t in s.targets}
    chosen_ids = list(known) if ids is None else ids
    unknown = sorted(set(chosen_ids) - set(known))
    if unknown:
        raise SystemExit(f"--targets: no target {unknown[0]!r}; use ids from the targets files")
    out: dict[str, dict] = {
        i: {"passes": 0, "seeds": n_seeds, "role": known[i].role,
            "expected": known[i].expected or "pass", "values": []}
        for i in chosen_ids
    }  # fmt: skip
    for seed in range(n_seeds):
        sets = [
            s.model_copy(update={"targets": tuple(
                t.model_copy(update={"seed": seed}) for t in s.targets if t.id in out
            )})
            for s in target_sets
        ]  # fmt: skip
        scorecard = run_targets([s for s in sets if s.targets])
        for outcome in scorecard.outcomes:
            entry = out[outcome.target.id]
            entry["passes"] += outcome.status == "pass"
            entry["values"].append([round(float(c.value), 4) for c in outcome.checks])
    return out


def table(results: dict[str, dict]) -> str:
    """A plain-text table: id, role, expected, passes / seeds."""
    lines = [f"{'target':<22} {'role':<12} {'expected':<9} passes", "-" * 52]
    for target_id, r in results.items():
        lines.append(
            f"{target_id:<22} {r['role']:<12} {r['expected']:<9} {r['passes']:>2} / {r['seeds']}"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", nargs="+", default=None, help="target ids (default: all)")
    parser.add_argument("--seeds", type=int, default=10, help="number of seeds (0..N-1)")
    parser.add_argument("--json", action="store_true", help="print JSON with check values")
    args = parser.parse_args()
    if args.seeds < 1:
        raise SystemExit("--seeds: give a positive number of seeds, e.g. 10")
    results = seed_robustness(args.targets, args.seeds)
    print(json.dumps(results, indent=2) if args.json else table(results))


if __name__ == "__main__":
    main()

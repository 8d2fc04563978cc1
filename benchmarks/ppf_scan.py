"""Paired-pulse scan: PHYS-PPF-1's readouts per seed with ``ca1_slice`` overrides.

Runs ``phys_ppf`` (12 slices) at the given seeds and prints per seed the mean PPR at each
interval and, for each step of the decline, the mean within-slice difference, its SD over
slices and the paired t statistic (the target's test is two-sided: p < 0.05 over 12 slices needs
t > 2.20). The
scorecard (``benchmarks/validate_seeds.py``) is the judge; this is the faster scan tool.

Usage::

    NUMBA_NUM_THREADS=1 PYTHONPATH=src .venv/bin/python benchmarks/ppf_scan.py \\
        --seeds 5 8 residual_calcium_increment=0.5
"""

from __future__ import annotations

import itertools

import numpy as np
from _scan import ca1_with_overrides, scan_parser

from synpharm.experiments.slice import run_protocol
from synpharm.protocols import Protocol
from synpharm.protocols.library import LIBRARY

INTERVALS = (20, 50, 100, 200, 500)


def seed_row(seed: int, prep) -> dict[str, float]:
    """Mean PPR per interval and the paired statistics of each step at one seed."""
    result = run_protocol(Protocol.from_toml(LIBRARY / "phys_ppf.toml"), seed=seed, prep=prep)
    readouts = result.conditions[0].readouts
    ppr = {i: np.asarray(readouts[f"ppr_{i}ms"].values, dtype=float) for i in INTERVALS}
    row = {f"{i}": ppr[i].mean() for i in INTERVALS}
    for a, b in itertools.pairwise(INTERVALS):
        d = ppr[a] - ppr[b]
        sd = d.std(ddof=1)
        row[f"d{a}-{b}"] = d.mean()
        row[f"sd{a}-{b}"] = sd
        row[f"t{a}-{b}"] = d.mean() / (sd / np.sqrt(d.size))
    return row


def main() -> None:
    parser = scan_parser(__doc__.splitlines()[0])
    args = parser.parse_args()
    prep = ca1_with_overrides(args.overrides)
    rows = []
    for seed in args.seeds:
        row = seed_row(seed, prep)
        rows.append(row)
        print(f"seed {seed}: " + "  ".join(f"{k} {v:.3g}" for k, v in row.items()), flush=True)
    keys = list(rows[0])
    print("min:  " + "  ".join(f"{k} {min(r[k] for r in rows):.3g}" for k in keys))
    print("mean: " + "  ".join(f"{k} {np.mean([r[k] for r in rows]):.3g}" for k in keys))


if __name__ == "__main__":
    main()

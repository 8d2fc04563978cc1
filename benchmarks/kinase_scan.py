"""Kinase/phosphatase scan: the 10 Hz arm of PHYS-FDP-1 and the checks of LIT-GEN-1 per seed.

Runs ``phys_fdp_10hz`` (6 slices, as PHYS-FDP-1; optionally the other arms with ``--arms``),
``control_ltp`` and ``control_ltp_1x`` (12 slices, as LIT-GEN-1) at the given seeds with
overrides of ``ca1_slice`` (``name=value``, SI units) and prints per seed the check values
(means; the scorecard's "1 x decays more than 3 x" check also needs p < 0.05, printed).
The scorecard (``benchmarks/validate_seeds.py``) is the judge; this is the faster scan tool.

Usage::

    NUMBA_NUM_THREADS=1 PYTHONPATH=src .venv/bin/python benchmarks/kinase_scan.py \\
        --seeds 0 1 2 3 4 kinase_half_activation=4.0 potentiation_rate=600
"""

from __future__ import annotations

import numpy as np
from _scan import ca1_with_overrides, scan_parser

from synpharm.experiments.slice import run_protocol
from synpharm.protocols import Protocol
from synpharm.protocols.library import LIBRARY
from synpharm.validation._stats import difference, two_sided_p


def _readout(result, name: str) -> np.ndarray:
    return np.asarray(result.conditions[0].readouts[name].values, dtype=float)


def seed_row(seed: int, prep, arms: list[str], lit: bool) -> dict[str, float]:
    """Check values at one seed: FDP arms (mean LTP %) and LIT-GEN-1's four numbers."""
    row: dict[str, float] = {}
    for arm in arms:
        result = run_protocol(Protocol.from_toml(LIBRARY / f"phys_fdp_{arm}.toml"), cohort=6,
                              seed=seed, prep=prep)
        values = _readout(result, "ltp_percent")
        row[arm] = values.mean()
        row[f"{arm}_sd"] = values.std(ddof=1)
    if lit:
        three = run_protocol(Protocol.from_toml(LIBRARY / "control_ltp.toml"), seed=seed,
                             prep=prep)
        one = run_protocol(Protocol.from_toml(LIBRARY / "control_ltp_1x.toml"), seed=seed,
                           prep=prep)
        row["ltp3"] = _readout(three, "ltp_percent").mean()
        row["plateau"] = _readout(three, "ltp_plateau_decay_percent").mean()
        decay1, decay3 = _readout(one, "ltp_decay_percent"), _readout(three, "ltp_decay_percent")
        row["dec1"], row["dec3"] = decay1.mean(), decay3.mean()
        row["dec1-3"] = decay1.mean() - decay3.mean()
        row["p"] = two_sided_p(difference(decay1, decay3))
        row["3-1"] = row["ltp3"] - _readout(one, "ltp_percent").mean()
    return row


def main() -> None:
    parser = scan_parser(__doc__.splitlines()[0])
    parser.add_argument("--arms", nargs="*", default=["10hz"], help="FDP arms: 1hz 3hz 10hz 50hz")
    parser.add_argument("--no-lit", action="store_true", help="skip LIT-GEN-1's protocols")
    args = parser.parse_args()
    prep = ca1_with_overrides(args.overrides)
    rows = []
    for seed in args.seeds:
        row = seed_row(seed, prep, args.arms, not args.no_lit)
        rows.append(row)
        print(f"seed {seed}: " + "  ".join(f"{k} {v:.4g}" for k, v in row.items()), flush=True)
    keys = list(rows[0])
    print("min:  " + "  ".join(f"{k} {min(r[k] for r in rows):.4g}" for k in keys))
    print("max:  " + "  ".join(f"{k} {max(r[k] for r in rows):.4g}" for k in keys))
    print("mean: " + "  ".join(f"{k} {np.mean([r[k] for r in rows]):.4g}" for k in keys))


if __name__ == "__main__":
    main()

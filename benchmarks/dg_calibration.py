"""Dentate-gyrus calibration scan: SEED-BAC-4 and the DG half of SEED-BAC-5.3uM per seed.

Runs the two dentate protocols of SEED-BAC-4 (``dg_hfs_baclofen``,
``dg_subthreshold_tetanus_baclofen``) at seeds 0..N-1 with parameter overrides of
``dentate_gyrus_slice.toml`` (SI units, e.g. ``feedforward_gabaa_conductance=7e-8``) and prints
the check values of SEED-BAC-4 (same readouts and tests as ``synpharm validate``) and, with
``--ca1``, SEED-BAC-5.3uM's "DG above CA1 under baclofen 3 uM" check (the CA1 arm of
``ca1_baclofen_ltp`` is not touched by the overrides). The shipped calibration is the file;
this is the tool the scans in docs/calibration.md were made with.

Usage::

    NUMBA_NUM_THREADS=1 PYTHONPATH=src .venv/bin/python benchmarks/dg_calibration.py \\
        --seeds 10 --ca1 short_term_potentiation_max=0.5 feedforward_gabaa_conductance=7e-8
"""

from __future__ import annotations

import argparse

import numpy as np

from synpharm.experiments.slice import run_protocol
from synpharm.preparations.dentate_gyrus import dentate_gyrus_slice
from synpharm.protocols import Protocol
from synpharm.protocols.library import LIBRARY
from synpharm.validation._stats import difference, two_sided_p

BACLOFEN = "baclofen 3 uM"


def _ltp(result, condition: str) -> np.ndarray:
    by_name = {c.name: c for c in result.conditions}
    return np.asarray(by_name[condition].readouts["ltp_percent"].values, dtype=float)


def seed_row(seed: int, overrides: dict[str, float], ca1: bool) -> dict[str, float]:
    """Check values of SEED-BAC-4 (and the DG-vs-CA1 check) at one seed."""
    prep = dentate_gyrus_slice(dentate_gyrus_slice().parameters.with_values(**overrides))
    hfs = run_protocol(Protocol.from_toml(LIBRARY / "dg_hfs_baclofen.toml"), seed=seed, prep=prep)
    sub = run_protocol(Protocol.from_toml(LIBRARY / "dg_subthreshold_tetanus_baclofen.toml"),
                       seed=seed, prep=prep)
    hc, hb = _ltp(hfs, "control"), _ltp(hfs, BACLOFEN)
    sc, sb = _ltp(sub, "control"), _ltp(sub, BACLOFEN)
    row = {
        "hfs_ctrl": hc.mean(), "hfs_bac": hb.mean(),
        "hfs_p": two_sided_p(difference(hb, hc)),
        "sub_ctrl": sc.mean(), "sub_bac": sb.mean(),
        "sub_p": two_sided_p(difference(sb, sc)),
    }  # fmt: skip
    ok = (105 <= row["hfs_ctrl"] <= 160 and row["hfs_bac"] - row["hfs_ctrl"] > 10
          and row["hfs_p"] < 0.05 and row["sub_ctrl"] <= 110 and row["sub_bac"] > 110
          and row["sub_bac"] > row["sub_ctrl"] and row["sub_p"] < 0.05)
    row["bac4"] = float(ok)
    if ca1:
        ca = run_protocol(Protocol.from_toml(LIBRARY / "ca1_baclofen_ltp.toml"), seed=seed)
        cb = _ltp(ca, BACLOFEN)
        row["ca1_bac"] = cb.mean()
        row["ca1_drop"] = cb.mean() - _ltp(ca, "control").mean()
        row["ca1_drop_p"] = two_sided_p(difference(cb, _ltp(ca, "control")))
        row["dg_minus_ca1"] = hb.mean() - cb.mean()
        row["dg_ca1_p"] = two_sided_p(difference(hb, cb))
        row["bac53"] = float(row["ca1_drop"] < -10 and row["ca1_drop_p"] < 0.05
                             and row["dg_minus_ca1"] > 10 and row["dg_ca1_p"] < 0.05)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("overrides", nargs="*", help="name=value (SI) of dentate_gyrus_slice")
    parser.add_argument("--seeds", type=int, default=10, help="seeds 0..N-1")
    parser.add_argument("--first", type=int, default=0, help="first seed")
    parser.add_argument("--seed-list", default="", help="comma-separated seeds instead, e.g. 2,6")
    parser.add_argument("--ca1", action="store_true", help="also SEED-BAC-5.3uM's checks")
    args = parser.parse_args()
    overrides = {k: float(v) for k, v in (o.split("=", 1) for o in args.overrides)}
    print("overrides:", overrides or "(none)", flush=True)
    rows = []
    seeds = [int(s) for s in args.seed_list.split(",") if s]
    for seed in seeds or range(args.first, args.first + args.seeds):
        row = seed_row(seed, overrides, args.ca1)
        rows.append(row)
        print(f"seed {seed}: " + "  ".join(f"{k} {v:.4g}" for k, v in row.items()), flush=True)
    print(f"SEED-BAC-4 {int(sum(r['bac4'] for r in rows))}/{len(rows)}"
          + (f"  SEED-BAC-5.3uM {int(sum(r['bac53'] for r in rows))}/{len(rows)}"
             if args.ca1 else ""))


if __name__ == "__main__":
    main()

"""Cohort variability of 3 x 100 Hz LTP (PHYS-VAR-1): every slice's time course and its spread.

Runs the library protocol ``control_ltp`` (12 slices) and writes ``cohort_variability.png``:
left, the fEPSP slope of each slice (1-min bins, % of its own 10-min pre-induction baseline);
right, the 60-min LTP and the baseline slope of each slice. Prints SD and range of LTP and the
CV of the baseline slope (the PHYS-VAR-1 statistics).

Usage::

    .venv/bin/python benchmarks/cohort_variability.py --seed 1 --out /tmp/var
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from synpharm.experiments.slice import run_protocol
from synpharm.protocols import Protocol
from synpharm.protocols.library import library_protocol_path


def _binned_percent(time: np.ndarray, slope: np.ndarray, induction: float):
    """1-min bins of each slice's slope as % of its 10-min pre-induction mean."""
    base = slope[:, (time >= induction - 600.0) & (time < induction)].mean(axis=1)
    minutes = np.floor((time - induction) / 60.0)
    edges = np.unique(minutes)
    binned = np.stack([slope[:, minutes == m].mean(axis=1) for m in edges], axis=1)
    return edges + 0.5, 100.0 * binned / base[:, None]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path("."))
    args = parser.parse_args()
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    result = run_protocol(Protocol.from_toml(library_protocol_path("control_ltp")), seed=args.seed)
    condition = result.conditions[0]
    table = condition.pulses
    test = table.kind == "test"
    t, percent = _binned_percent(table.time[test], table.fepsp_slope[:, test],
                                 float(result.induction_time))
    ltp = np.asarray(condition.readouts["ltp_percent"].values)
    slope = np.asarray(condition.readouts["baseline_fepsp_slope"].values)
    cv = slope.std(ddof=1) / abs(slope.mean())
    summary = (f"LTP {ltp.mean():.1f} %, SD {ltp.std(ddof=1):.1f} points, range "
               f"{ltp.min():.1f}-{ltp.max():.1f} ({np.ptp(ltp):.1f} points); "
               f"baseline slope CV {cv:.2f} (n = {ltp.size}, seed {args.seed})")
    print(summary)
    fig, (ax, bx, cx) = plt.subplots(1, 3, figsize=(12, 4), width_ratios=(3, 1, 1))
    for row in percent:
        ax.plot(t, row, lw=0.8, alpha=0.7)
    ax.plot(t, percent.mean(axis=0), "k", lw=2, label="mean")
    ax.axhline(100.0, color="0.5", ls="--", lw=0.8)
    ax.set(xlabel="time from induction [min]", ylabel="fEPSP slope [% of own baseline]",
           title="3 x 100 Hz, each slice")
    ax.legend(frameon=False)
    jitter = np.linspace(-0.15, 0.15, ltp.size)
    bx.plot(jitter, ltp, "o", color="k", ms=4)
    bx.set(xticks=[], xlim=(-0.5, 0.5), ylabel="LTP 50-60 min [%]",
           title=f"SD {ltp.std(ddof=1):.1f}, range {np.ptp(ltp):.0f}")
    cx.plot(jitter, slope, "o", color="k", ms=4)
    cx.set(xticks=[], xlim=(-0.5, 0.5), ylabel="baseline fEPSP slope [mV/ms]",
           title=f"CV {cv:.2f}")
    fig.suptitle(summary, fontsize=9)
    fig.tight_layout()
    args.out.mkdir(parents=True, exist_ok=True)
    fig.savefig(args.out / "cohort_variability.png", dpi=110)


if __name__ == "__main__":
    main()

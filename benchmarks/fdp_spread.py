"""Why does the 10 Hz arm of PHYS-FDP-1 potentiate in some slices? Per-slice dissection.

Usage::

    NUMBA_NUM_THREADS=1 PYTHONPATH=src .venv/bin/python benchmarks/fdp_spread.py \\
        --protocol phys_fdp_10hz --seeds 0 8 [--slices 6] [name=value ...]

For each seed, runs the protocol once in full (the per-slice ``ltp_percent`` the scorecard
reads, 6 slices as PHYS-FDP-1) and once more, on the same slices (same seeds, so the same draws),
up to ``--after`` seconds after the last train pulse, and prints one row per slice: the slice's
random effects (Ca2+ scale, inhibition scale, expression scale), somatic and dendritic spikes
during the train, and per recruited synapse (``recruitment_threshold`` below the test
intensity) the kinase activation K (median, 90th percentile, fraction above theta_K+), the
phosphatase activation P, the early-phase change h - 1 (mean, fraction > +tag and < -tag
threshold), the mean tagged change against the protein-synthesis threshold, and the plasticity-
related protein level. ``name=value`` overrides parameters of ``ca1_slice`` (SI units).
"""

from __future__ import annotations

import argparse

import numpy as np

from synpharm.experiments.slice import (  # the engine pieces of run_slices
    DrugTimeline,
    _bath_constants,
    _compounds,
    _seeds,
    _soma_samples,
    run_protocol,
)
from synpharm.model import slice_state as L
from synpharm.preparations.ca1_slice import ca1_slice, draw_slices
from synpharm.protocols import Protocol, build_schedule
from synpharm.protocols.library import LIBRARY
from synpharm.solvers.run import EngineSettings, run_schedule


def truncated_state(protocol: Protocol, cohort: int, seed: int, prep, after: float):
    """Population (first condition) ``after`` [s] past the last train pulse, and intensity."""
    constants = _bath_constants(protocol, prep)
    schedule = build_schedule(protocol)
    kinds = np.asarray(schedule.stimulus_kind)
    times = np.asarray(schedule.stimulus_time)
    intensity = np.asarray(schedule.intensity, dtype=float)
    end = times[kinds == "train"].max() + after
    keep = times <= end
    timeline = DrugTimeline(protocol, schedule, _compounds(protocol), cohort, prep)
    pop = draw_slices(prep, _seeds(seed, len(protocol.conditions), cohort)[:cohort])
    p = prep.parameters
    run_schedule(constants, pop, times[keep], intensity[keep], kinds[keep] == "train", timeline,
                 EngineSettings(p["pulse_window"], p["train_tail"], p["isolation_gap"]),
                 end, None, _soma_samples(protocol, prep))
    return pop, float(intensity[kinds == "test"][0]), constants


def slice_rows(pop, intensity: float, c) -> list[dict[str, float]]:
    """One row of diagnostics per slice (see the module docstring)."""
    syn, sl = pop.synapses, pop.slices
    rows = []
    for s in range(sl.shape[0]):
        rec = syn.recruitment_threshold[s] < intensity
        k, pp, d = syn.kinase[s][rec], syn.phosphatase[s][rec], syn.early[s][rec] - 1.0
        tagged = np.abs(d) > c.tag_threshold
        rows.append({
            "ca": sl[s, L.CALCIUM_SCALE], "inh": sl[s, L.INHIBITION_SCALE],
            "expr": sl[s, L.EXPRESSION_SCALE], "spk": sl[s, L.SPIKES], "dspk": sl[s, L.DSPIKES],
            "n_rec": rec.sum(), "K50": np.median(k), "K90": np.quantile(k, 0.9),
            "K>th%": 100 * np.mean(k > c.kinase_threshold), "P50": np.median(pp),
            "dh": d.mean(), "pot%": 100 * np.mean(d > c.tag_threshold),
            "dep%": 100 * np.mean(d < -c.tag_threshold),
            "tagchg": np.abs(d[tagged]).mean() if tagged.any() else 0.0,
            "z": syn.late[s][rec].mean(), "prot": sl[s, L.PROTEIN],
        })  # fmt: skip
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("overrides", nargs="*", help="name=value (SI) of ca1_slice")
    parser.add_argument("--protocol", default="phys_fdp_10hz")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 8])
    parser.add_argument("--slices", type=int, default=6, help="PHYS-FDP-1: 6, LIT-GEN-1: 12")
    parser.add_argument("--after", type=float, default=30.0, help="s after the last train pulse")
    args = parser.parse_args()
    overrides = {k: float(v) for k, v in (o.split("=", 1) for o in args.overrides)}
    prep = ca1_slice(ca1_slice().parameters.with_values(**overrides)) if overrides else ca1_slice()
    protocol = Protocol.from_toml(LIBRARY / f"{args.protocol}.toml")
    print(protocol.name, overrides or "(none)", flush=True)
    for seed in args.seeds:
        full = run_protocol(protocol, cohort=args.slices, seed=seed, prep=prep)
        readouts = full.conditions[0].readouts
        ltp = np.asarray(readouts["ltp_percent"].values, dtype=float)
        decay = np.asarray(readouts["ltp_decay_percent"].values, dtype=float)
        pop, intensity, c = truncated_state(protocol, args.slices, seed, prep, args.after)
        rows = slice_rows(pop, intensity, c)
        keys = list(rows[0])
        print(f"seed {seed}: mean LTP {ltp.mean():.1f} %, decay {decay.mean():.2f} points")
        print("  ltp%  decay " + " ".join(f"{k:>6}" for k in keys))
        for value, dec, row in zip(ltp, decay, rows, strict=True):
            print(f"{value:6.1f} {dec:5.1f} " + " ".join(f"{row[k]:6.3g}" for k in keys),
                  flush=True)


if __name__ == "__main__":
    main()

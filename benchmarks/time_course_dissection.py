"""Dissect two time courses of issue 13: the first minute after 3 x 100 Hz and 1 Hz LTD.

Usage::

    NUMBA_NUM_THREADS=1 PYTHONPATH=src .venv/bin/python benchmarks/time_course_dissection.py \\
        stp --seed 1 [--after 14.9] [name=value ...]
    NUMBA_NUM_THREADS=1 PYTHONPATH=src .venv/bin/python benchmarks/time_course_dissection.py \\
        ltd --seed 1 --after 1 600 2700 [name=value ...]

``stp`` (``phys_stp``, control, 12 slices): the model state ``--after`` s past the last train
pulse; the expected drive of the next test pulse (release probability from residual Ca2+ and
STP, all ready sites refilled, times the LTP weight), with each component (PTP = residual
Ca2+ of the four presynaptic pools, STP, early/late LTP) switched off in turn, in % of the drive
with none of them. ``ltd`` (``phys_fdp_1hz``, control, 6 slices): per time past the last train
pulse, the mean early-phase change h - 1 and late phase z of the recruited synapses, the
fraction tagged, the mean and summed tagged change against the protein-synthesis threshold and
the protein level. ``name=value`` overrides parameters of ``ca1_slice`` (SI units).
"""

from __future__ import annotations

import argparse

import numpy as np
from fdp_spread import truncated_state

from synpharm.model import slice_state as L
from synpharm.model.plasticity.short_term import release_with_stp
from synpharm.preparations.ca1_slice import ca1_slice
from synpharm.protocols import Protocol
from synpharm.protocols.library import LIBRARY

POOLS = (L.RESIDUAL, L.RESIDUAL_SLOW, L.AUGMENTATION, L.POTENTIATION)


def expected_drive(pop, intensity: float, c, ptp: bool, stp: bool, ltp: bool) -> np.ndarray:
    """Expected AMPA drive of one test pulse per slice, with the chosen components on."""
    syn, sl = pop.synapses, pop.slices
    residual = sl[:, list(POOLS)].sum(axis=1)[:, None] if ptp else 0.0
    u = syn.short_term if stp else 0.0
    pre = c.stp_presynaptic
    p = release_with_stp(1.0 + residual, syn.release_half_power, pre * u,
                         c.release_cooperativity, c.release_p_max)
    plastic = sl[:, L.EXPRESSION_SCALE][:, None] * (syn.early - 1.0 + syn.late) if ltp else 0.0
    weight = 1.0 + plastic + (1.0 - pre) * u
    recruited = syn.recruitment_threshold <= intensity
    return np.where(recruited, syn.n_sites * p * syn.ampa_weight * weight, 0.0).sum(axis=1)


def dissect_stp(prep, seed: int, after: float) -> None:
    """Print the components of the first test pulse after 3 x 100 Hz (see module docstring)."""
    protocol = Protocol.from_toml(LIBRARY / "phys_stp.toml")
    pop, intensity, c = truncated_state(protocol, 12, seed, prep, after)
    ref = expected_drive(pop, intensity, c, False, False, False)
    for label, on in (("all", (1, 1, 1)), ("PTP", (1, 0, 0)), ("STP", (0, 1, 0)),
                      ("LTP", (0, 0, 1)), ("PTP+STP", (1, 1, 0)), ("PTP+LTP", (1, 0, 1)),
                      ("STP+LTP", (0, 1, 1))):
        drive = expected_drive(pop, intensity, c, *map(bool, on))
        print(f"{label:8s} {100 * np.mean(drive / ref):6.1f} %")
    rec = pop.synapses.recruitment_threshold <= intensity
    print(f"residual Ca2+ {pop.slices[:, list(POOLS)].sum(axis=1).mean():.3f} of one influx, "
          f"u > 0 at {100 * np.mean(pop.synapses.short_term[rec] > 0):.0f} % of recruited, "
          f"mean h - 1 {np.mean(pop.synapses.early[rec] - 1):+.3f}")


def dissect_ltd(prep, seed: int, afters: list[float]) -> None:
    """Print early/late phase, tags and protein after 1 Hz x 900 (see module docstring)."""
    protocol = Protocol.from_toml(LIBRARY / "phys_fdp_1hz.toml")
    for after in afters:
        pop, intensity, c = truncated_state(protocol, 6, seed, prep, after)
        syn, sl = pop.synapses, pop.slices
        rec = syn.recruitment_threshold <= intensity
        d = syn.early - 1.0
        tagged = (np.abs(d) > c.tag_threshold) & rec
        n_tag = tagged.sum(axis=1)
        summed = np.where(tagged, np.abs(d), 0.0).sum(axis=1)
        mean_tag = np.mean(summed / np.maximum(n_tag, 1))
        print(f"{after / 60:6.1f} min: h - 1 {d[rec].mean():+.3f}, z {syn.late[rec].mean():+.4f}, "
              f"tagged {100 * tagged.sum() / rec.sum():4.1f} %, mean tagged |h - 1| "
              f"{mean_tag:.3f}, summed {summed.mean():.1f} (threshold {c.protein_threshold}), "
              f"protein {sl[:, L.PROTEIN].mean():.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("which", choices=["stp", "ltd"])
    parser.add_argument("overrides", nargs="*", help="name=value (SI) of ca1_slice")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--after", type=float, nargs="+", default=None)
    args = parser.parse_intermixed_args()
    overrides = {k: float(v) for k, v in (o.split("=", 1) for o in args.overrides)}
    prep = ca1_slice(ca1_slice().parameters.with_values(**overrides)) if overrides else ca1_slice()
    if args.which == "stp":
        dissect_stp(prep, args.seed, (args.after or [14.9])[0])
    else:
        dissect_ltd(prep, args.seed, args.after or [1.0, 600.0, 2700.0])


if __name__ == "__main__":
    main()

"""PHYS-ION-1 (Mg2+ part) with and without the NMDA part of the radiatum field.

Runs ``phys_ion_apv`` per seed twice, with the default AMPA-only field and with
``run_protocol(..., nmda_field=True)`` (the field of the NMDA charge the kernels record), and
prints per arm the D-APV-relevant readouts: slope and area change over the wash-in
(``baseline_change_percent``, ``area_change_percent``) and the baseline slope and area.

Usage: ``python benchmarks/nmda_field.py --seeds 5 [--cohort 12]``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

import synpharm
from synpharm.experiments.slice import run_protocol
from synpharm.protocols import Protocol

READOUTS = ("baseline_change_percent", "area_change_percent", "baseline_fepsp_slope",
            "baseline_fepsp_area")


def _row(seed: int, field: str, result) -> list[str]:
    lines = []
    for c in result.conditions:
        values = [float(np.nanmean(c.readouts[name].values)) for name in READOUTS]
        lines.append(f"| {seed} | {field} | {c.name} | " + " | ".join(f"{v:.3g}" for v in values)
                     + " |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--cohort", type=int, default=None)
    args = parser.parse_args()
    library = Path(synpharm.__file__).parent / "protocols" / "library"
    protocol = Protocol.from_toml(library / "phys_ion_apv.toml")
    print("| seed | field | arm | slope change % | area change % | baseline slope mV/ms "
          "| baseline area mV ms |")
    print("|---|---|---|---|---|---|---|")
    for seed in range(1, args.seeds + 1):
        for field, nmda in (("AMPA", False), ("AMPA+NMDA", True)):
            result = run_protocol(protocol, cohort=args.cohort, seed=seed, nmda_field=nmda)
            print("\n".join(_row(seed, field, result)), flush=True)


if __name__ == "__main__":
    main()
